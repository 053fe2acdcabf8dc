/** Aggregates and thresholds in k6's vocabulary (`p(95)`, `med`, `rate`, `count`), pure: the summary of a point several generators shared is computed again from their samples (recompute.ts). */

import { parseThresholdExpression, thresholdHolds as holds } from '../../engine/options/thresholds.ts';

/** Percentile by linear interpolation between closest ranks, as k6 computes it. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo] ?? 0;
  const b = sorted[hi] ?? a;
  return a + (b - a) * (rank - lo);
}

export function trendStats(values: readonly number[], statNames: readonly string[]): Record<string, number> {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((s, v) => s + v, 0);
  const out: Record<string, number> = {};
  for (const stat of statNames) {
    const p = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
    if (p) out[stat] = percentile(sorted, Number(p[1]));
    else if (stat === 'avg') out[stat] = sorted.length ? sum / sorted.length : 0;
    else if (stat === 'min') out[stat] = sorted[0] ?? 0;
    else if (stat === 'max') out[stat] = sorted[sorted.length - 1] ?? 0;
    else if (stat === 'med') out[stat] = percentile(sorted, 50);
    else if (stat === 'count') out[stat] = sorted.length;
  }
  return out;
}

export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';

/** What a threshold can refer to, per metric type (k6: counter count/rate, rate rate, trend stats). */
export function aggregate(type: MetricType, values: readonly number[], durationS: number, statNames: readonly string[]): Record<string, number> {
  if (type === 'counter') {
    const count = values.reduce((s, v) => s + v, 0);
    return { count, rate: durationS > 0 ? count / durationS : 0 };
  }
  if (type === 'rate') {
    const passes = values.filter((v) => v !== 0).length;
    return { passes, fails: values.length - passes, rate: values.length ? passes / values.length : 0 };
  }
  if (type === 'gauge') {
    const value = values[values.length - 1] ?? 0;
    return { value, min: Math.min(...values, value), max: Math.max(...values, value) };
  }
  return trendStats(values, [...new Set([...statNames, 'avg', 'min', 'med', 'max', 'count'])]);
}

/** `p(95)<500`, `rate<0.01`, `count>0`, `max>=0`: true when the threshold holds (the engine's parser and comparison). */
export function thresholdHolds(expression: string, agg: Record<string, number>): boolean {
  const parsed = parseThresholdExpression(expression);
  const lhs = agg[parsed.stat];
  if (lhs === undefined) throw new Error(`threshold "${expression}" refers to "${parsed.stat}", which this metric does not have`);
  return holds(parsed, lhs);
}

/** `http_req_duration{name:item-types,method:GET}` → metric and tag filter. */
export function parseMetricKey(key: string): { metric: string; tags: Record<string, string> } {
  const m = /^([^{]+)(?:\{(.*)\})?$/.exec(key.trim());
  const tags: Record<string, string> = {};
  for (const pair of (m?.[2] ?? '').split(',').filter(Boolean)) {
    const i = pair.indexOf(':');
    if (i > 0) tags[pair.slice(0, i).trim()] = pair.slice(i + 1).trim();
  }
  return { metric: (m?.[1] ?? key).trim(), tags };
}
