/**
 * A point's HdrHistogram interval log (k6-trends.hlog, written by the engine: HdrHistogram's log
 * format, one line per trend series and interval, tagged `metric?tag=value&…`, values × 1000) into
 * the report's latency histograms. When a point has one, its percentiles come from here rather than
 * from the raw samples: the log holds every request even when raw samples were switched off, and
 * reading it costs a line per series and second instead of one per request. Runs made before the
 * engine (no log) keep the histograms their samples gave.
 */
import { readFile } from 'node:fs/promises';
import { decodeFromCompressedBase64, type JsHistogram } from 'hdr-histogram-js';
import type { MetricFacts } from '../../rundir/k6.ts';
import { Histogram } from '../stats/histogram.ts';
import { MAX_ENDPOINTS, OTHER_ENDPOINTS, PROBE_SCENARIO, type PointSamples, WARMUP } from './point-samples.ts';

/** Values in the log are value × this (microseconds for time metrics). */
const VALUE_SCALE = 1000;

/** The latency histograms a point's log gives, as point-samples.ts classifies samples. */
export interface LogHistograms {
  latency: Histogram;
  failedLatency: Histogram;
  latencyByEndpoint: Map<string, Histogram>;
  orderFulfilled: Histogram;
  /** Custom trends (those `isCustomTrend` names), every series of each merged. */
  customTrends: Map<string, Histogram>;
  /** Interval lines read, and lines that were not a histogram of the format. */
  lines: number;
  badLines: number;
}

function seriesOf(tag: string): { metric: string; tags: Record<string, string>; negative: boolean } {
  const q = tag.indexOf('?');
  const metric = decodeURIComponent(q < 0 ? tag : tag.slice(0, q));
  const tags: Record<string, string> = {};
  let negative = false;
  if (q >= 0)
    for (const [k, v] of new URLSearchParams(tag.slice(q + 1))) {
      if (k === '__sign') negative = v === 'negative';
      else tags[k] = v;
    }
  return { metric, tags, negative };
}

/** Adds every recorded value of an HDR histogram (scaled back) into a report histogram. */
function addInto(into: Histogram, hdr: JsHistogram): void {
  const values = hdr.recordedValuesIterator;
  values.reset();
  while (values.hasNext()) {
    const step = values.next();
    into.record(hdr.medianEquivalentValue(step.valueIteratedTo) / VALUE_SCALE, step.countAtValueIteratedTo);
  }
}

/** The text of a log into histograms; null when the text holds no interval line. */
export function histogramsFromLog(text: string, isCustomTrend: (metric: string) => boolean = () => false): LogHistograms | null {
  const out: LogHistograms = {
    latency: new Histogram(),
    failedLatency: new Histogram(),
    latencyByEndpoint: new Map(),
    orderFulfilled: new Histogram(),
    customTrends: new Map(),
    lines: 0,
    badLines: 0,
  };
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('"StartTimestamp"')) continue;
    const match = /^Tag=([^,]*),[\d.]+,[\d.]+,[\d.]+,(\S+)$/.exec(line);
    if (!match) {
      out.badLines++;
      continue;
    }
    let hdr: JsHistogram;
    try {
      hdr = decodeFromCompressedBase64(match[2]!, 64, false) as JsHistogram;
    } catch {
      out.badLines++;
      continue;
    }
    out.lines++;
    const { metric, tags, negative } = seriesOf(match[1]!);
    if (negative || tags.scenario === WARMUP || tags.phase === WARMUP) continue;
    if (metric === 'order_fulfilled_ms') addInto(out.orderFulfilled, hdr);
    if (isCustomTrend(metric)) {
      let custom = out.customTrends.get(metric);
      if (!custom) {
        custom = new Histogram();
        out.customTrends.set(metric, custom);
      }
      addInto(custom, hdr);
    }
    if (metric !== 'http_req_duration') continue;
    const probe = tags.scenario === PROBE_SCENARIO;
    if (tags.expected_response === 'false') {
      if (!probe) addInto(out.failedLatency, hdr);
      continue;
    }
    const name = tags.name ?? '';
    const endpoint = out.latencyByEndpoint.has(name) || out.latencyByEndpoint.size < MAX_ENDPOINTS ? name : OTHER_ENDPOINTS;
    let byEndpoint = out.latencyByEndpoint.get(endpoint);
    if (!byEndpoint) {
      byEndpoint = new Histogram();
      out.latencyByEndpoint.set(endpoint, byEndpoint);
    }
    addInto(byEndpoint, hdr);
    if (!probe) addInto(out.latency, hdr);
  }
  return out.lines > 0 ? out : null;
}

/**
 * Replaces a point's latency histograms with its log's, when it has a readable one. Returns what to
 * tell the reader: null (no log: an older run, or k6), or a problem with the log (then the samples' stay).
 */
export async function applyHdrLog(
  path: string,
  samples: PointSamples,
  facts: Record<string, MetricFacts> = {},
): Promise<{ used: boolean; problem: string | null }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { used: false, problem: null };
    return {
      used: false,
      problem: `${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); percentiles come from the raw samples`,
    };
  }
  const logged = histogramsFromLog(text, (metric) => facts[metric]?.custom === true && facts[metric]?.type === 'trend');
  if (!logged) return { used: false, problem: text.trim() === '' ? null : `${path} holds no histogram; percentiles come from the raw samples` };
  samples.latency = logged.latency;
  samples.failedLatency = logged.failedLatency;
  samples.latencyByEndpoint = logged.latencyByEndpoint;
  samples.orderFulfilled = logged.orderFulfilled;
  samples.customTrends = logged.customTrends;
  return { used: true, problem: logged.badLines > 0 ? `${path}: ${logged.badLines} line(s) were not histograms and were skipped` : null };
}
