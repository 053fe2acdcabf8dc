/**
 * The end-of-run agreement check: the summary export, the HdrHistogram log and the raw samples must
 * count the same samples for every metric (trends: samples = histogram counts = JSON points;
 * counters: count = sum of points; rates: passes and fails = non-zero and zero points). Streams the
 * files; holds only per-metric totals.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { decodeHistogram } from '../metrics/hdr.ts';
import { parseSeriesTag } from './hdr-log.ts';
import type { SummaryExport } from './summary-export.ts';

export interface VerifyInput {
  summaryExport: string;
  hdrLog?: string | null;
  samples?: string | null;
}

export interface VerifyResult {
  ok: boolean;
  problems: string[];
  /** metric → samples counted in each file. */
  counts: Record<string, { summary: number; hdr: number | null; samples: number | null }>;
}

export async function verifyRunOutputs(input: VerifyInput): Promise<VerifyResult> {
  const summary = JSON.parse(await readFile(input.summaryExport, 'utf8')) as SummaryExport & { engine?: { samples?: Record<string, number> } };
  const samplesBySummary = summary.engine?.samples ?? {};
  const problems: string[] = [];
  const counts: VerifyResult['counts'] = {};
  const hdr = input.hdrLog ? await hdrCounts(input.hdrLog) : null;
  const raw = input.samples ? await rawCounts(input.samples) : null;
  const names = new Set([...Object.keys(samplesBySummary), ...Object.keys(hdr ?? {}), ...Object.keys(raw?.points ?? {})]);
  for (const name of [...names].sort()) {
    const info = summary.engine_metrics_info?.[name];
    const n = samplesBySummary[name] ?? 0;
    counts[name] = { summary: n, hdr: null, samples: null };
    if (raw) {
      const points = raw.points[name] ?? 0;
      counts[name].samples = points;
      if (points !== n) problems.push(`${name}: the summary counts ${n} samples, the raw samples ${points}`);
      const fields = summary.metrics[name] as Record<string, unknown> | undefined;
      if (
        info?.type === 'counter' &&
        fields &&
        typeof fields.count === 'number' &&
        Math.abs(fields.count - (raw.sums[name] ?? 0)) > 1e-6 * Math.max(1, fields.count)
      ) {
        problems.push(`${name}: the summary's count is ${fields.count}, the raw samples add up to ${raw.sums[name] ?? 0}`);
      }
      if (info?.type === 'rate' && fields && typeof fields.passes === 'number' && fields.passes !== (raw.nonzero[name] ?? 0)) {
        problems.push(`${name}: the summary has ${fields.passes} non-zero samples, the raw samples ${raw.nonzero[name] ?? 0}`);
      }
    }
    if (hdr && info?.type === 'trend') {
      const h = hdr[name] ?? 0;
      counts[name].hdr = h;
      if (h !== n) problems.push(`${name}: the summary counts ${n} samples, the histogram log ${h}`);
    }
  }
  return { ok: problems.length === 0, problems, counts };
}

async function hdrCounts(path: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.startsWith('Tag=')) continue;
    const comma = line.indexOf(',');
    const { metric } = parseSeriesTag(line.slice(4, comma));
    const encoded = line.slice(line.lastIndexOf(',') + 1);
    out[metric] = (out[metric] ?? 0) + decodeHistogram(encoded).totalCount;
  }
  return out;
}

async function rawCounts(path: string): Promise<{ points: Record<string, number>; sums: Record<string, number>; nonzero: Record<string, number> }> {
  const points: Record<string, number> = {};
  const sums: Record<string, number> = {};
  const nonzero: Record<string, number> = {};
  const stream = createReadStream(path);
  const lines = createInterface({ input: path.endsWith('.gz') ? stream.pipe(createGunzip()) : stream, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === '') continue;
    const row = JSON.parse(line) as { type: string; metric: string; data: { value: number } };
    if (row.type !== 'Point') continue;
    points[row.metric] = (points[row.metric] ?? 0) + 1;
    sums[row.metric] = (sums[row.metric] ?? 0) + row.data.value;
    if (row.data.value !== 0) nonzero[row.metric] = (nonzero[row.metric] ?? 0) + 1;
  }
  return { points, sums, nonzero };
}
