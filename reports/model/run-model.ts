/**
 * The report model of one run: everything the HTML, Markdown, JSON and JUnit renderers show,
 * computed once from the run directory's contents. Pure: no I/O.
 */
import type { MetricFacts } from '../../rundir/k6.ts';
import { hottestTempC } from '../../rundir/node-sample.ts';
import type { NodeSample, PointSpec } from '../../rundir/types.ts';
import type { PointInput, RunInput } from '../ingest/rundir.ts';
import { bootstrapInterval, type Interval } from '../stats/bootstrap.ts';
import { Histogram } from '../stats/histogram.ts';
import { median } from '../stats/summary.ts';
import { summarizeLatency, type LatencySummary } from './latency.ts';
import { analyzeShopPoint, creditNextDrain, fulfilmentThroughput, type ShopPointAnalysis, shopSeries } from './shop.ts';
import { findWarnings, type Warning, type WarningOptions } from './warnings.ts';

export interface EndpointRow {
  endpoint: string;
  requests: number;
  failed: number;
  latency: LatencySummary;
}

export interface PointRow {
  pointId: string;
  index: number;
  repetition: number;
  replicas: Record<string, number>;
  /** Key shared by the repetitions of one configuration. */
  configKey: string;
  configLabel: string;
  targetRps: number;
  /** Main-load iterations per second over the scheduled window (requests per second when no iterations metric). */
  achievedRps: number;
  /** Main-load requests per second. */
  requestsPerS: number;
  requests: number;
  failed: number;
  errorPct: number;
  checks: { check: string; passes: number; fails: number }[];
  droppedIterations: number;
  /** Latency of successful requests: failed ones (a refused connection fails fast) are apart, in failedLatency. */
  latency: LatencySummary;
  /** Latency of the failed requests of the main load. */
  failedLatency: LatencySummary;
  endpoints: EndpointRow[];
  orderFulfilled: LatencySummary;
  convergenceMs: number | null;
  windowStartMs: number | null;
  windowEndMs: number | null;
  status: string;
  flags: { code: string; message: string }[];
  /** The shop's own metrics (shop.ndjson, result.json's state): null when the target did not know them. */
  shop: ShopPointAnalysis | null;
}

/** Raw-sample totals of one configuration, every repetition merged (histograms merge exactly). */
export interface PooledSamples {
  latency: Histogram;
  byEndpoint: Map<string, Histogram>;
  orderFulfilled: Histogram;
  /** Custom trends of the script by name, and what the run recorded about each (unit, which way is better). */
  customTrends: Map<string, { histogram: Histogram; facts: MetricFacts }>;
  requests: number;
  failed: number;
  /** Requests in each whole second inside a measured window, over every repetition. */
  requestsPerSecond: number[];
  /** Fulfilled orders per second in each block of the windows (reports/model/shop.ts), over every repetition. */
  fulfilledBlocks: number[];
}

/** The repetitions of one configuration: medians with 95 % bootstrap intervals. */
export interface GroupRow {
  configKey: string;
  configLabel: string;
  replicas: Record<string, number>;
  targetRps: number;
  pointIds: string[];
  achievedRps: MedianWithCi;
  p50Ms: MedianWithCi;
  p95Ms: MedianWithCi;
  p99Ms: MedianWithCi;
  errorPct: MedianWithCi;
  /** Every repetition's latencies merged (histograms merge exactly). */
  pooledLatency: LatencySummary;
  /** What the shop delivered, when its own metrics were sampled; null otherwise. */
  fulfilment: GroupFulfilment | null;
}

/** A configuration's fulfilment over its repetitions (the shop's own metrics and the probe's orders). */
export interface GroupFulfilment {
  /** Fulfilled orders per second: the mean of the repetitions, with a bootstrap interval of 5 s blocks. */
  fulfilledPerS: { value: number | null; ci: Interval | null };
  /** Orders stored per second during the window (the probe's included), median of the repetitions. */
  offeredOrdersPerS: number | null;
  /** Order placed → fulfilled, every repetition's probe orders merged. */
  orderFulfilled: LatencySummary;
  /** Repetitions that ended with a growing backlog. */
  growing: number;
  /** Seconds to drain after the window, median of the repetitions that have one. */
  drainS: number | null;
  /** How the drain times were found (measured, next-drain, estimated), each once. */
  drainBasis: string[];
  /** Orders never fulfilled (lost updates), summed over the repetitions that know. */
  neverFulfilled: number | null;
}

export interface MedianWithCi {
  median: number | null;
  ci: Interval | null;
  values: number[];
}

export interface NodeSeriesPoint {
  /** ms since the run's first node sample. */
  tMs: number;
  timeMs: number;
  pointId: string | null;
  cpuPct: number | null;
  /** Hottest thermal zone. */
  tempC: number | null;
  /** Mean current frequency of online cores, MHz. */
  freqMHz: number | null;
  throttled: boolean;
}

export interface NodeSeries {
  node: string;
  samples: NodeSeriesPoint[];
}

/** One shop sample on the run's time line, for the backlog chart. */
export interface ShopSeriesRow {
  /** ms since the run's first shop sample. */
  tMs: number;
  timeMs: number;
  pointId: string;
  /** Messages queued or unacknowledged over every queue. */
  backlog: number | null;
  /** Orders placed and not fulfilled. */
  inProgress: number | null;
}

export interface RunModel {
  runId: string;
  dir: string;
  status: string;
  startedAt: string;
  endedAt: string | null;
  gitCommit: string | null;
  toolVersion: string;
  loadGenerator: string;
  /** The resolved bench config the run was made with (manifest.json), for comparisons. */
  config: unknown;
  nodes: { name: string; role: string; arch: string; labels: Record<string, string> }[];
  endpoints: string[];
  points: PointRow[];
  groups: GroupRow[];
  nodeSeries: NodeSeries[];
  /** The shop's backlog over the run, every point's samples (empty when none was sampled). */
  shopSeries: ShopSeriesRow[];
  /** Raw-sample totals per configuration key, for comparisons. */
  pooled: Map<string, PooledSamples>;
  warnings: Warning[];
}

export function configKeyOf(spec: PointSpec): string {
  const replicas = Object.entries(spec.replicas).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([spec.scenario, spec.profile, spec.rateRps, replicas]);
}

export function configLabelOf(spec: PointSpec): string {
  const replicas = Object.entries(spec.replicas)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([service, count]) => `${service}×${count}`)
    .join(' ');
  return `${replicas || 'no scaling'} @ ${spec.rateRps}/s`;
}

function sumValues(map: Map<string, number>): number {
  let total = 0;
  for (const value of map.values()) total += value;
  return total;
}

/**
 * The scheduled load window: from the load-start event (else the first main-load request) for the
 * spec's duration. Not until load-end: the generator ends after its graceful stop and the probe's
 * last wait, seconds after the last scheduled arrival. A point that did not complete is cut at its
 * last main-load request.
 */
function measuredWindow(point: PointInput): { startMs: number | null; endMs: number | null; seconds: number } {
  const s = point.samples;
  const durationS = point.spec.durationS;
  const startMs = point.events.find((e) => e.type === 'load-start')?.timeMs ?? (Number.isFinite(s.firstMs) ? s.firstMs : null);
  if (startMs === null) return { startMs: null, endMs: null, seconds: durationS };
  const complete = (point.result?.status ?? 'complete') === 'complete';
  const seconds = complete || !Number.isFinite(s.lastMs) ? durationS : Math.min(durationS, Math.max(0, (s.lastMs - startMs) / 1000));
  return { startMs, endMs: startMs + seconds * 1000, seconds };
}

function convergenceOf(point: PointInput): number | null {
  const event = point.events.find((e) => e.type === 'converged');
  return typeof event?.convergenceMs === 'number' ? event.convergenceMs : null;
}

export function pointRow(point: PointInput): PointRow {
  const s = point.samples;
  const window = measuredWindow(point);
  const requests = sumValues(s.requestsByEndpoint);
  const failed = sumValues(s.failedByEndpoint);
  const seconds = window.seconds > 0 ? window.seconds : 1;
  const endpoints = [...s.latencyByEndpoint.keys()].sort();
  return {
    pointId: point.spec.pointId,
    index: point.spec.index,
    repetition: point.spec.repetition,
    replicas: point.spec.replicas,
    configKey: configKeyOf(point.spec),
    configLabel: configLabelOf(point.spec),
    targetRps: point.spec.rateRps,
    achievedRps: (s.iterations > 0 ? s.iterations : s.mainRequests) / seconds,
    requestsPerS: s.mainRequests / seconds,
    requests,
    failed,
    errorPct: requests > 0 ? (100 * failed) / requests : 0,
    checks: [...s.checks.entries()].map(([check, c]) => ({ check, ...c })).sort((a, b) => a.check.localeCompare(b.check)),
    droppedIterations: s.droppedIterations,
    latency: summarizeLatency(s.latency),
    failedLatency: summarizeLatency(s.failedLatency),
    endpoints: endpoints.map((endpoint) => ({
      endpoint,
      requests: s.requestsByEndpoint.get(endpoint) ?? 0,
      failed: s.failedByEndpoint.get(endpoint) ?? 0,
      latency: summarizeLatency(s.latencyByEndpoint.get(endpoint)!),
    })),
    orderFulfilled: summarizeLatency(s.orderFulfilled),
    convergenceMs: convergenceOf(point),
    windowStartMs: window.startMs,
    windowEndMs: window.endMs,
    status: point.result?.status ?? 'complete',
    flags: point.result?.flags ?? [],
    shop:
      point.shop.length > 0 || point.result?.state
        ? analyzeShopPoint({ samples: point.shop, windowStartMs: window.startMs, windowEndMs: window.endMs, state: point.result?.state })
        : null,
  };
}

function medianWithCi(values: number[]): MedianWithCi {
  return { median: median(values), ci: bootstrapInterval(values), values };
}

/** Counts of the seconds wholly inside the measured window (the edges are partial seconds). */
function fullSeconds(row: PointRow, perSecond: Map<number, number>): number[] {
  const seconds = [...perSecond.keys()].sort((a, b) => a - b);
  if (row.windowStartMs !== null && row.windowEndMs !== null) {
    const from = Math.ceil(row.windowStartMs / 1000);
    const to = Math.floor(row.windowEndMs / 1000);
    return seconds.filter((s) => s >= from && s + 1 <= to).map((s) => perSecond.get(s)!);
  }
  return seconds.slice(1, -1).map((s) => perSecond.get(s)!);
}

function pool(rows: PointRow[], inputs: PointInput[]): PooledSamples {
  const pooled: PooledSamples = {
    latency: new Histogram(),
    byEndpoint: new Map(),
    orderFulfilled: new Histogram(),
    customTrends: new Map(),
    requests: 0,
    failed: 0,
    requestsPerSecond: [],
    fulfilledBlocks: [],
  };
  inputs.forEach((input, i) => {
    const s = input.samples;
    pooled.latency.merge(s.latency);
    pooled.orderFulfilled.merge(s.orderFulfilled);
    for (const [name, h] of s.customTrends) {
      const facts = input.metrics[name];
      if (!facts) continue;
      const into = pooled.customTrends.get(name) ?? { histogram: new Histogram(), facts };
      into.histogram.merge(h);
      pooled.customTrends.set(name, into);
    }
    for (const [endpoint, h] of s.latencyByEndpoint) {
      if (!pooled.byEndpoint.has(endpoint)) pooled.byEndpoint.set(endpoint, new Histogram());
      pooled.byEndpoint.get(endpoint)!.merge(h);
    }
    pooled.requests += rows[i]!.requests;
    pooled.failed += rows[i]!.failed;
    pooled.requestsPerSecond.push(...fullSeconds(rows[i]!, s.requestsPerSecond));
    pooled.fulfilledBlocks.push(...(rows[i]!.shop?.fulfilledBlocks ?? []));
  });
  return pooled;
}

function groupRows(points: PointInput[], rows: PointRow[]): { groups: GroupRow[]; pooled: Map<string, PooledSamples> } {
  const order: string[] = [];
  const byKey = new Map<string, { rows: PointRow[]; inputs: PointInput[] }>();
  rows.forEach((row, i) => {
    let group = byKey.get(row.configKey);
    if (!group) {
      group = { rows: [], inputs: [] };
      byKey.set(row.configKey, group);
      order.push(row.configKey);
    }
    group.rows.push(row);
    group.inputs.push(points[i]!);
  });
  const pooled = new Map<string, PooledSamples>();
  const groups = order.map((key) => {
    const { rows: members, inputs } = byKey.get(key)!;
    const totals = pool(members, inputs);
    pooled.set(key, totals);
    const first = members[0]!;
    const pick = (f: (r: PointRow) => number | null) => medianWithCi(members.map(f).filter((v): v is number => v !== null));
    return {
      configKey: key,
      configLabel: first.configLabel,
      replicas: first.replicas,
      targetRps: first.targetRps,
      pointIds: members.map((r) => r.pointId),
      achievedRps: pick((r) => r.achievedRps),
      p50Ms: pick((r) => r.latency.p50Ms),
      p95Ms: pick((r) => r.latency.p95Ms),
      p99Ms: pick((r) => r.latency.p99Ms),
      errorPct: pick((r) => r.errorPct),
      pooledLatency: summarizeLatency(totals.latency),
      fulfilment: groupFulfilment(members, totals),
    };
  });
  return { groups, pooled };
}

function groupFulfilment(members: PointRow[], totals: PooledSamples): GroupFulfilment | null {
  const shops = members.map((r) => r.shop).filter((s): s is ShopPointAnalysis => s !== null && s.samples > 0);
  if (shops.length === 0) return null;
  const throughput = fulfilmentThroughput(shops);
  const known = (values: (number | null)[]) => values.filter((v): v is number => v !== null);
  const lost = known(shops.map((s) => s.neverFulfilled));
  return {
    fulfilledPerS: { value: throughput.perS, ci: throughput.ci },
    offeredOrdersPerS: median(known(shops.map((s) => s.offeredOrdersPerS))),
    orderFulfilled: summarizeLatency(totals.orderFulfilled),
    growing: shops.filter((s) => s.growing).length,
    drainS: median(known(shops.map((s) => s.drainS))),
    drainBasis: [...new Set(shops.map((s) => s.drainBasis).filter((b): b is NonNullable<typeof b> => b !== null))],
    neverFulfilled: lost.length > 0 ? lost.reduce((a, b) => a + b, 0) : null,
  };
}

/** A `state: drain` at the start of a point measured how long the previous point's backlog took to drain. */
function creditDrains(points: PointInput[], rows: PointRow[]): void {
  for (let i = 0; i + 1 < rows.length; i++) {
    const shop = rows[i]!.shop;
    const drain = points[i + 1]!.events.find((e) => e.type === 'state' && e.mode === 'drain');
    if (!shop || !drain || drain.type !== 'state') continue;
    rows[i]!.shop = creditNextDrain(shop, rows[i]!.windowEndMs, { endMs: drain.timeMs, timedOut: drain.timedOut });
  }
}

/** Every point's shop samples on one time line. */
export function shopSeriesRows(points: PointInput[]): ShopSeriesRow[] {
  let t0 = Number.POSITIVE_INFINITY;
  for (const point of points) for (const s of point.shop) if (s.timeMs < t0) t0 = s.timeMs;
  if (!Number.isFinite(t0)) return [];
  return points
    .flatMap((point) =>
      shopSeries(point.shop).map((s) => ({ tMs: s.timeMs - t0, timeMs: s.timeMs, pointId: point.spec.pointId, backlog: s.backlog, inProgress: s.inProgress })),
    )
    .sort((a, b) => a.timeMs - b.timeMs);
}

function meanFreqMHz(sample: NodeSample): number | null {
  const freqs = (sample.cores ?? []).filter((c) => c.online && c.freqKHz !== null).map((c) => c.freqKHz!);
  return freqs.length > 0 ? freqs.reduce((a, b) => a + b, 0) / freqs.length / 1000 : null;
}

export function nodeSeries(points: PointInput[]): NodeSeries[] {
  // No spreading into Math.min: a long run has hundreds of thousands of samples.
  let t0 = Number.POSITIVE_INFINITY;
  for (const point of points) for (const s of point.nodes) if (s.timeMs < t0) t0 = s.timeMs;
  if (!Number.isFinite(t0)) return [];
  const byNode = new Map<string, NodeSeriesPoint[]>();
  for (const s of points.flatMap((p) => p.nodes)) {
    if (!byNode.has(s.node)) byNode.set(s.node, []);
    byNode.get(s.node)!.push({
      tMs: s.timeMs - t0,
      timeMs: s.timeMs,
      pointId: s.pointId,
      cpuPct: s.cpuPct,
      tempC: hottestTempC(s),
      freqMHz: meanFreqMHz(s),
      throttled: Boolean(s.throttled),
    });
  }
  return [...byNode.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([node, samples]) => ({ node, samples: samples.sort((a, b) => a.timeMs - b.timeMs) }));
}

export function buildRunModel(run: RunInput, options: WarningOptions = {}): RunModel {
  const rows = run.points.map(pointRow);
  creditDrains(run.points, rows);
  const { groups, pooled } = groupRows(run.points, rows);
  const series = nodeSeries(run.points);
  const m = run.manifest;
  const endpoints = [...new Set(rows.flatMap((r) => r.endpoints.map((e) => e.endpoint)))].sort();
  const model: RunModel = {
    runId: m.runId,
    dir: run.dir,
    status: m.status,
    startedAt: m.startedAt,
    endedAt: m.endedAt ?? null,
    gitCommit: m.gitCommit ?? null,
    toolVersion: m.toolVersion ?? '',
    loadGenerator: m.loadGenerator ? `${m.loadGenerator.name} ${m.loadGenerator.version}` : 'unknown',
    config: m.config ?? null,
    nodes: (m.cluster?.nodes ?? []).map((n) => ({ name: n.name, role: n.role ?? '', arch: n.arch ?? '', labels: n.labels ?? {} })),
    endpoints,
    points: rows,
    groups,
    nodeSeries: series,
    shopSeries: shopSeriesRows(run.points),
    pooled,
    warnings: [],
  };
  model.warnings = findWarnings(model, run, options);
  return model;
}
