import type { Interval } from '../stats/bootstrap.ts';
import type { Histogram } from '../stats/histogram.ts';

export const PERCENTILES = [
  ['p50', 0.5],
  ['p90', 0.9],
  ['p95', 0.95],
  ['p99', 0.99],
] as const;
export type PercentileKey = (typeof PERCENTILES)[number][0];

/** Latency percentiles (ms) of one histogram, each with its 95 % order-statistic interval. */
export interface LatencySummary {
  count: number;
  meanMs: number | null;
  maxMs: number | null;
  p50Ms: number | null;
  p90Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  ci: Record<PercentileKey, Interval | null>;
}

export function summarizeLatency(histogram: Histogram): LatencySummary {
  const ci = {} as Record<PercentileKey, Interval | null>;
  const values = {} as Record<PercentileKey, number | null>;
  for (const [key, q] of PERCENTILES) {
    values[key] = histogram.quantile(q);
    ci[key] = histogram.quantileInterval(q);
  }
  return {
    count: histogram.count,
    meanMs: histogram.mean(),
    maxMs: histogram.count > 0 ? histogram.max : null,
    p50Ms: values.p50,
    p90Ms: values.p90,
    p95Ms: values.p95,
    p99Ms: values.p99,
    ci,
  };
}
