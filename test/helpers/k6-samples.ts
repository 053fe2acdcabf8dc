import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { K6SampleLine } from '../../rundir/k6.ts';

/**
 * Writes a k6-samples.ndjson.gz in k6's `--out json` format: Metric lines, then `count` requests,
 * each an http_reqs and an http_req_duration Point, 10 ms apart from `startMs`, two of them sharing
 * a millisecond timestamp (as a generator with ms clocks would). Returns the Point line count.
 */
export async function writeK6Samples(path: string, options: { startMs: number; count: number; tags?: Record<string, string> }): Promise<number> {
  const lines: K6SampleLine[] = [
    { type: 'Metric', metric: 'http_reqs', data: { name: 'http_reqs', type: 'counter', contains: 'default', thresholds: [], submetrics: null } },
    { type: 'Metric', metric: 'http_req_duration', data: { name: 'http_req_duration', type: 'trend', contains: 'time', thresholds: [], submetrics: null } },
  ];
  for (let i = 0; i < options.count; i++) {
    const time = new Date(options.startMs + (i === 1 ? 0 : i * 10)).toISOString();
    const tags = {
      method: 'GET',
      name: 'GET /v1/api/item-types',
      status: '200',
      url: `http://127.0.0.1:5000/v1/api/item-types?i=${i}`,
      vu: String(i % 3),
      iter: String(i),
      scenario: 'default',
      ...options.tags,
    };
    lines.push({ type: 'Point', metric: 'http_reqs', data: { time, value: 1, tags } });
    lines.push({ type: 'Point', metric: 'http_req_duration', data: { time, value: 5 + (i % 7), tags } });
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, gzipSync(`${lines.map((l) => JSON.stringify(l)).join('\n')}\n`));
  return options.count * 2;
}
