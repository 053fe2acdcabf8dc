/**
 * The main thread's view of every metric: worker interval reports merged into cumulative series
 * (metric × tag set) for the summary and thresholds, and into per-interval histograms for the
 * HdrHistogram log. Everything here is bounded by the number of series, never by the request count.
 */
import type { Histogram } from 'hdr-histogram-js';
import { canonicalKey } from './tags.ts';
import { decodeHistogram, newHistogram, percentileOf } from './hdr.ts';
import type { IntervalReport, SeriesReport } from './registry.ts';
import type { MetricInfo } from './types.ts';

export class CumulativeSeries {
  n = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  last = 0;
  lastMs = -Infinity;
  hist: Histogram | null = null;
  neg: Histogram | null = null;
  constructor(
    readonly metric: string,
    readonly tags: Readonly<Record<string, string>>,
    readonly key: string,
  ) {}
}

/** One series' histograms of one interval, merged over workers. */
export interface IntervalHistogram {
  metric: string;
  tags: Readonly<Record<string, string>>;
  hist: Histogram | null;
  neg: Histogram | null;
}

export class Aggregator {
  readonly metrics = new Map<string, MetricInfo>();
  /** metric → tag key → series */
  readonly series = new Map<string, Map<string, CumulativeSeries>>();
  private readonly tagSets = new Map<number, Map<number, { key: string; tags: Record<string, string> }>>();
  private readonly pending = new Map<number, { reports: number; series: Map<string, IntervalHistogram> }>();

  constructor(
    /** Reporters (workers, plus the main thread's own) that send each interval. */
    private readonly reporters: number,
    private readonly onInterval: ((index: number, histograms: IntervalHistogram[]) => void) | null = null,
  ) {}

  define(info: MetricInfo): void {
    if (!this.metrics.has(info.name)) this.metrics.set(info.name, info);
  }

  add(reporter: number, report: IntervalReport): void {
    for (const info of report.newMetrics) this.define(info);
    let sets = this.tagSets.get(reporter);
    if (!sets) {
      sets = new Map();
      this.tagSets.set(reporter, sets);
    }
    for (const t of report.newTagSets) sets.set(t.id, { key: canonicalKey(t.tags), tags: t.tags });
    let interval = this.pending.get(report.index);
    if (!interval && this.onInterval) {
      interval = { reports: 0, series: new Map() };
      this.pending.set(report.index, interval);
    }
    for (const s of report.series) {
      const set = sets.get(s.tagSet);
      if (!set) throw new Error(`interval report names unknown tag set ${s.tagSet}`);
      const merged = this.merge(s, set.key, set.tags);
      if (interval && (merged.hist || merged.neg)) {
        const id = `${s.metric}\u0000${set.key}`;
        let h = interval.series.get(id);
        if (!h) {
          h = { metric: s.metric, tags: set.tags, hist: null, neg: null };
          interval.series.set(id, h);
        }
        if (merged.hist) addInto(h, 'hist', merged.hist);
        if (merged.neg) addInto(h, 'neg', merged.neg);
      }
      merged.hist?.destroy();
      merged.neg?.destroy();
    }
    if (interval) {
      interval.reports++;
      if (interval.reports >= this.reporters) this.emitInterval(report.index);
    }
  }

  /** Writes out every interval still waiting for a reporter (the end of the run). */
  flushIntervals(): void {
    for (const index of [...this.pending.keys()].sort((a, b) => a - b)) this.emitInterval(index);
  }

  private emitInterval(index: number): void {
    const interval = this.pending.get(index);
    if (!interval) return;
    this.pending.delete(index);
    // Earlier intervals that some reporter skipped are complete by now too.
    for (const earlier of [...this.pending.keys()].filter((k) => k < index).sort((a, b) => a - b)) this.emitInterval(earlier);
    const histograms = [...interval.series.values()];
    this.onInterval?.(index, histograms);
    for (const h of histograms) {
      h.hist?.destroy();
      h.neg?.destroy();
    }
  }

  private merge(s: SeriesReport, key: string, tags: Record<string, string>): { hist: Histogram | null; neg: Histogram | null } {
    let byTags = this.series.get(s.metric);
    if (!byTags) {
      byTags = new Map();
      this.series.set(s.metric, byTags);
    }
    let c = byTags.get(key);
    if (!c) {
      c = new CumulativeSeries(s.metric, tags, key);
      byTags.set(key, c);
    }
    c.n += s.n;
    c.sum += s.sum;
    if (s.min < c.min) c.min = s.min;
    if (s.max > c.max) c.max = s.max;
    if (s.lastMs >= c.lastMs && s.n > 0) {
      c.last = s.last;
      c.lastMs = s.lastMs;
    }
    const hist = s.hist ? decodeHistogram(s.hist, true) : null;
    const neg = s.neg ? decodeHistogram(s.neg, true) : null;
    if (hist) addInto(c, 'hist', hist);
    if (neg) addInto(c, 'neg', neg);
    return { hist, neg };
  }

  /** Series of a metric whose tags include every tag of the filter (a submetric), or all of them. */
  matching(metric: string, filter: Record<string, string>): CumulativeSeries[] {
    const byTags = this.series.get(metric);
    if (!byTags) return [];
    const entries = Object.entries(filter);
    const out: CumulativeSeries[] = [];
    for (const s of byTags.values()) if (entries.every(([k, v]) => s.tags[k] === v)) out.push(s);
    return out;
  }

  /** k6's statistics of a metric or submetric; null when it has no samples. */
  stats(metric: string, filter: Record<string, string>, durationS: number, trendStats: string[]): Record<string, number> | null {
    const info = this.metrics.get(metric);
    const list = this.matching(metric, filter);
    const n = list.reduce((sum, s) => sum + s.n, 0);
    if (!info || n === 0) return null;
    const sum = list.reduce((acc, s) => acc + s.sum, 0);
    switch (info.type) {
      case 'counter':
        return { count: sum, rate: durationS > 0 ? sum / durationS : 0 };
      case 'rate':
        return { rate: sum / n, passes: sum, fails: n - sum };
      case 'gauge': {
        const last = list.reduce((a, b) => (b.lastMs > a.lastMs ? b : a));
        return { value: last.last, min: Math.min(...list.map((s) => s.min)), max: Math.max(...list.map((s) => s.max)) };
      }
      default: {
        const pos = newHistogram(64, true);
        let neg: Histogram | null = null;
        for (const s of list) {
          if (s.hist) pos.add(s.hist);
          if (s.neg) {
            neg ??= newHistogram(64, true);
            neg.add(s.neg);
          }
        }
        const min = Math.min(...list.map((s) => s.min));
        const max = Math.max(...list.map((s) => s.max));
        const out: Record<string, number> = {};
        for (const stat of trendStats) {
          if (stat === 'avg') out.avg = sum / n;
          else if (stat === 'min') out.min = min;
          else if (stat === 'max') out.max = max;
          else if (stat === 'count') out.count = n;
          else if (stat === 'med') out.med = clamp(percentileOf(pos, neg, 50), min, max);
          else {
            const m = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
            if (m) out[stat] = clamp(percentileOf(pos, neg, Number(m[1])), min, max);
          }
        }
        pos.destroy();
        (neg as Histogram | null)?.destroy();
        return out;
      }
    }
  }

  /** Samples per metric (trend: histogram counts), for the end-of-run check. */
  sampleCount(metric: string): number {
    let n = 0;
    for (const s of this.series.get(metric)?.values() ?? []) n += s.n;
    return n;
  }
}

/** HDR gives a bucket's upper edge; never report beyond the exact min and max. */
function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** Adds `h` into `holder[field]`, creating that histogram first. */
function addInto<K extends string>(holder: { [k in K]: Histogram | null }, field: K, h: Histogram): void {
  holder[field] ??= newHistogram(64, true);
  (holder[field] as Histogram).add(h);
}
