import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Histogram } from '../stats/histogram.ts';
import { TimeParser, emptySample, readSampleLine, type SampleFields } from './k6-line.ts';

/** Warm-up samples carry this scenario tag and are left out of every result. */
export const WARMUP_SCENARIO = 'warmup';

/** What one point's raw k6 samples add up to. Latencies in ms. */
export interface PointSamples {
  /** http_req_duration per endpoint (`name` tag; '' when untagged). */
  latencyByEndpoint: Map<string, Histogram>;
  /** http_req_duration of every endpoint. */
  latency: Histogram;
  /** The custom trend order_fulfilled_ms: order placed → fulfilled. */
  orderFulfilled: Histogram;
  requestsByEndpoint: Map<string, number>;
  failedByEndpoint: Map<string, number>;
  statusCounts: Map<string, number>;
  checks: Map<string, { passes: number; fails: number }>;
  iterations: number;
  droppedIterations: number;
  /** Requests started per whole second of the harness clock (epoch s → count). */
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
    latency: new Histogram(),
    orderFulfilled: new Histogram(),
    requestsByEndpoint: new Map(),
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

/** Adds one parsed sample to the point's totals. */
export function addSample(into: PointSamples, sample: SampleFields): void {
  if (sample.scenario === WARMUP_SCENARIO) {
    into.warmupSkipped++;
    return;
  }
  into.pointsUsed++;
  switch (sample.metric) {
    case 'http_req_duration': {
      let histogram = into.latencyByEndpoint.get(sample.name);
      if (!histogram) into.latencyByEndpoint.set(sample.name, (histogram = new Histogram()));
      histogram.record(sample.value);
      into.latency.record(sample.value);
      break;
    }
    case 'http_reqs': {
      bump(into.requestsByEndpoint, sample.name, sample.value);
      if (sample.status) bump(into.statusCounts, sample.status, sample.value);
      const t = sample.timeMs;
      if (t === t) {
        if (t < into.firstMs) into.firstMs = t;
        if (t > into.lastMs) into.lastMs = t;
        const second = Math.floor(t / 1000);
        into.requestsPerSecond.set(second, (into.requestsPerSecond.get(second) ?? 0) + sample.value);
      }
      break;
    }
    case 'http_req_failed':
      if (sample.value !== 0) bump(into.failedByEndpoint, sample.name, 1);
      break;
    case 'checks': {
      let check = into.checks.get(sample.check);
      if (!check) into.checks.set(sample.check, (check = { passes: 0, fails: 0 }));
      if (sample.value !== 0) check.passes++;
      else check.fails++;
      break;
    }
    case 'iterations':
      into.iterations += sample.value;
      break;
    case 'dropped_iterations':
      into.droppedIterations += sample.value;
      break;
    case 'order_fulfilled_ms':
      into.orderFulfilled.record(sample.value);
      break;
  }
}

/** Feeds text lines to the point totals; the caller handles the split of chunks into lines. */
export class SampleLineReader {
  readonly totals: PointSamples = emptyPointSamples();
  private readonly scratch = emptySample();
  private readonly times = new TimeParser();

  line(line: string): void {
    if (line.length === 0) return;
    const totals = this.totals;
    totals.lines++;
    const kind = readSampleLine(line, this.scratch, this.times);
    if (kind === 'point') addSample(totals, this.scratch);
    else if (kind === 'bad') totals.badLines++;
  }

  /** Feeds a chunk of text, keeping an unfinished last line for the next chunk. */
  private rest = '';
  chunk(text: string): void {
    let start = 0;
    const data = this.rest.length > 0 ? this.rest + text : text;
    for (;;) {
      const end = data.indexOf('\n', start);
      if (end < 0) break;
      this.line(data.slice(start, end));
      start = end + 1;
    }
    this.rest = data.slice(start);
  }

  end(): PointSamples {
    if (this.rest.length > 0) this.line(this.rest);
    this.rest = '';
    return this.totals;
  }
}

/** Streams a k6 `--out json` file (gzip when the name ends in .gz) into point totals, in flat memory. */
export async function readK6Samples(path: string): Promise<PointSamples> {
  const reader = new SampleLineReader();
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  const stream = path.endsWith('.gz') ? file.pipe(createGunzip({ chunkSize: 1 << 20 })) : file;
  stream.setEncoding('utf8');
  file.on('error', (error) => stream.destroy(error));
  for await (const text of stream as AsyncIterable<string>) reader.chunk(text);
  return reader.end();
}
