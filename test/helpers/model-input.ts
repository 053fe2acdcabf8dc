/**
 * A run's input to the report model (reports/ingest/rundir.ts's RunInput) built in memory from a
 * few knobs, so the model is tested without writing or reading a run directory, rendering or
 * charts: the raw samples go through the ingest's own addSample, as readRunDir's would.
 */
import type { RunEvent } from '../../rundir/events.ts';
import type { MetricFacts } from '../../rundir/k6.ts';
import type { Manifest, NodeSample, PointResult, PointSpec, ShopSample } from '../../rundir/types.ts';
import { emptySample, type SampleFields } from '../../reports/ingest/k6-line.ts';
import { addSample, emptyPointSamples, type PointSamples } from '../../reports/ingest/point-samples.ts';
import type { PointInput, RunInput } from '../../reports/ingest/rundir.ts';

/** 2026-11-25 02:00:00 UTC, a whole second. */
export const T0 = Date.UTC(2026, 10, 25, 2, 0, 0);

export interface Request {
  timeMs: number;
  ms: number;
  /** Endpoint (`name` tag); default 'e'. */
  name?: string;
  failed?: boolean;
  scenario?: string;
}

/** One k6 Point line's fields into the point's totals. */
export function sample(into: PointSamples, fields: Partial<SampleFields> & { metric: string; value: number }): void {
  addSample(into, { ...emptySample(), ...fields });
}

/** A request as k6 reports it: http_reqs, http_req_duration and http_req_failed. */
export function addRequest(into: PointSamples, r: Request): void {
  const tags = { timeMs: r.timeMs, name: r.name ?? 'e', scenario: r.scenario ?? 'default', status: r.failed ? '500' : '200' };
  sample(into, { ...tags, metric: 'http_reqs', value: 1 });
  sample(into, { ...tags, metric: 'http_req_duration', value: r.ms, expectedResponse: r.failed ? 'false' : 'true' });
  sample(into, { ...tags, metric: 'http_req_failed', value: r.failed ? 1 : 0 });
}

export interface PointOptions {
  pointId: string;
  index?: number;
  repetition?: number;
  replicas?: Record<string, number>;
  rateRps?: number;
  durationS?: number;
  scenario?: string;
  profile?: string;
  /** The load-start event's time; null for no load-start event. Default T0. */
  loadStartMs?: number | null;
  /** Latencies (ms) of successful requests of endpoint 'e', spread evenly over the window from loadStartMs (or T0). */
  latencies?: number[];
  /** Further requests, as given. */
  requests?: Request[];
  iterations?: number;
  dropped?: number;
  events?: RunEvent[];
  /** result.json; null for none. Default a complete point with no flags. */
  result?: Partial<PointResult> | null;
  nodes?: NodeSample[];
  shop?: ShopSample[];
  problems?: string[];
  implausible?: string[];
  metrics?: Record<string, MetricFacts>;
  /** Custom trends by name: their values, ms. */
  trends?: Record<string, number[]>;
  /** order_fulfilled_ms values. */
  orderFulfilled?: number[];
}

export function pointInput(o: PointOptions): PointInput {
  const durationS = o.durationS ?? 10;
  const startMs = o.loadStartMs === undefined ? T0 : o.loadStartMs;
  const spec: PointSpec = {
    pointId: o.pointId,
    index: o.index ?? 0,
    replicas: o.replicas ?? { svc: 1 },
    rateRps: o.rateRps ?? 10,
    durationS,
    warmupS: 1,
    repetition: o.repetition ?? 0,
    scenario: o.scenario ?? 'coffee-order',
    profile: o.profile ?? 'default',
    baseUrl: 'http://127.0.0.1:8080',
  };
  const samples = emptyPointSamples();
  const latencies = o.latencies ?? [];
  for (const [i, ms] of latencies.entries()) addRequest(samples, { timeMs: (startMs ?? T0) + (i * durationS * 1000) / latencies.length, ms });
  for (const r of o.requests ?? []) addRequest(samples, r);
  if (o.iterations) sample(samples, { metric: 'iterations', value: o.iterations, timeMs: startMs ?? T0 });
  if (o.dropped) sample(samples, { metric: 'dropped_iterations', value: o.dropped, timeMs: startMs ?? T0 });
  for (const ms of o.orderFulfilled ?? []) sample(samples, { metric: 'order_fulfilled_ms', value: ms, timeMs: startMs ?? T0 });
  for (const [name, values] of Object.entries(o.trends ?? {})) {
    const histogram = emptyPointSamples().latency;
    for (const v of values) histogram.record(v);
    samples.customTrends.set(name, histogram);
  }
  // The given events first (a run writes scale and converged before load-start), then load-start.
  const events: RunEvent[] = [...(o.events ?? [])];
  if (startMs !== null) events.push({ timeMs: startMs, pointId: o.pointId, type: 'load-start', rateRps: spec.rateRps, durationS });
  const result: PointResult | null =
    o.result === null
      ? null
      : {
          pointId: o.pointId,
          status: 'complete',
          startedAt: new Date(T0).toISOString(),
          endedAt: new Date(T0 + durationS * 1000).toISOString(),
          loadExitCode: 0,
          thresholdsPassed: true,
          flags: [],
          ...o.result,
        };
  return {
    dir: `/runs/r/points/${o.pointId}`,
    spec,
    result,
    samples,
    nodes: o.nodes ?? [],
    shop: o.shop ?? [],
    events,
    problems: o.problems ?? [],
    implausible: o.implausible ?? [],
    metrics: o.metrics ?? {},
  };
}

export function runInput(points: PointInput[], manifest: Partial<Manifest> = {}, problems: string[] = []): RunInput {
  return {
    dir: '/runs/r',
    manifest: {
      schemaVersion: 1,
      toolVersion: '0.1.0',
      gitCommit: 'abc1234',
      commandLine: ['bench', 'run'],
      runId: 'r',
      config: { scenario: 'coffee-order' },
      inventory: null,
      cluster: { nodes: [{ name: 'local', role: 'local', leader: false, arch: 'x64', engineVersion: null, labels: {} }] },
      images: [],
      loadGenerator: { name: 'engine', version: '1.2.3', path: 'engine/cli.ts' },
      startedAt: new Date(T0).toISOString(),
      endedAt: new Date(T0 + 60_000).toISOString(),
      status: 'complete',
      plannedPoints: points.map((p) => p.spec.pointId),
      ...manifest,
    },
    points,
    problems,
  };
}

export interface NodeOptions {
  cpuPct?: number | null;
  /** The CPU zone's temperature, °C (null: unknown). */
  tempC?: number | null;
  batteryTempC?: number | null;
  throttled?: boolean;
  /** Each core's current frequency, kHz (null: unknown); a core given as 'offline' is offline. */
  freqsKHz?: (number | null | 'offline')[];
  pointId?: string | null;
}

export function nodeSample(node: string, timeMs: number, o: NodeOptions = {}): NodeSample {
  return {
    node,
    timeMs,
    nodeTimeMs: timeMs,
    clockOffsetMs: 0,
    pointId: o.pointId === undefined ? 'p' : o.pointId,
    cpuPct: o.cpuPct === undefined ? 40 : o.cpuPct,
    cores: (o.freqsKHz ?? [2_400_000]).map((f, core) => ({
      core,
      online: f !== 'offline',
      cpuPct: f === 'offline' ? null : 40,
      freqKHz: f === 'offline' ? null : f,
      maxFreqKHz: 2_400_000,
    })),
    load1: 1,
    memTotalKB: 6_000_000,
    memAvailableKB: 3_000_000,
    thermal: [{ zone: 'thermal_zone0', type: 'cpu', tempC: o.tempC === undefined ? 45 : o.tempC }],
    batteryTempC: o.batteryTempC === undefined ? null : o.batteryTempC,
    throttled: o.throttled ?? false,
  };
}

/**
 * The shop's own metrics a sample a second from `fromMs` for `seconds`: orders placed and fulfilled
 * at the given rates, the kitchen queue `queued(s)` messages at second s (default 0), 2 unacked.
 */
export function shopSamples(
  pointId: string,
  fromMs: number,
  seconds: number,
  rates: { ordersPerS: number; fulfilledPerS: number; queued?: (s: number) => number; unacked?: (s: number) => number },
): ShopSample[] {
  return Array.from({ length: seconds + 1 }, (_, s) => {
    const orders = Math.floor(s * rates.ordersPerS);
    const fulfilled = Math.min(orders, Math.floor(s * rates.fulfilledPerS));
    return {
      timeMs: fromMs + s * 1000,
      pointId,
      orders,
      fulfilled,
      inProgress: orders - fulfilled,
      queues: [{ name: 'kitchen-order-queue', depth: rates.queued?.(s) ?? 0, unacked: rates.unacked?.(s) ?? 2, consumers: 1 }],
    };
  });
}
