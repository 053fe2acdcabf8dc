import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { MAX_ENDPOINTS, OTHER_ENDPOINTS, readK6Samples } from '../../../../reports/ingest/point-samples.ts';
import { ITEM_TYPES_TAGS, k6MetricLine, k6PointLine } from '../../../helpers/synthetic-run.ts';
import { tempDir } from '../../../helpers/temp-dir.ts';

const tags = ITEM_TYPES_TAGS;

test('readK6Samples gives the same totals whatever the chunk size (lines cut across chunks)', async (t) => {
  const dir = await tempDir(t);
  const lines = Array.from({ length: 300 }, (_, i) =>
    k6PointLine(i % 3 === 0 ? 'http_reqs' : 'http_req_duration', Date.UTC(2026, 10, 25, 9, 0, 0, i * 10), 1 + (i % 17), {
      ...tags,
      name: i % 2 ? 'é-endpoint' : 'item-types',
    }),
  );
  const text = `${lines.join('\n')}\n${k6MetricLine('checks', 'rate')}`; // no newline at the end
  await writeFile(join(dir, 'samples.ndjson'), text);
  await writeFile(join(dir, 'samples.ndjson.gz'), gzipSync(text));
  const whole = await readK6Samples(join(dir, 'samples.ndjson'));
  t.is(whole.lines, 301);
  t.is(whole.latency.count, 200);
  t.deepEqual([...whole.latencyByEndpoint.keys()].sort(), ['item-types', 'é-endpoint']);
  for (const chunkBytes of [7, 64, 333]) {
    for (const file of ['samples.ndjson', 'samples.ndjson.gz']) {
      const cut = await readK6Samples(join(dir, file), { chunkBytes });
      t.is(cut.lines, whole.lines, `${file} @ ${chunkBytes}`);
      t.deepEqual(cut.latency.toJSON(), whole.latency.toJSON());
      t.deepEqual([...cut.requestsByEndpoint].sort(), [...whole.requestsByEndpoint].sort());
      t.is(cut.firstMs, whole.firstMs);
    }
  }
});

test('past MAX_ENDPOINTS distinct names, requests go to one "other" endpoint and a warning names it', async (t) => {
  const dir = await tempDir(t);
  const lines: string[] = [];
  for (let i = 0; i < MAX_ENDPOINTS + 50; i++) {
    const named = { ...tags, name: `http://127.0.0.1:8080/v1/api/orders/${i}` };
    lines.push(k6PointLine('http_reqs', 0, 1, named), k6PointLine('http_req_duration', 0, 5, named), k6PointLine('http_req_failed', 0, 1, named));
  }
  await writeFile(join(dir, 'many.ndjson'), `${lines.join('\n')}\n`);
  const totals = await readK6Samples(join(dir, 'many.ndjson'));
  t.is(totals.latencyByEndpoint.size, MAX_ENDPOINTS + 1);
  t.is(totals.latencyByEndpoint.get(OTHER_ENDPOINTS)?.count, 50);
  t.is(totals.requestsByEndpoint.get(OTHER_ENDPOINTS), 50);
  t.is(totals.failedByEndpoint.get(OTHER_ENDPOINTS), 50);
  t.is(totals.endpointsMerged.size, 50);
  t.is(totals.latency.count, MAX_ENDPOINTS + 50);
});
