import { readFile } from 'node:fs/promises';
import { parseK6Summary } from '../../rundir/k6.ts';

/**
 * "The generator could not keep up": a point whose arrival-rate iterations were dropped (no free VU
 * at their start time), started late (the engine's iteration_start_lag past LAG_LIMIT_MS at p99), or
 * started later and later (the lag's per-interval maximum in the histogram log growing from the first
 * third of the window to the last). Such a point measures the generator as much as the target. Pure
 * on the files' text; a run by k6 (no start lag, no log) is judged by its dropped iterations alone.
 */

export const LAG_LIMIT_MS = 10;

/** Per-interval maxima of iteration_start_lag (ms) in a histogram log, in time order. */
export function lagMaxima(hlog: string): number[] {
  const byStart = new Map<number, number>();
  for (const line of hlog.split('\n')) {
    const match = /^Tag=([^,?]*)(?:\?[^,]*)?,([\d.]+),[\d.]+,([\d.]+),/.exec(line);
    if (!match || decodeURIComponent(match[1]!) !== 'iteration_start_lag') continue;
    const start = Number(match[2]);
    byStart.set(start, Math.max(byStart.get(start) ?? 0, Number(match[3])));
  }
  return [...byStart].sort((a, b) => a[0] - b[0]).map(([, max]) => max);
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

/** Why the generator fell behind, one reason each; empty when it kept up. */
export function behindReasons(summaryText: string | null, hlog: string | null): string[] {
  const reasons: string[] = [];
  let summary: ReturnType<typeof parseK6Summary> = null;
  try {
    summary = parseK6Summary(summaryText, 'k6-summary.json');
  } catch {
    summary = null;
  }
  const dropped = summary?.metrics.dropped_iterations?.count;
  if (typeof dropped === 'number' && dropped > 0) reasons.push(`${dropped} iteration(s) dropped (no free VU at their start time)`);
  const lag = summary?.metrics.iteration_start_lag;
  const p99 = lag?.['p(99)'] ?? lag?.['p(95)'];
  if (typeof p99 === 'number' && p99 > LAG_LIMIT_MS) reasons.push(`iterations started ${p99.toFixed(1)} ms late at ${'p(99)' in (lag ?? {}) ? 'p99' : 'p95'}`);
  const maxima = hlog ? lagMaxima(hlog) : [];
  if (maxima.length >= 3) {
    const third = Math.floor(maxima.length / 3);
    const first = mean(maxima.slice(0, third));
    const last = mean(maxima.slice(-third));
    if (last > LAG_LIMIT_MS && last > 2 * first) reasons.push(`the start lag grew from ${first.toFixed(1)} ms to ${last.toFixed(1)} ms over the window`);
  }
  return reasons;
}

/** The flag's message for a point's files, or null when the generator kept up. */
export async function generatorBehind(summaryPath: string, hlogPath: string): Promise<string | null> {
  const [summary, hlog] = await Promise.all([readFile(summaryPath, 'utf8').catch(() => null), readFile(hlogPath, 'utf8').catch(() => null)]);
  const reasons = behindReasons(summary, hlog);
  return reasons.length > 0 ? `the generator could not keep up: ${reasons.join('; ')}` : null;
}
