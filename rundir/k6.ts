/**
 * k6's output formats, as the load generators write them into a point, and k6's exit codes, as
 * result.json's `loadExitCode` records them. The one place these are spelled.
 */

/** `k6 run`'s exit codes the harness tells apart. */
export const K6_EXIT = {
  ok: 0,
  /** Thresholds crossed: a result to record, not a crash. */
  thresholdsCrossed: 99,
  /** Bad options or scenario variables. */
  invalidConfig: 104,
  /** Stopped by a signal; the summary and samples so far were written. */
  interrupted: 105,
} as const;

/** A line of k6's `--out json` output (k6-samples.ndjson.gz). Only Point lines carry values. */
export type K6SampleLine =
  | {
      type: 'Metric';
      metric: string;
      data: { name: string; type: 'counter' | 'gauge' | 'rate' | 'trend'; contains: 'default' | 'time' | 'data'; thresholds: string[]; submetrics: null };
    }
  | { type: 'Point'; metric: string; data: { time: string; value: number; tags: Record<string, string> } };

/** k6's `--summary-export` format (k6-summary.json, what matters of it). Trend stats keys look like `p(95)`. */
export interface K6Summary {
  metrics: Record<string, Record<string, number | boolean | Record<string, boolean>>>;
  root_group?: unknown;
}
