import { DataError } from '../kernel/errors.ts';

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

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What the run recorded about a metric (the engine's `engine_metrics_info` in k6-summary.json): its
 * k6 type, its unit, which way is better, and whether the script made it. Reports read these instead
 * of knowing metric names; k6 and the old built-in generator recorded none.
 */
export interface MetricFacts {
  type: 'counter' | 'gauge' | 'rate' | 'trend';
  unit: 'time' | 'data' | 'none';
  better: 'lower' | 'higher' | 'none';
  custom: boolean;
}

const FACT_VALUES = {
  type: ['counter', 'gauge', 'rate', 'trend'],
  unit: ['time', 'data', 'none'],
  better: ['lower', 'higher', 'none'],
} as const;

/** The metric facts of a parsed k6-summary.json; entries that do not fit the shape are left out. */
export function metricFactsOf(summary: unknown): Record<string, MetricFacts> {
  const out: Record<string, MetricFacts> = {};
  const info = isRecord(summary) ? summary.engine_metrics_info : undefined;
  if (!isRecord(info)) return out;
  for (const [name, raw] of Object.entries(info)) {
    if (!isRecord(raw)) continue;
    const { type, unit, better } = raw;
    if (!(FACT_VALUES.type as readonly unknown[]).includes(type) || !(FACT_VALUES.unit as readonly unknown[]).includes(unit)) continue;
    if (!(FACT_VALUES.better as readonly unknown[]).includes(better)) continue;
    out[name] = { type, unit, better, custom: raw.custom === true } as MetricFacts;
  }
  return out;
}

/**
 * k6-summary.json's text as a K6Summary: null when there is none (missing or empty), else its
 * `metrics` checked down to each value; anything else is a DataError naming the file and the field.
 */
export function parseK6Summary(text: string | null, where: string): (K6Summary & { state?: { testRunDurationMs?: number } }) | null {
  if (text === null || text.trim() === '') return null;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new DataError(where, `not JSON (${(error as Error).message})`, { cause: error });
  }
  if (!isRecord(data)) throw new DataError(where, 'expected a JSON object with "metrics"');
  if (!isRecord(data.metrics)) throw new DataError(where, 'metrics: expected an object of metric name → values');
  for (const [name, values] of Object.entries(data.metrics)) {
    if (!isRecord(values)) throw new DataError(where, `metrics.${name}: expected an object of values`);
    for (const [key, value] of Object.entries(values))
      if (typeof value !== 'number' && typeof value !== 'boolean' && !isRecord(value))
        throw new DataError(where, `metrics.${name}.${key}: expected a number, a boolean or thresholds`);
  }
  if (data.state !== undefined && !isRecord(data.state)) throw new DataError(where, 'state: expected an object');
  return data as unknown as K6Summary & { state?: { testRunDurationMs?: number } };
}

/** One `--out json` line as a Point with a finite value, a time and string tags; null for anything else. */
export function parseK6PointLine(line: string): Extract<K6SampleLine, { type: 'Point' }> | null {
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch {
    return null;
  }
  return asK6Point(data);
}

/** A parsed `--out json` line as a Point with a finite value, a time and string tags; null for anything else. */
export function asK6Point(data: unknown): Extract<K6SampleLine, { type: 'Point' }> | null {
  if (!isRecord(data) || data.type !== 'Point' || typeof data.metric !== 'string' || !isRecord(data.data)) return null;
  const { value, time, tags } = data.data;
  if (typeof value !== 'number' || !Number.isFinite(value) || typeof time !== 'string' || Number.isNaN(Date.parse(time))) return null;
  const clean: Record<string, string> = {};
  if (isRecord(tags)) for (const [k, v] of Object.entries(tags)) if (typeof v === 'string') clean[k] = v;
  return { type: 'Point', metric: data.metric, data: { time, value, tags: clean } };
}
