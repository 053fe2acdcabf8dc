/**
 * Reads one line of k6's `--out json` output as a string, in any key order: the fallback of the byte
 * reader (k6-bytes.ts) for lines not in k6's own layout. Anything unusual (escapes, a non-string tag
 * value, missing fields) falls back to JSON.parse, so the quick paths never give a different answer.
 */

/** The fields of a Point line that reports use. Tag fields are '' when absent. */
export interface SampleFields {
  metric: string;
  value: number;
  /** Epoch ms, NaN when the time does not parse. */
  timeMs: number;
  /** Endpoint (the `name` tag). */
  name: string;
  status: string;
  check: string;
  scenario: string;
  expectedResponse: string;
  /** The built-in generator tags warm-up samples phase=warmup. */
  phase: string;
}

/** Resets the tag fields before a line's tags are read (a tag a line lacks is ''). */
export function clearTags(out: SampleFields): void {
  out.name = '';
  out.status = '';
  out.check = '';
  out.scenario = '';
  out.expectedResponse = '';
  out.phase = '';
}

export function emptySample(): SampleFields {
  return { metric: '', value: 0, timeMs: Number.NaN, name: '', status: '', check: '', scenario: '', expectedResponse: '', phase: '' };
}

/** Metrics whose Point lines are read; the others are counted and skipped without parsing. */
export const METRICS_READ = new Set(['http_req_duration', 'http_reqs', 'http_req_failed', 'checks', 'dropped_iterations', 'iterations', 'order_fulfilled_ms']);

const METRIC_KEY = '"metric":"';
const VALUE_KEY = '"value":';
const TIME_KEY = '"time":"';
const TAGS_KEY = '"tags":{';
const QUOTE = 34;
const COLON = 58;
const COMMA = 44;
const CLOSE_BRACE = 125;

/**
 * Fills `out` from `line`. Returns 'point' for a Point line of a metric in METRICS_READ, 'skip' for
 * any other valid line (Metric declarations, other metrics), 'bad' for a line that is not k6 JSON.
 *
 * Keys are found wherever they are (k6-bytes.ts reads k6's own layout faster and sends everything
 * else here). `"metric":"` cannot occur inside a JSON string (its quote after `metric` would need a
 * backslash), so finding it needs no other check; a line with any backslash is parsed in full.
 */
export function readSampleLine(line: string, out: SampleFields, times: TimeParser): 'point' | 'skip' | 'bad' {
  const metricAt = line.lastIndexOf(METRIC_KEY);
  if (metricAt < 0) return readSlow(line, out, times);
  const metricStart = metricAt + METRIC_KEY.length;
  const metric = line.slice(metricStart, line.indexOf('"', metricStart));
  if (!METRICS_READ.has(metric)) return line.charCodeAt(0) === 123 ? 'skip' : 'bad';
  if (line.indexOf('\\') >= 0) return readSlow(line, out, times);
  if (line.indexOf('"type":"Point"') < 0) return line.indexOf('"type":"Metric"') >= 0 ? 'skip' : readSlow(line, out, times);
  const valueAt = line.indexOf(VALUE_KEY);
  const timeAt = line.indexOf(TIME_KEY);
  const tagsAt = line.indexOf(TAGS_KEY);
  if (valueAt < 0 || timeAt < 0 || tagsAt < 0) return readSlow(line, out, times);
  const valueStart = valueAt + VALUE_KEY.length;
  let valueEnd = valueStart;
  for (;;) {
    const c = line.charCodeAt(valueEnd);
    if (c === COMMA || c === CLOSE_BRACE || Number.isNaN(c)) break;
    valueEnd++;
  }
  const value = Number(line.slice(valueStart, valueEnd));
  if (Number.isNaN(value) || valueEnd === valueStart) return readSlow(line, out, times);
  if (!readTags(line, tagsAt + TAGS_KEY.length, out)) return readSlow(line, out, times);
  const timeStart = timeAt + TIME_KEY.length;
  out.metric = metric;
  out.value = value;
  out.timeMs = times.parseAt(line, timeStart, line.indexOf('"', timeStart));
  return 'point';
}

/**
 * Walks the tags object once: `"key":"value"` pairs, comma-separated, up to `}`. Without backslashes
 * every quote delimits a string, so the walk is exact; any other shape (a non-string value) returns
 * false and the caller parses the line in full.
 */
function readTags(line: string, from: number, out: SampleFields): boolean {
  clearTags(out);
  let p = from;
  if (line.charCodeAt(p) === CLOSE_BRACE) return true;
  for (;;) {
    if (line.charCodeAt(p) !== QUOTE) return false;
    const keyEnd = line.indexOf('"', p + 1);
    if (keyEnd < 0 || line.charCodeAt(keyEnd + 1) !== COLON || line.charCodeAt(keyEnd + 2) !== QUOTE) return false;
    const valueStart = keyEnd + 3;
    const valueEnd = line.indexOf('"', valueStart);
    if (valueEnd < 0) return false;
    switch (keyEnd - p - 1) {
      case 4:
        if (line.startsWith('name', p + 1)) out.name = line.slice(valueStart, valueEnd);
        break;
      case 5:
        if (line.startsWith('check', p + 1)) out.check = line.slice(valueStart, valueEnd);
        else if (line.startsWith('phase', p + 1)) out.phase = line.slice(valueStart, valueEnd);
        break;
      case 6:
        if (line.startsWith('status', p + 1)) out.status = line.slice(valueStart, valueEnd);
        break;
      case 8:
        if (line.startsWith('scenario', p + 1)) out.scenario = line.slice(valueStart, valueEnd);
        break;
      case 17:
        if (line.startsWith('expected_response', p + 1)) out.expectedResponse = line.slice(valueStart, valueEnd);
        break;
    }
    const next = line.charCodeAt(valueEnd + 1);
    if (next === CLOSE_BRACE) return true;
    if (next !== COMMA) return false;
    p = valueEnd + 2;
  }
}

function readSlow(line: string, out: SampleFields, times: TimeParser): 'point' | 'skip' | 'bad' {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return 'bad';
  }
  if (!parsed || typeof parsed !== 'object') return 'bad';
  const record = parsed as { type?: unknown; metric?: unknown; data?: { time?: unknown; value?: unknown; tags?: unknown } };
  if (typeof record.metric !== 'string' || typeof record.type !== 'string') return 'bad';
  if (record.type !== 'Point' || !METRICS_READ.has(record.metric)) return 'skip';
  const data = record.data;
  if (!data || typeof data.value !== 'number' || typeof data.time !== 'string') return 'bad';
  const tags = (data.tags && typeof data.tags === 'object' ? data.tags : {}) as Record<string, unknown>;
  const tag = (key: string) => (typeof tags[key] === 'string' ? (tags[key] as string) : '');
  out.metric = record.metric;
  out.value = data.value;
  out.timeMs = times.parse(data.time);
  out.name = tag('name');
  out.status = tag('status');
  out.check = tag('check');
  out.scenario = tag('scenario');
  out.expectedResponse = tag('expected_response');
  out.phase = tag('phase');
  return 'point';
}

/**
 * RFC 3339 times with nanoseconds (`2026-11-25T09:00:00.123456789Z` or `...+02:00`). Consecutive
 * samples share the whole second and the zone, so those are parsed once and cached; only the
 * fraction's digits are read per line, without making strings.
 */
export class TimeParser {
  private lastPrefix = '';
  private lastZone = '';
  private lastBaseMs = Number.NaN;

  parse(text: string): number {
    return this.parseAt(text, 0, text.length);
  }

  /** Parses `line.slice(start, end)` without slicing it. */
  parseAt(line: string, start: number, end: number): number {
    const secondsEnd = start + 19;
    let p = secondsEnd;
    let fraction = 0;
    let scale = 1;
    if (line.charCodeAt(p) === 46) {
      p++;
      for (; p < end; p++) {
        const d = line.charCodeAt(p) - 48;
        if (d < 0 || d > 9) break;
        if (scale < 1e15) {
          fraction = fraction * 10 + d;
          scale *= 10;
        }
      }
    }
    const zoneLength = end - p;
    if (
      zoneLength !== this.lastZone.length ||
      !line.startsWith(this.lastZone, p) ||
      !line.startsWith(this.lastPrefix, start) ||
      this.lastPrefix.length !== 19
    ) {
      this.lastPrefix = line.slice(start, secondsEnd);
      this.lastZone = line.slice(p, end);
      this.lastBaseMs = Date.parse(this.lastPrefix + this.lastZone);
    }
    return this.lastBaseMs + (fraction / scale) * 1000;
  }
}
