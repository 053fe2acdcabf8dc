/**
 * Reads one line of k6's `--out json` output. Reading millions of lines a second rules out
 * JSON.parse on every line, so the common shape is read by position: a Point line whose strings hold
 * no backslash cannot hold a quote either, so `"name":"` can only be the start of the `name` key.
 * Anything unusual (escapes, a `}` inside a tag value, missing fields) falls back to JSON.parse, so
 * the fast path is an optimisation and never a different answer.
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
}

export function emptySample(): SampleFields {
  return { metric: '', value: 0, timeMs: Number.NaN, name: '', status: '', check: '', scenario: '', expectedResponse: '' };
}

/** Metrics whose Point lines are read; the others are counted and skipped without parsing. */
export const METRICS_READ = new Set(['http_req_duration', 'http_reqs', 'http_req_failed', 'checks', 'dropped_iterations', 'iterations', 'order_fulfilled_ms']);

const METRIC_KEY = '"metric":"';
const VALUE_KEY = '"value":';
const TIME_KEY = '"time":"';
const TAGS_KEY = '"tags":{';

/**
 * Fills `out` from `line`. Returns 'point' for a Point line of a metric in METRICS_READ, 'skip' for
 * any other valid line (Metric declarations, other metrics), 'bad' for a line that is not k6 JSON.
 */
export function readSampleLine(line: string, out: SampleFields, times: TimeParser): 'point' | 'skip' | 'bad' {
  const metricAt = line.indexOf(METRIC_KEY);
  if (metricAt < 0 || line.indexOf('\\') >= 0) return readSlow(line, out, times);
  const metricStart = metricAt + METRIC_KEY.length;
  const metric = line.slice(metricStart, line.indexOf('"', metricStart));
  if (!METRICS_READ.has(metric)) return line.charCodeAt(0) === 123 ? 'skip' : 'bad';
  if (line.indexOf('"type":"Point"') < 0) return 'skip';
  const valueAt = line.indexOf(VALUE_KEY);
  const timeAt = line.indexOf(TIME_KEY);
  const tagsAt = line.indexOf(TAGS_KEY);
  if (valueAt < 0 || timeAt < 0 || tagsAt < 0) return readSlow(line, out, times);
  const tagsStart = tagsAt + TAGS_KEY.length;
  const tagsEnd = line.indexOf('}', tagsStart);
  // The tags object ends where a string (or the empty object) closes; otherwise a value holds a '}'.
  const before = line.charCodeAt(tagsEnd - 1);
  if (tagsEnd < 0 || (before !== 34 && tagsEnd !== tagsStart)) return readSlow(line, out, times);
  const valueStart = valueAt + VALUE_KEY.length;
  let valueEnd = valueStart;
  for (;;) {
    const c = line.charCodeAt(valueEnd);
    if (c === 44 || c === 125 || Number.isNaN(c)) break;
    valueEnd++;
  }
  const value = Number(line.slice(valueStart, valueEnd));
  if (Number.isNaN(value)) return readSlow(line, out, times);
  const timeStart = timeAt + TIME_KEY.length;
  out.metric = metric;
  out.value = value;
  out.timeMs = times.parse(line.slice(timeStart, line.indexOf('"', timeStart)));
  out.name = tagIn(line, '"name":"', tagsStart, tagsEnd);
  out.status = tagIn(line, '"status":"', tagsStart, tagsEnd);
  out.check = tagIn(line, '"check":"', tagsStart, tagsEnd);
  out.scenario = tagIn(line, '"scenario":"', tagsStart, tagsEnd);
  out.expectedResponse = tagIn(line, '"expected_response":"', tagsStart, tagsEnd);
  return 'point';
}

function tagIn(line: string, key: string, from: number, to: number): string {
  const at = line.indexOf(key, from);
  if (at < 0 || at > to) return '';
  const start = at + key.length;
  return line.slice(start, line.indexOf('"', start));
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
  return 'point';
}

/**
 * RFC 3339 times with nanoseconds (`2026-11-25T09:00:00.123456789Z` or `...+02:00`). Consecutive
 * samples share the whole second, so the second is parsed once and cached; only the fraction is
 * read per line.
 */
export class TimeParser {
  private lastKey = '';
  private lastBaseMs = Number.NaN;

  parse(text: string): number {
    const dot = text.indexOf('.', 19);
    let zoneAt = dot >= 0 ? dot + 1 : 19;
    while (zoneAt < text.length) {
      const c = text.charCodeAt(zoneAt);
      if (c < 48 || c > 57) break;
      zoneAt++;
    }
    const key = text.slice(0, 19) + text.slice(zoneAt);
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.lastBaseMs = Date.parse(key);
    }
    if (dot < 0) return this.lastBaseMs;
    return this.lastBaseMs + Number(`0.${text.slice(dot + 1, zoneAt)}`) * 1000;
  }
}
