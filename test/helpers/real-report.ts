/**
 * The report of a real run, checked against the run's own raw data: every point's numbers in
 * summary.json are recomputed here from its k6-samples.ndjson.gz (k6's `--out json` lines), and the
 * HTML's points table shows them. The synthetic run directories of the unit tests cannot catch a
 * drift between what the pipeline writes and what the report reads; this can.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ExecutionContext } from 'ava';
import type { PointRow } from '../../reports/model/run-model.ts';

interface SampleLine {
  type: string;
  metric: string;
  data: { value: number; tags?: Record<string, string> };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

/** Within the report's histogram precision (HdrHistogram, 3 significant digits: 0.1 %, and 1 µs). */
function close(t: ExecutionContext, actual: number | null, expected: number, what: string): void {
  t.true(actual !== null && Math.abs(actual - expected) <= expected * 0.002 + 0.002, `${what}: report ${actual}, raw samples ${expected}`);
}

export interface RealReportExpectation {
  /** Point ids, in order. */
  points: string[];
  rateRps: number;
  durationS: number;
}

/** Returns the checked summary rows. */
export async function checkRealReport(t: ExecutionContext, runDir: string, expected: RealReportExpectation): Promise<PointRow[]> {
  const summary = JSON.parse(await readFile(join(runDir, 'summary.json'), 'utf8')) as {
    runId: string;
    status: string;
    endedAt: string | null;
    points: PointRow[];
  };
  const html = await readFile(join(runDir, 'report.html'), 'utf8');
  t.true(runDir.endsWith(summary.runId), `${runDir}: runId ${summary.runId}`);
  // The report is written after the run's status: it says what the manifest says, never "running".
  const manifest = JSON.parse(await readFile(join(runDir, 'manifest.json'), 'utf8')) as { status: string; endedAt: string | null };
  t.is(summary.status, manifest.status);
  t.not(summary.status, 'running');
  t.is(summary.endedAt, manifest.endedAt);
  t.deepEqual(
    summary.points.map((p) => p.pointId),
    expected.points,
  );
  for (const row of summary.points) {
    const lines = gunzipSync(await readFile(join(runDir, 'points', row.pointId, 'k6-samples.ndjson.gz')))
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as SampleLine)
      .filter((l) => l.type === 'Point');
    const main = (l: SampleLine) => l.data.tags?.scenario !== 'probe';
    const requests = lines.filter((l) => l.metric === 'http_reqs');
    const failed = lines.filter((l) => l.metric === 'http_req_failed' && l.data.value === 1);
    const iterations = lines.filter((l) => l.metric === 'iterations' && main(l));
    const okDurations = lines
      .filter((l) => l.metric === 'http_req_duration' && main(l) && l.data.tags?.expected_response !== 'false')
      .map((l) => l.data.value)
      .sort((a, b) => a - b);
    t.true(okDurations.length > 0, `${row.pointId}: raw samples`);
    t.is(row.targetRps, expected.rateRps, `${row.pointId}: target rate`);
    t.is(row.requests, requests.length, `${row.pointId}: requests`);
    t.is(row.failed, failed.length, `${row.pointId}: failed`);
    t.is(row.achievedRps, iterations.length / expected.durationS, `${row.pointId}: main-load iterations over the window`);
    t.is(row.latency.count, okDurations.length, `${row.pointId}: latency count`);
    // An engine point's percentiles and max come from its HdrHistogram log (3 significant digits).
    close(t, row.latency.maxMs, okDurations.at(-1) ?? Number.NaN, `${row.pointId}: max`);
    close(t, row.latency.meanMs, okDurations.reduce((a, b) => a + b, 0) / okDurations.length, `${row.pointId}: mean`);
    close(t, row.latency.p50Ms, percentile(okDurations, 0.5), `${row.pointId}: p50`);
    close(t, row.latency.p95Ms, percentile(okDurations, 0.95), `${row.pointId}: p95`);
    close(t, row.latency.p99Ms, percentile(okDurations, 0.99), `${row.pointId}: p99`);
    // The HTML's points table: the row of this point with its rate, requests and p95.
    const tr = html.match(new RegExp(`<tr><td>${row.pointId}</td>.*?</tr>`))?.[0] ?? '';
    const cells = [...tr.matchAll(/<td>(.*?)<\/td>/g)].map((m) => m[1] ?? '');
    t.is(cells[3], expected.rateRps.toFixed(1), `${row.pointId}: HTML target`);
    t.is(cells[4], (iterations.length / expected.durationS).toFixed(1), `${row.pointId}: HTML achieved`);
    t.is(cells[5], String(requests.length), `${row.pointId}: HTML requests`);
    t.regex(cells[11] ?? '', new RegExp(`^${(row.latency.p95Ms ?? Number.NaN).toFixed(1)}\\b`), `${row.pointId}: HTML p95`);
  }
  return summary.points;
}
