/**
 * Raw samples in k6's `--out json` line format, encoded in the worker that recorded them into one
 * growing string per batch: per sample only the time, the value and four concatenations; the metric
 * prefix and the tags' JSON are built once. Times are RFC 3339 UTC with microseconds, as are time values.
 */
import type { MetricRuntime, SampleEncoder } from '../metrics/registry.ts';
import type { TagSet } from '../metrics/tags.ts';

export class JsonLinesEncoder implements SampleEncoder {
  private text = '';
  private declared: string[] = [];
  private second = -1;
  private secondText = '';
  /** The samples of one request share their time: the last one formatted is reused. */
  private lastMs = -1;
  private lastTime = '';

  point(metric: MetricRuntime, tags: TagSet, timeMs: number, value: number): void {
    let prefix = metric.jsonPrefix;
    if (prefix === null) {
      prefix = metric.jsonPrefix = `{"metric":${JSON.stringify(metric.info.name)},"type":"Point","data":{"time":"`;
      this.declared.push(metricLine(metric));
    }
    let tagsJson = tags.jsonCache;
    if (tagsJson === null) tagsJson = tags.jsonCache = `,"tags":${JSON.stringify(tags.tags)}}}\n`;
    if (timeMs !== this.lastMs) {
      this.lastMs = timeMs;
      this.lastTime = this.time(timeMs) + '","value":';
    }
    this.text += prefix + this.lastTime + (metric.info.contains === 'time' ? formatValue(value) : String(value)) + tagsJson;
  }

  get pendingLength(): number {
    return this.text.length;
  }

  /** The batch so far and the Metric lines of metrics first seen in it (to write before it). */
  take(): { declared: string[]; text: string } | null {
    if (this.text.length === 0 && this.declared.length === 0) return null;
    const out = { declared: this.declared, text: this.text };
    this.text = '';
    this.declared = [];
    return out;
  }

  private time(ms: number): string {
    const s = Math.floor(ms / 1000);
    if (s !== this.second) {
      this.second = s;
      this.secondText = new Date(s * 1000).toISOString().slice(0, 20);
    }
    const us = Math.floor((ms - s * 1000) * 1000);
    return this.secondText + (us < 100000 ? (us < 10000 ? (us < 1000 ? (us < 100 ? (us < 10 ? '00000' : '0000') : '000') : '00') : '0') : '') + us + 'Z';
  }
}

const PAD = ['000', '00', '0', ''];

/**
 * A time value (ms) to the microsecond, formatted from integers: V8's shortest-round-trip printing of
 * arbitrary doubles is several times slower, and the clocks give no more precision than that.
 * Other metrics' values are written exactly as given.
 */
export function formatValue(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const scaled = Math.round(v * 1000);
  if (!Number.isFinite(v) || Math.abs(scaled) > 9e15) return String(v);
  const negative = scaled < 0;
  const abs = negative ? -scaled : scaled;
  const whole = Math.floor(abs / 1000);
  const frac = abs - whole * 1000;
  if (frac === 0) return (negative ? '-' : '') + whole;
  let f = String(frac);
  f = PAD[f.length] + f;
  while (f.endsWith('0')) f = f.slice(0, -1);
  return (negative ? '-' : '') + whole + '.' + f;
}

export function metricLine(metric: MetricRuntime): string {
  const { name, type, contains } = metric.info;
  return `{"type":"Metric","data":{"name":${JSON.stringify(name)},"type":"${type}","contains":"${contains}","thresholds":[],"submetrics":null},"metric":${JSON.stringify(name)}}\n`;
}
