/**
 * The fast reader of k6 `--out json` bytes. The layouts writers actually produce are read straight
 * from the decompressed bytes, with no decoding and no per-line strings; only tag values the report
 * keeps become strings, interned because a run has few distinct ones:
 *   A  {"type":"Point","data":{"time":…,"value":…,"tags":{…}},"metric":"…"}   k6 before v0.50
 *   B  {"type":"Point","metric":"…","data":{"time":…,"value":…,"tags":{…}}}   the built-in generator
 *   C  {"metric":"…","type":"Point","data":{"time":…,"value":…,"tags":{…}…}}  current k6
 * Any other line (another order, an escape, tags: null) goes to the string reader in k6-line.ts,
 * which falls back to JSON.parse, so this file changes speed, never answers.
 */
import { METRICS_READ, TimeParser, clearTags, readSampleLine, type SampleFields } from './k6-line.ts';

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const HEAD_A = ascii('{"type":"Point","data":{"time":"');
const HEAD_B = ascii('{"type":"Point","metric":"');
const AFTER_NAME_B = ascii('","data":{"time":"');
const HEAD_C = ascii('{"metric":"');
const AFTER_NAME_C = ascii('","type":"Point","data":{"time":"');
const AFTER_NAME_C_DECLARATION = ascii('","type":"Metric"');
const HEAD_DECLARATION = ascii('{"type":"Metric"');
const VALUE = ascii('","value":');
const TAGS = ascii(',"tags":{');
const METRIC = ascii('"metric":"');
const QUOTE = 34;
const COMMA = 44;
const CLOSE_BRACE = 125;
const COLON = 58;
const BACKSLASH = 92;
const NEWLINE = 10;

const READ_METRICS = [...METRICS_READ].map((name) => ({ name, bytes: ascii(name) }));
const TAG_KEYS = [
  ['name', 'name'],
  ['status', 'status'],
  ['check', 'check'],
  ['scenario', 'scenario'],
  ['expected_response', 'expectedResponse'],
  ['phase', 'phase'],
] as const;
const TAG_KEY_BYTES = TAG_KEYS.map(([key, field]) => ({ bytes: ascii(key), field }));

function matches(buf: Uint8Array, at: number, bytes: Uint8Array): boolean {
  if (at < 0 || at + bytes.length > buf.length) return false;
  for (let i = 0; i < bytes.length; i++) if (buf[at + i] !== bytes[i]) return false;
  return true;
}

function indexOfByte(buf: Uint8Array, byte: number, from: number, to: number): number {
  for (let i = from; i < to; i++) if (buf[i] === byte) return i;
  return -1;
}

/** Interned strings of ASCII tag values, keyed by an FNV-1a hash of their bytes. */
class Interner {
  private readonly table = new Map<number, string[]>();

  get(buf: Buffer, start: number, end: number): string {
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i++) {
      const b = buf[i]!;
      if (b >= 128) return buf.toString('utf8', start, end);
      hash = Math.imul(hash ^ b, 0x01000193);
    }
    const bucket = this.table.get(hash);
    if (bucket) {
      outer: for (const candidate of bucket) {
        if (candidate.length !== end - start) continue;
        for (let i = 0; i < candidate.length; i++) if (candidate.charCodeAt(i) !== buf[start + i]) continue outer;
        return candidate;
      }
    }
    const text = buf.toString('latin1', start, end);
    if (bucket) {
      if (bucket.length < 8) bucket.push(text);
    } else if (this.table.size < 10_000) this.table.set(hash, [text]);
    return text;
  }
}

export type LineOutcome = 'point' | 'skip' | 'bad';

export class K6ByteReader {
  private readonly times = new TimeParser();
  private readonly strings = new Interner();
  private nextBackslash = -1;
  private backslashBuffer: Buffer | null = null;

  constructor(
    private readonly out: SampleFields,
    private readonly onLine: (outcome: LineOutcome, sample: SampleFields) => void,
  ) {}

  /** Reads every complete line of buf[start, end); returns where the unfinished last line starts. */
  lines(buf: Buffer, start = 0, end = buf.length): number {
    let lineStart = start;
    for (;;) {
      const newline = buf.indexOf(NEWLINE, lineStart);
      if (newline < 0 || newline >= end) return lineStart;
      if (newline > lineStart) this.onLine(this.line(buf, lineStart, newline), this.out);
      lineStart = newline + 1;
    }
  }

  /** One line buf[s, e) without its newline. */
  line(buf: Buffer, s: number, e: number): LineOutcome {
    let last = e;
    if (buf[last - 1] === 13) last--; // CRLF
    if (matches(buf, s, HEAD_DECLARATION)) return 'skip';
    let nameStart: number;
    let nameEnd: number;
    let timeStart: number;
    if (matches(buf, s, HEAD_A)) {
      // The metric comes last: `"metric":"<name>"}`.
      if (buf[last - 1] !== CLOSE_BRACE || buf[last - 2] !== QUOTE) return this.slow(buf, s, e);
      nameEnd = last - 2;
      nameStart = nameEnd;
      while (nameStart > s && buf[nameStart - 1] !== QUOTE) nameStart--;
      if (!matches(buf, nameStart - METRIC.length, METRIC)) return this.slow(buf, s, e);
      timeStart = s + HEAD_A.length;
    } else if (matches(buf, s, HEAD_B)) {
      nameStart = s + HEAD_B.length;
      nameEnd = indexOfByte(buf, QUOTE, nameStart, last);
      if (nameEnd < 0 || !matches(buf, nameEnd, AFTER_NAME_B)) return this.slow(buf, s, e);
      timeStart = nameEnd + AFTER_NAME_B.length;
    } else if (matches(buf, s, HEAD_C)) {
      nameStart = s + HEAD_C.length;
      nameEnd = indexOfByte(buf, QUOTE, nameStart, last);
      if (nameEnd < 0) return this.slow(buf, s, e);
      if (matches(buf, nameEnd, AFTER_NAME_C_DECLARATION)) return 'skip';
      if (!matches(buf, nameEnd, AFTER_NAME_C)) return this.slow(buf, s, e);
      timeStart = nameEnd + AFTER_NAME_C.length;
    } else return this.slow(buf, s, e);
    let metric: string | null = null;
    for (const candidate of READ_METRICS) {
      if (candidate.bytes.length === nameEnd - nameStart && matches(buf, nameStart, candidate.bytes)) {
        metric = candidate.name;
        break;
      }
    }
    // Metric names are identifiers (no quotes), so this is the line's metric: not one reports use.
    if (metric === null) return 'skip';
    if (this.hasBackslash(buf, s, e)) return this.slow(buf, s, e);
    const timeEnd = indexOfByte(buf, QUOTE, timeStart, last);
    if (timeEnd < 0 || !matches(buf, timeEnd, VALUE)) return this.slow(buf, s, e);
    const valueStart = timeEnd + VALUE.length;
    const valueEnd = indexOfByte(buf, COMMA, valueStart, last);
    if (valueEnd < 0 || !matches(buf, valueEnd, TAGS)) return this.slow(buf, s, e);
    const value = readNumber(buf, valueStart, valueEnd);
    if (Number.isNaN(value) || !this.tags(buf, valueEnd + TAGS.length, last)) return this.slow(buf, s, e);
    const out = this.out;
    out.metric = metric;
    out.value = value;
    out.timeMs = this.parseTime(buf, timeStart, timeEnd);
    return 'point';
  }

  private hasBackslash(buf: Buffer, s: number, e: number): boolean {
    if (this.backslashBuffer !== buf || (this.nextBackslash >= 0 && this.nextBackslash < s)) {
      this.backslashBuffer = buf;
      this.nextBackslash = buf.indexOf(BACKSLASH, s);
    }
    return this.nextBackslash >= 0 && this.nextBackslash < e;
  }

  private tags(buf: Buffer, from: number, e: number): boolean {
    const out = this.out;
    clearTags(out);
    let p = from;
    if (buf[p] === CLOSE_BRACE) return true;
    for (;;) {
      if (buf[p] !== QUOTE) return false;
      const keyEnd = indexOfByte(buf, QUOTE, p + 1, e);
      if (keyEnd < 0 || buf[keyEnd + 1] !== COLON || buf[keyEnd + 2] !== QUOTE) return false;
      const valueStart = keyEnd + 3;
      const valueEnd = indexOfByte(buf, QUOTE, valueStart, e);
      if (valueEnd < 0) return false;
      const keyLength = keyEnd - p - 1;
      for (const key of TAG_KEY_BYTES) {
        if (key.bytes.length === keyLength && matches(buf, p + 1, key.bytes)) {
          out[key.field] = this.strings.get(buf, valueStart, valueEnd);
          break;
        }
      }
      const next = buf[valueEnd + 1];
      if (next === CLOSE_BRACE) return true;
      if (next !== COMMA) return false;
      p = valueEnd + 2;
    }
  }

  private readonly secondBytes = new Uint8Array(19);
  private zoneBytes = new Uint8Array(0);
  private secondMs = Number.NaN;

  /** RFC 3339 with a fraction: the whole second and zone are parsed when they change, digits here. */
  private parseTime(buf: Buffer, start: number, end: number): number {
    let p = start + 19;
    let fraction = 0;
    let scale = 1;
    if (buf[p] === 46) {
      for (p++; p < end; p++) {
        const d = buf[p]! - 48;
        if (d < 0 || d > 9) break;
        if (scale < 1e15) {
          fraction = fraction * 10 + d;
          scale *= 10;
        }
      }
    }
    if (p - start < 19 || !matches(buf, start, this.secondBytes) || end - p !== this.zoneBytes.length || !matches(buf, p, this.zoneBytes)) {
      this.secondBytes.set(buf.subarray(start, start + 19));
      this.zoneBytes = Uint8Array.from(buf.subarray(p, end));
      this.secondMs = Date.parse(buf.toString('latin1', start, start + 19) + buf.toString('latin1', p, end));
    }
    return this.secondMs + (fraction / scale) * 1000;
  }

  private slow(buf: Buffer, s: number, e: number): LineOutcome {
    return readSampleLine(buf.toString('utf8', s, e), this.out, this.times);
  }
}

/** A JSON number from bytes: plain decimals by hand (the common case), anything else by Number(). */
export function readNumber(buf: Uint8Array, start: number, end: number): number {
  let p = start;
  const negative = buf[p] === 45;
  if (negative) p++;
  let whole = 0;
  let digits = 0;
  for (; p < end; p++) {
    const d = buf[p]! - 48;
    if (d < 0 || d > 9) break;
    whole = whole * 10 + d;
    digits++;
  }
  let value = whole;
  if (p < end && buf[p] === 46) {
    p++;
    let fraction = 0;
    let scale = 1;
    for (; p < end; p++) {
      const d = buf[p]! - 48;
      if (d < 0 || d > 9) break;
      fraction = fraction * 10 + d;
      scale *= 10;
    }
    value += fraction / scale;
  }
  // Exponents, long mantissas (beyond exact doubles) and anything odd go to the exact parser.
  if (p !== end || digits === 0 || end - start > 16) return Number(Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1'));
  return negative ? -value : value;
}
