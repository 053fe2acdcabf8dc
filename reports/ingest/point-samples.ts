import { type ReadNotes, readChunks } from '../../rundir/reader.ts';
import { Histogram } from '../stats/histogram.ts';
import { K6ByteReader, type LineOutcome } from './k6-bytes.ts';
import { emptySample, type SampleFields } from './k6-line.ts';

/** Warm-up samples carry this tag value (`phase`, or `scenario` for a k6 script) and are left out. */
export const WARMUP = 'warmup';
/**
 * The probe scenario (scenarios/lib/profiles.ts) measures order-to-fulfilled time on the side: its
 * iterations and requests are not the main load the target rate is about, so they are left out of
 * the achieved rate, throughput and overall latency, and kept per endpoint (probe-…) and in errors.
 */
export const PROBE_SCENARIO = 'probe';

/**
 * Endpoints kept apart per point. k6 names a request by its URL when the script sets no `name` tag,
 * so a URL with an id in it would make one 51 KB histogram per request; past this many, requests
 * go to OTHER_ENDPOINTS and the report says so.
 */
export const MAX_ENDPOINTS = 200;
export const OTHER_ENDPOINTS = '(other endpoints)';

/**
 * A latency (or order time) beyond this is not a measurement but damage (a day, in ms): it is kept
 * out of the histograms and counted in `implausible`.
 */
export const MAX_PLAUSIBLE_MS = 86_400_000;
/** Sample times outside these years are damage too. */
const PLAUSIBLE_TIME_MS = [Date.UTC(2000, 0, 1), Date.UTC(2200, 0, 1)] as const;

/**
 * What one point's raw k6 samples add up to. Latencies in ms. Latency percentiles are of successful
 * requests only (k6's `expected_response` tag true, or no such tag): a refused connection fails in
 * a millisecond, and counting it would make a dead target look fast. Failed requests are counted in
 * the errors and their own latency is kept apart (`failedLatency`).
 */
export interface PointSamples {
  /** http_req_duration of successful requests per endpoint (`name` tag; '' when untagged). */
  latencyByEndpoint: Map<string, Histogram>;
  /** Distinct endpoint names merged into OTHER_ENDPOINTS (0 when under MAX_ENDPOINTS). */
  endpointsMerged: Set<string>;
  /** http_req_duration of every successful request of the main load (the probe scenario's are left out). */
  latency: Histogram;
  /** http_req_duration of the main load's failed requests (expected_response false), apart. */
  failedLatency: Histogram;
  /** Values kept out because they cannot be real (negative counts, latencies past a day, non-finite), by what they are. */
  implausible: Map<string, number>;
  /** The custom trend order_fulfilled_ms: order placed → fulfilled. */
  orderFulfilled: Histogram;
  /** Every custom trend of the script (engine runs: from the histogram log, named by the run's metric facts). */
  customTrends: Map<string, Histogram>;
  requestsByEndpoint: Map<string, number>;
  /** Requests of the main load (not the probe scenario). */
  mainRequests: number;
  failedByEndpoint: Map<string, number>;
  statusCounts: Map<string, number>;
  checks: Map<string, { passes: number; fails: number }>;
  /** Iterations of the main load (the probe scenario's are left out). */
  iterations: number;
  droppedIterations: number;
  /** Main-load requests started per whole second of the harness clock (epoch s → count). */
  requestsPerSecond: Map<number, number>;
  firstMs: number;
  lastMs: number;
  /** Lines read, Point lines used, lines that were not k6 JSON. */
  lines: number;
  pointsUsed: number;
  badLines: number;
  warmupSkipped: number;
}

export function emptyPointSamples(): PointSamples {
  return {
    latencyByEndpoint: new Map(),
    endpointsMerged: new Set(),
    latency: new Histogram(),
    failedLatency: new Histogram(),
    implausible: new Map(),
    orderFulfilled: new Histogram(),
    customTrends: new Map(),
    requestsByEndpoint: new Map(),
    mainRequests: 0,
    failedByEndpoint: new Map(),
    statusCounts: new Map(),
    checks: new Map(),
    iterations: 0,
    droppedIterations: 0,
    requestsPerSecond: new Map(),
    firstMs: Number.POSITIVE_INFINITY,
    lastMs: Number.NEGATIVE_INFINITY,
    lines: 0,
    pointsUsed: 0,
    badLines: 0,
    warmupSkipped: 0,
  };
}

function bump(map: Map<string, number>, key: string, by: number): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function endpointOf(into: PointSamples, name: string): string {
  if (into.latencyByEndpoint.has(name) || into.requestsByEndpoint.has(name)) return name;
  if (into.latencyByEndpoint.size < MAX_ENDPOINTS && into.requestsByEndpoint.size < MAX_ENDPOINTS) return name;
  if (into.endpointsMerged.size < MAX_ENDPOINTS) into.endpointsMerged.add(name);
  return OTHER_ENDPOINTS;
}

function plausibleMs(into: PointSamples, metric: string, value: number): boolean {
  if (Number.isFinite(value) && value >= 0 && value <= MAX_PLAUSIBLE_MS) return true;
  bump(into.implausible, `${metric} value(s) outside 0 ms to 1 day`, 1);
  return false;
}

function plausibleCount(into: PointSamples, metric: string, value: number): boolean {
  if (Number.isFinite(value) && value >= 0) return true;
  bump(into.implausible, `${metric} value(s) negative or not finite`, 1);
  return false;
}

/** Adds one parsed sample to the point's totals. */
export function addSample(into: PointSamples, sample: SampleFields): void {
  if (sample.phase === WARMUP || sample.scenario === WARMUP) {
    into.warmupSkipped++;
    return;
  }
  into.pointsUsed++;
  switch (sample.metric) {
    case 'http_req_duration': {
      if (!plausibleMs(into, sample.metric, sample.value)) break;
      if (sample.expectedResponse === 'false') {
        if (sample.scenario !== PROBE_SCENARIO) into.failedLatency.record(sample.value);
        break;
      }
      const endpoint = endpointOf(into, sample.name);
      let histogram = into.latencyByEndpoint.get(endpoint);
      if (!histogram) {
        histogram = new Histogram();
        into.latencyByEndpoint.set(endpoint, histogram);
      }
      histogram.record(sample.value);
      if (sample.scenario !== PROBE_SCENARIO) into.latency.record(sample.value);
      break;
    }
    case 'http_reqs': {
      if (!plausibleCount(into, sample.metric, sample.value)) break;
      bump(into.requestsByEndpoint, endpointOf(into, sample.name), sample.value);
      if (sample.status) bump(into.statusCounts, sample.status, sample.value);
      if (sample.scenario === PROBE_SCENARIO) break;
      into.mainRequests += sample.value;
      const t = sample.timeMs;
      if (!Number.isNaN(t) && (t < PLAUSIBLE_TIME_MS[0] || t > PLAUSIBLE_TIME_MS[1])) bump(into.implausible, 'sample time(s) outside the years 2000–2200', 1);
      else if (!Number.isNaN(t)) {
        if (t < into.firstMs) into.firstMs = t;
        if (t > into.lastMs) into.lastMs = t;
        const second = Math.floor(t / 1000);
        into.requestsPerSecond.set(second, (into.requestsPerSecond.get(second) ?? 0) + sample.value);
      }
      break;
    }
    case 'http_req_failed':
      if (sample.value !== 0) bump(into.failedByEndpoint, endpointOf(into, sample.name), 1);
      break;
    case 'checks': {
      let check = into.checks.get(sample.check);
      if (!check) {
        check = { passes: 0, fails: 0 };
        into.checks.set(sample.check, check);
      }
      if (sample.value !== 0) check.passes++;
      else check.fails++;
      break;
    }
    case 'iterations':
      if (plausibleCount(into, sample.metric, sample.value) && sample.scenario !== PROBE_SCENARIO) into.iterations += sample.value;
      break;
    case 'dropped_iterations':
      if (plausibleCount(into, sample.metric, sample.value)) into.droppedIterations += sample.value;
      break;
    case 'order_fulfilled_ms':
      if (plausibleMs(into, sample.metric, sample.value)) into.orderFulfilled.record(sample.value);
      break;
  }
}

/** Counts a line's outcome into point totals. */
function tally(totals: PointSamples, outcome: LineOutcome, sample: SampleFields): void {
  totals.lines++;
  if (outcome === 'point') addSample(totals, sample);
  else if (outcome === 'bad') totals.badLines++;
}

/**
 * Streams a k6 `--out json` file (gzip when the name ends in .gz) into point totals, in flat memory:
 * decompressed chunks (rundir/reader.ts) are read as bytes (k6-bytes.ts); a line cut by a chunk
 * boundary is joined with the start of the next chunk and read on its own. A missing file or one cut
 * short by a crash gives the totals read so far, and says so in `notes`.
 */
export async function readK6Samples(path: string, options: { chunkBytes?: number; notes?: ReadNotes } = {}): Promise<PointSamples> {
  const totals = emptyPointSamples();
  const reader = new K6ByteReader(emptySample(), (outcome, sample) => tally(totals, outcome, sample));
  let rest: Buffer | null = null;
  for await (const chunk of readChunks(path, options)) {
    let from = 0;
    if (rest) {
      const newline = chunk.indexOf(10);
      if (newline < 0) {
        rest = Buffer.concat([rest, chunk]);
        continue;
      }
      const joined = Buffer.concat([rest, chunk.subarray(0, newline + 1)]);
      reader.lines(joined);
      from = newline + 1;
      rest = null;
    }
    const unfinished = reader.lines(chunk, from);
    if (unfinished < chunk.length) rest = Buffer.from(chunk.subarray(unfinished));
  }
  if (rest && rest.length > 0) reader.lines(Buffer.concat([rest, Buffer.from('\n')]));
  return totals;
}
