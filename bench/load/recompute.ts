import type { K6SampleLine, K6Summary } from '../../rundir/k6.ts';
import { type MetricType, aggregate, parseMetricKey, thresholdHolds } from './stats.ts';

/**
 * A k6 summary computed again from raw samples (`--out json` lines): for a point several generators
 * shared, since percentiles of parts cannot be merged. Metric types come from the samples' own
 * `Metric` lines (k6 and the engine write one per metric), so no metric name is known in advance;
 * checks are rebuilt from the `checks` samples' `check` tag.
 */

interface Sample {
  value: number;
  tags: Record<string, string>;
}

type Declared = Extract<K6SampleLine, { type: 'Metric' }>['data'];

export class SampleSummary {
  private readonly samples = new Map<string, Sample[]>();
  private readonly types = new Map<string, MetricType>();
  private readonly checks = new Map<string, { passes: number; fails: number }>();

  declare(metric: Declared): void {
    if (!this.types.has(metric.name)) this.types.set(metric.name, metric.type);
  }

  add(metric: string, value: number, tags: Record<string, string>): void {
    let list = this.samples.get(metric);
    if (!list) {
      list = [];
      this.samples.set(metric, list);
    }
    list.push({ value, tags });
    if (metric === 'checks' && tags.check !== undefined) {
      const entry = this.checks.get(tags.check) ?? { passes: 0, fails: 0 };
      if (value !== 0) entry.passes++;
      else entry.fails++;
      this.checks.set(tags.check, entry);
    }
  }

  count(metric: string): number {
    return this.samples.get(metric)?.length ?? 0;
  }

  private typeOf(metric: string): MetricType {
    return this.types.get(metric) ?? 'trend';
  }

  /** The `--summary-export` document; thresholds map to `true` when crossed (k6's `LastFailed`). */
  summary(durationMs: number, statNames: string[], thresholds: Record<string, string[]>): { summary: K6Summary; thresholdsPassed: boolean } {
    const metrics: K6Summary['metrics'] = {};
    const durationS = durationMs / 1000;
    const statsFor = (key: string): Record<string, number> | undefined => {
      const { metric, tags } = parseMetricKey(key);
      const list = this.samples.get(metric);
      const type = this.typeOf(metric);
      const values = (list ?? []).filter((s) => Object.entries(tags).every(([k, v]) => s.tags[k] === v)).map((s) => s.value);
      if (!list) return type === 'trend' ? undefined : aggregate(type, [], durationS, statNames);
      const extra = (thresholds[key] ?? []).map((t) => /^\s*(p\(\d+(?:\.\d+)?\))/.exec(t)?.[1]).filter((s): s is string => Boolean(s));
      return aggregate(type, values, durationS, [...statNames, ...extra]);
    };
    for (const metric of this.samples.keys()) {
      const agg = statsFor(metric);
      if (agg) metrics[metric] = shape(this.typeOf(metric), agg, statNames);
    }
    let thresholdsPassed = true;
    for (const [key, expressions] of Object.entries(thresholds)) {
      const agg = statsFor(key);
      const crossed: Record<string, boolean> = {};
      for (const expression of expressions) {
        // A metric with no samples cannot cross a threshold on a percentile (k6 reports it as not crossed).
        const failed = agg ? !thresholdHolds(expression, agg) : false;
        crossed[expression] = failed;
        if (failed) thresholdsPassed = false;
      }
      metrics[key] = { ...(metrics[key] ?? (agg ? shape(this.typeOf(parseMetricKey(key).metric), agg, statNames) : {})), thresholds: crossed };
    }
    const checks = [...this.checks].map(([name, c]) => ({ name, path: `::${name}`, id: name, passes: c.passes, fails: c.fails }));
    return {
      summary: { metrics, root_group: { name: '', path: '', id: '', groups: [], checks }, state: { testRunDurationMs: durationMs } } as K6Summary,
      thresholdsPassed,
    };
  }
}

/** k6's summary-export field names per metric type. */
function shape(type: MetricType, agg: Record<string, number>, statNames: string[]): Record<string, number> {
  if (type === 'rate') return { passes: agg.passes ?? 0, fails: agg.fails ?? 0, value: agg.rate ?? 0 };
  if (type === 'counter') return { count: agg.count ?? 0, rate: agg.rate ?? 0 };
  if (type === 'gauge') return { value: agg.value ?? 0, min: agg.min ?? 0, max: agg.max ?? 0 };
  const out: Record<string, number> = {};
  for (const stat of statNames) if (agg[stat] !== undefined) out[stat] = agg[stat];
  return out;
}
