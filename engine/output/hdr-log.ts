/**
 * The run's HdrHistogram interval log (the format of HdrHistogram's HistogramLogWriter, read by
 * HistogramLogProcessor, HdrHistogramVisualizer and wrk2-era tools): one line per series and interval,
 * tagged `metric?tag=value&…` (URL-encoded, so no commas). Values are value × 1000: microseconds for
 * time metrics; the Interval_Max column is divided back (milliseconds). Negative values of a custom
 * trend go to lines tagged with `__sign=negative`, as magnitudes.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { HistogramLogWriter } from 'hdr-histogram-js';
import type { IntervalHistogram } from '../metrics/aggregate.ts';
import { VALUE_SCALE } from '../metrics/hdr.ts';

export function seriesTag(metric: string, tags: Readonly<Record<string, string>>, negative = false): string {
  const params = new URLSearchParams();
  for (const k of Object.keys(tags).sort()) params.append(k, tags[k] ?? '');
  if (negative) params.append('__sign', 'negative');
  const query = params.toString();
  return query ? `${encodeURIComponent(metric)}?${query}` : encodeURIComponent(metric);
}

export function parseSeriesTag(tag: string): { metric: string; tags: Record<string, string>; negative: boolean } {
  const q = tag.indexOf('?');
  const metric = decodeURIComponent(q < 0 ? tag : tag.slice(0, q));
  const tags: Record<string, string> = {};
  let negative = false;
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(tag.slice(q + 1))) {
      if (k === '__sign') negative = v === 'negative';
      else tags[k] = v;
    }
  }
  return { metric, tags, negative };
}

export class HdrLog {
  private readonly file: WriteStream;
  private readonly writer: HistogramLogWriter;
  private error: Error | null = null;
  lines = 0;

  constructor(
    readonly path: string,
    private readonly startMs: number,
    private readonly intervalMs: number,
    header: string[],
  ) {
    this.file = createWriteStream(path);
    this.file.on('error', (e) => (this.error ??= e));
    this.writer = new HistogramLogWriter((text) => {
      this.file.write(text);
    });
    for (const line of header) this.writer.outputComment(line);
    this.writer.outputLogFormatVersion();
    this.file.write(`#[StartTime: ${(startMs / 1000).toFixed(3)} (seconds since epoch), ${new Date(startMs).toISOString()}]\n`);
    this.file.write(`#[BaseTime: ${(startMs / 1000).toFixed(3)} (seconds since epoch)]\n`);
    this.writer.outputLegend();
  }

  /** One interval's histograms; `endMs` cuts the last interval short at the end of the run. */
  write(index: number, histograms: IntervalHistogram[], endMs?: number): void {
    const startS = (index * this.intervalMs) / 1000;
    const endS = endMs !== undefined ? Math.max(startS, (endMs - this.startMs) / 1000) : ((index + 1) * this.intervalMs) / 1000;
    for (const h of histograms.sort((a, b) => (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0))) {
      if (h.hist && h.hist.totalCount > 0) {
        h.hist.tag = seriesTag(h.metric, h.tags);
        this.writer.outputIntervalHistogram(h.hist, startS, endS, VALUE_SCALE);
        this.lines++;
      }
      if (h.neg && h.neg.totalCount > 0) {
        h.neg.tag = seriesTag(h.metric, h.tags, true);
        this.writer.outputIntervalHistogram(h.neg, startS, endS, VALUE_SCALE);
        this.lines++;
      }
    }
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.file.once('close', () => (this.error ? reject(this.error) : resolve()));
      this.file.end();
    });
  }
}
