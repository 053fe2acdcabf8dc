/**
 * Raw samples in k6's `--out json` line format, encoded in the worker that recorded them straight into
 * one byte buffer per batch: per sample the time (formatted once per request: its samples share it),
 * the value and two cached pieces are copied in, and nothing is left for the garbage collector. The
 * batch's buffer is then handed to the main thread whole (transferred, not copied). A string per batch
 * cost about 5 KB of garbage a request (14 samples, their concatenations, and the flattened string
 * posted), a third of all a request allocated, and kept the young generation full of survivors.
 * Times are RFC 3339 UTC with microseconds, as are time values.
 */
import type { MetricRuntime, SampleEncoder } from '../metrics/registry.ts';
import type { TagSet } from '../metrics/tags.ts';

/**
 * A new batch's buffer (bytes) at least; it doubles when a batch needs more, and the next batch starts
 * at the size the last one needed, with a quarter to spare (at 10,000/s a 50 ms batch is about 1.4 MB: growing to it from the
 * minimum every batch took 4 % of the worker at the start of a run).
 */
const INITIAL_BYTES = 64 * 1024;
const encoder = new TextEncoder();

/** `size` doubled until it holds `need` bytes. */
function doubled(size: number, need: number): number {
  let s = size;
  while (s < need) s *= 2;
  return s;
}

/** Written batches' buffers kept for reuse, at most. */
const SPARE_BUFFERS = 4;

export class JsonLinesEncoder implements SampleEncoder {
  private buf = new Uint8Array(INITIAL_BYTES);
  /** Buffers of batches already written, handed back (see recycle()). */
  private readonly spare: ArrayBuffer[] = [];
  private len = 0;
  private declared: string[] = [];
  private second = -1;
  private secondText = '';
  /** The samples of one request share their time: the last one formatted is reused, as bytes. */
  private lastMs = -1;
  private lastTime = new Uint8Array(0);

  point(metric: MetricRuntime, tags: TagSet, timeMs: number, value: number): void {
    let prefix = metric.jsonPrefix;
    if (prefix === null) {
      prefix = metric.jsonPrefix = encoder.encode(`{"metric":${JSON.stringify(metric.info.name)},"type":"Point","data":{"time":"`);
      this.declared.push(metricLine(metric));
    }
    let tagsJson = tags.jsonCache;
    if (tagsJson === null) tagsJson = tags.jsonCache = encoder.encode(`,"tags":${JSON.stringify(tags.tags)}}}\n`);
    if (timeMs !== this.lastMs) {
      this.lastMs = timeMs;
      this.lastTime = encoder.encode(`${this.time(timeMs)}","value":`);
    }
    const time = this.lastTime;
    const text = metric.info.contains === 'time' ? formatValue(value) : String(value);
    const need = prefix.length + time.length + text.length + tagsJson.length;
    if (this.len + need > this.buf.length) this.grow(need);
    const buf = this.buf;
    let at = this.len;
    buf.set(prefix, at);
    at += prefix.length;
    buf.set(time, at);
    at += time.length;
    // The value is ASCII: a loop beats a call into the encoder for a few bytes.
    for (let i = 0; i < text.length; i++) buf[at++] = text.charCodeAt(i);
    buf.set(tagsJson, at);
    this.len = at + tagsJson.length;
  }

  get pendingLength(): number {
    return this.len;
  }

  /**
   * The batch so far (a view of its own buffer, which the caller may transfer) and the Metric lines
   * of metrics first seen in it (to write before it).
   */
  take(): { declared: string[]; bytes: Uint8Array } | null {
    if (this.len === 0 && this.declared.length === 0) return null;
    const out = { declared: this.declared, bytes: this.buf.subarray(0, this.len) };
    this.buf = this.fresh(doubled(INITIAL_BYTES, this.len * 1.25));
    this.len = 0;
    this.declared = [];
    return out;
  }

  /**
   * Forgets the samples encoded so far (the engine's warm-up), keeping the Metric lines of the metrics
   * they declared: those metrics' later samples are not declared again.
   */
  discard(): void {
    this.len = 0;
  }

  /**
   * A written batch's buffer back, to hold a later batch. A buffer made per batch and dropped once written
   * (about 26 MB a second at 8,000 requests/s) counted as external memory of the main thread, which
   * had it collected with a full mark-compact every half second (40–90 ms each on the generator's core).
   */
  recycle(buffer: ArrayBuffer): void {
    if (this.spare.length < SPARE_BUFFERS) {
      this.spare.push(buffer);
      return;
    }
    // Full: keep the bigger ones (a batch can use a bigger buffer, not a smaller one).
    let smallest = 0;
    for (let i = 1; i < this.spare.length; i++) if ((this.spare[i] as ArrayBuffer).byteLength < (this.spare[smallest] as ArrayBuffer).byteLength) smallest = i;
    if ((this.spare[smallest] as ArrayBuffer).byteLength < buffer.byteLength) this.spare[smallest] = buffer;
  }

  /** A buffer of at least `size` bytes: a spare one if one is big enough, else a new one. */
  private fresh(size: number): Uint8Array<ArrayBuffer> {
    for (let i = this.spare.length - 1; i >= 0; i--) {
      const b = this.spare[i] as ArrayBuffer;
      if (b.byteLength >= size) {
        this.spare.splice(i, 1);
        return new Uint8Array(b);
      }
    }
    return new Uint8Array(size);
  }

  private grow(need: number): void {
    const bigger = this.fresh(doubled(this.buf.length * 2, this.len + need));
    bigger.set(this.buf.subarray(0, this.len));
    this.recycle(this.buf.buffer as ArrayBuffer);
    this.buf = bigger;
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
