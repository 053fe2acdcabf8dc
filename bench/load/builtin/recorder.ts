import { createWriteStream, type WriteStream } from 'node:fs';
import { createGzip, type Gzip } from 'node:zlib';
import type { K6SampleLine, K6Summary } from '../../../rundir/k6.ts';
import { type MetricType, aggregate, parseMetricKey, thresholdHolds } from './stats.ts';

/**
 * Keeps every sample of a built-in run: streams them to `--out json` (k6's line format, gzip when
 * the name ends in .gz) and aggregates them into a `--summary-export` document at the end.
 */

interface Sample {
  value: number;
  tags: Record<string, string>;
}

export const METRIC_TYPES: Record<string, { type: MetricType; contains: 'default' | 'time' }> = {
  http_reqs: { type: 'counter', contains: 'default' },
  http_req_duration: { type: 'trend', contains: 'time' },
  http_req_failed: { type: 'rate', contains: 'default' },
  checks: { type: 'rate', contains: 'default' },
  iterations: { type: 'counter', contains: 'default' },
  iteration_duration: { type: 'trend', contains: 'time' },
  dropped_iterations: { type: 'counter', contains: 'default' },
  order_fulfilled_ms: { type: 'trend', contains: 'time' },
  probe_timeouts: { type: 'counter', contains: 'default' },
};

export class Recorder {
  private readonly samples = new Map<string, Sample[]>();
  private readonly out: { file: WriteStream; gzip: Gzip | null } | null;
  private readonly declared = new Set<string>();
  readonly checks = new Map<string, { passes: number; fails: number }>();

  constructor(
    outPath: string | null,
    private readonly globalTags: Record<string, string>,
  ) {
    if (!outPath) this.out = null;
    else {
      const file = createWriteStream(outPath);
      const gzip = outPath.endsWith('.gz') ? createGzip({ level: 6 }) : null;
      if (gzip) gzip.pipe(file);
      this.out = { file, gzip };
    }
  }

  private write(line: K6SampleLine): void {
    if (!this.out) return;
    const text = `${JSON.stringify(line)}\n`;
    if (this.out.gzip) this.out.gzip.write(text);
    else this.out.file.write(text);
  }

  add(metric: string, value: number, tags: Record<string, string>, time: Date = new Date()): void {
    const all = { ...this.globalTags, ...tags };
    let list = this.samples.get(metric);
    if (!list) {
      list = [];
      this.samples.set(metric, list);
    }
    list.push({ value, tags: all });
    if (!this.declared.has(metric)) {
      this.declared.add(metric);
      const kind = METRIC_TYPES[metric] ?? { type: 'trend', contains: 'default' };
      this.write({ type: 'Metric', metric, data: { name: metric, type: kind.type, contains: kind.contains, thresholds: [], submetrics: null } });
    }
    this.write({ type: 'Point', metric, data: { time: time.toISOString(), value, tags: all } });
  }

  check(name: string, ok: boolean, tags: Record<string, string>): void {
    const entry = this.checks.get(name) ?? { passes: 0, fails: 0 };
    if (ok) entry.passes++;
    else entry.fails++;
    this.checks.set(name, entry);
    this.add('checks', ok ? 1 : 0, { ...tags, check: name });
  }

  count(metric: string): number {
    return this.samples.get(metric)?.length ?? 0;
  }

  async close(): Promise<void> {
    const out = this.out;
    if (!out) return;
    await new Promise<void>((resolve, reject) => {
      out.file.once('error', reject);
      out.file.once('close', () => resolve());
      if (out.gzip) out.gzip.end();
      else out.file.end();
    });
  }

  /** The `--summary-export` document; thresholds map to `true` when crossed (k6's `LastFailed`). */
  summary(durationMs: number, statNames: string[], thresholds: Record<string, string[]>): { summary: K6Summary; thresholdsPassed: boolean } {
    const metrics: K6Summary['metrics'] = {};
    const durationS = durationMs / 1000;
    const statsFor = (key: string): Record<string, number> | undefined => {
      const { metric, tags } = parseMetricKey(key);
      const list = this.samples.get(metric);
      const type = METRIC_TYPES[metric]?.type ?? 'trend';
      const values = (list ?? []).filter((s) => Object.entries(tags).every(([k, v]) => s.tags[k] === v)).map((s) => s.value);
      if (!list) return type === 'trend' ? undefined : aggregate(type, [], durationS, statNames);
      const extra = (thresholds[key] ?? []).map((t) => /^\s*(p\(\d+(?:\.\d+)?\))/.exec(t)?.[1]).filter((s): s is string => Boolean(s));
      return aggregate(type, values, durationS, [...statNames, ...extra]);
    };
    for (const metric of this.samples.keys()) {
      const agg = statsFor(metric);
      if (agg) metrics[metric] = shape(METRIC_TYPES[metric]?.type ?? 'trend', agg, statNames);
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
      const type = METRIC_TYPES[parseMetricKey(key).metric]?.type ?? 'trend';
      metrics[key] = { ...(metrics[key] ?? (agg ? shape(type, agg, statNames) : {})), thresholds: crossed };
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
