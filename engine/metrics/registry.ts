/**
 * A worker thread's metrics: one series per metric × tag set, aggregated per interval (counters
 * and rates as sums, gauges as last/min/max, trends as HDR histograms with exact min/max/sum), then
 * handed to the main thread and reset. Nothing per sample is kept: memory grows with the number of
 * series, not with the number of requests. Every sample can also go to raw-sample encoders.
 */
import type { Histogram } from 'hdr-histogram-js';
import { encodeHistogram, newHistogram, VALUE_SCALE } from './hdr.ts';
import { MAX_TAG_SETS, TagInterner, type TagSet } from './tags.ts';
import type { MetricInfo } from './types.ts';

export interface SampleEncoder {
  point(metric: MetricRuntime, tags: TagSet, timeMs: number, value: number): void;
}

export class MetricRuntime {
  constructor(
    readonly index: number,
    readonly info: MetricInfo,
  ) {}
  /** JSON encoder's cache of the line prefix (UTF-8). */
  jsonPrefix: Uint8Array | null = null;
  influxName: string | null = null;
}

/** One series' aggregate over an interval, as sent to the main thread. */
export interface SeriesReport {
  metric: string;
  tagSet: number;
  /** Number of samples. */
  n: number;
  /** counter: sum of values; rate: number of non-zero values; trend: sum of values. */
  sum: number;
  min: number;
  max: number;
  /** gauge: last value and its time. */
  last: number;
  lastMs: number;
  /** trend: compressed HDR histogram of value × 1000 (and of negative values' magnitudes). */
  hist: string | null;
  neg: string | null;
}

export interface IntervalReport {
  index: number;
  newMetrics: MetricInfo[];
  newTagSets: { id: number; tags: Record<string, string> }[];
  series: SeriesReport[];
}

class Series {
  n = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  last = 0;
  lastMs = 0;
  hist: Histogram | null = null;
  neg: Histogram | null = null;
  constructor(
    readonly metric: MetricRuntime,
    readonly tags: TagSet,
  ) {}

  clear(): void {
    this.n = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.hist?.reset();
    this.neg?.reset();
  }
}

export class Registry {
  readonly tags: TagInterner;
  private readonly byName = new Map<string, MetricRuntime>();
  private readonly metrics: MetricRuntime[] = [];
  private freshMetrics: MetricInfo[] = [];
  private touched: Series[] = [];
  private interval = 0;
  encoders: SampleEncoder[] = [];
  /** Samples recorded in total, per metric name (for the end-of-run count check). */
  readonly sampleCounts = new Map<string, number>();

  constructor(warn: (message: string) => void = () => {}) {
    this.tags = new TagInterner(() =>
      warn(
        `more than ${MAX_TAG_SETS} distinct tag sets: further ones are counted under the tag overflow=true (tag requests with a fixed name, e.g. params.tags.name or http.url\`…\`, rather than by raw URL)`,
      ),
    );
  }

  define(info: MetricInfo): MetricRuntime {
    const existing = this.byName.get(info.name);
    if (existing) {
      if (existing.info.type !== info.type) throw new Error(`metric "${info.name}" is already a ${existing.info.type}; it cannot also be a ${info.type}`);
      return existing;
    }
    const m = new MetricRuntime(this.metrics.length, info);
    this.metrics.push(m);
    this.byName.set(info.name, m);
    this.freshMetrics.push(info);
    return m;
  }

  get(name: string): MetricRuntime | undefined {
    return this.byName.get(name);
  }

  record(metric: MetricRuntime, tags: TagSet, value: number, timeMs: number): void {
    let s = tags.series[metric.index] as Series | undefined;
    if (!s) {
      s = new Series(metric, tags);
      tags.series[metric.index] = s;
    }
    if (s.n === 0) this.touched.push(s);
    s.n++;
    switch (metric.info.type) {
      case 'counter':
        s.sum += value;
        break;
      case 'rate':
        if (value !== 0) s.sum++;
        break;
      case 'gauge':
        s.last = value;
        s.lastMs = timeMs;
        if (value < s.min) s.min = value;
        if (value > s.max) s.max = value;
        break;
      default: {
        s.sum += value;
        if (value < s.min) s.min = value;
        if (value > s.max) s.max = value;
        if (value >= 0) {
          if (!s.hist) s.hist = newHistogram();
          s.hist.recordValue(Math.round(value * VALUE_SCALE));
        } else {
          if (!s.neg) s.neg = newHistogram();
          s.neg.recordValue(Math.round(-value * VALUE_SCALE));
        }
      }
    }
    for (let i = 0; i < this.encoders.length; i++) this.encoders[i]?.point(metric, tags, timeMs, value);
  }

  /**
   * Forgets the samples recorded since the last interval (the engine's warm-up ran through this
   * registry): neither reported nor counted. Metrics and tag sets made meanwhile stay.
   */
  discardInterval(): void {
    for (const s of this.touched) s.clear();
    this.touched = [];
  }

  /** The interval's aggregates; series are reset for the next one. */
  takeInterval(): IntervalReport {
    const series: SeriesReport[] = [];
    for (const s of this.touched) {
      const name = s.metric.info.name;
      this.sampleCounts.set(name, (this.sampleCounts.get(name) ?? 0) + s.n);
      series.push({
        metric: name,
        tagSet: s.tags.id,
        n: s.n,
        sum: s.sum,
        min: s.min,
        max: s.max,
        last: s.last,
        lastMs: s.lastMs,
        hist: s.hist && s.hist.totalCount > 0 ? encodeHistogram(s.hist) : null,
        neg: s.neg && s.neg.totalCount > 0 ? encodeHistogram(s.neg) : null,
      });
      s.clear();
    }
    this.touched = [];
    const newMetrics = this.freshMetrics;
    this.freshMetrics = [];
    return {
      index: this.interval++,
      newMetrics,
      newTagSets: this.tags.takeNew().map((t) => ({ id: t.id, tags: { ...t.tags } })),
      series,
    };
  }
}
