/**
 * Writes a run directory exactly as the contract in rundir/types.ts describes it, from a few
 * knobs, so report code is tested without running a load: raw samples in k6 `--out json` lines
 * (gzip), node sampler records, events, spec.json, k6-summary.json and manifest.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Manifest, NodeSample, PointResult, PointSpec, ShopSample } from '../../rundir/types.ts';
import type { RunEvent } from '../../rundir/events.ts';
import { manifestPath, pointFilePath, pointPath } from '../../rundir/layout.ts';
import { normalFrom, seededRandom } from '../../kernel/random.ts';

export const ENDPOINTS = ['item-types', 'items-by-types', 'place-order', 'fulfillment-orders'] as const;
const METHODS: Record<string, string> = { 'item-types': 'GET', 'items-by-types': 'GET', 'place-order': 'POST', 'fulfillment-orders': 'GET' };

/** The tags k6 puts on a GET of the item types, for tests that write k6 lines by hand. */
export const ITEM_TYPES_TAGS = {
  expected_response: 'true',
  method: 'GET',
  name: 'item-types',
  scenario: 'default',
  status: '200',
  url: 'http://127.0.0.1:8080/v1/api/item-types',
};

export interface SyntheticPoint {
  pointId: string;
  replicas: Record<string, number>;
  rateRps: number;
  durationS?: number;
  repetition?: number;
  /** Median latency of every endpoint, ms (endpoints differ by a fixed factor). */
  latencyMs?: number;
  /** Share of requests that fail (status 500). */
  errorRate?: number;
  /** Share of iterations actually run (the rest are dropped_iterations). */
  achievedShare?: number;
  /** Node temperature during the point (its CPU zone), °C. */
  tempC?: number;
  /** The first node's battery temperature during the point, °C; default 30. */
  batteryTempC?: number;
  /** Load-generator host CPU during the point, %. */
  cpuPct?: number;
  throttled?: boolean;
  flags?: PointResult['flags'];
  convergenceMs?: number;
  /** A node-lost event for this node during the load. */
  nodeLost?: string;
  /** Also run the order-to-fulfilled probe scenario, one probe iteration a second (as scenarios/coffee.ts does). */
  probe?: boolean;
  /**
   * The shop's own metrics (shop.ndjson, one sample a second from warm-up to the generator's end):
   * orders offered and fulfilled per second; the kitchen queue grows by 3 messages per order not fulfilled.
   */
  shop?: { ordersPerS: number; fulfilledPerS: number };
}

export interface SyntheticRun {
  runId: string;
  points: SyntheticPoint[];
  nodes?: string[];
  seed?: number;
  startMs?: number;
  gitCommit?: string;
  /** Put into every tag value, node label, thermal zone type, config name and scenario variable that can carry free text (for escaping tests). */
  hostileText?: string;
}

/** shop.ndjson from the load start to `toMs`, a sample a second, counts growing at the given rates. */
function shopSamples(pointId: string, rates: { ordersPerS: number; fulfilledPerS: number }, fromMs: number, toMs: number): string {
  const lines: ShopSample[] = [];
  for (let t = fromMs; t <= toMs; t += 1000) {
    const s = (t - fromMs) / 1000;
    const orders = Math.floor(s * rates.ordersPerS);
    const fulfilled = Math.min(orders, Math.floor(s * rates.fulfilledPerS));
    const waiting = orders - fulfilled;
    lines.push({
      timeMs: t,
      pointId,
      orders,
      fulfilled,
      inProgress: waiting,
      queues: [{ name: 'kitchen-order-queue', depth: Math.max(0, 3 * waiting - 5), unacked: Math.min(5, 3 * waiting), consumers: 1 }],
    });
  }
  return `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`;
}

/** Formats one k6 `--out json` Point line as k6 writes it. */
export function k6PointLine(metric: string, timeMs: number, value: number, tags: Record<string, string>): string {
  return JSON.stringify({ type: 'Point', data: { time: rfc3339Nanos(timeMs), value, tags }, metric });
}

/** k6's declaration line that precedes a metric's first Point. */
export function k6MetricLine(metric: string, type: 'counter' | 'gauge' | 'rate' | 'trend'): string {
  return JSON.stringify({
    type: 'Metric',
    data: { name: metric, type, contains: type === 'trend' ? 'time' : 'default', thresholds: [], submetrics: null },
    metric,
  });
}

function rfc3339Nanos(timeMs: number): string {
  const whole = Math.floor(timeMs);
  const nanos = Math.round((timeMs - whole) * 1e6);
  return new Date(whole).toISOString().replace('Z', `${String(nanos).padStart(6, '0')}Z`);
}

const ENDPOINT_FACTOR: Record<string, number> = { 'item-types': 0.6, 'items-by-types': 0.8, 'place-order': 1.5, 'fulfillment-orders': 1 };

export async function buildRunDir(root: string, run: SyntheticRun): Promise<string> {
  const dir = join(root, run.runId);
  const random = seededRandom(run.seed ?? 1);
  const nodes = run.nodes ?? ['local'];
  let clockMs = run.startMs ?? Date.UTC(2026, 10, 25, 2, 0, 0);
  const startedAt = new Date(clockMs).toISOString();
  for (const [index, point] of run.points.entries()) {
    const pointDir = pointPath(dir, point.pointId);
    await mkdir(pointDir, { recursive: true });
    const durationS = point.durationS ?? 5;
    const spec: PointSpec = {
      pointId: point.pointId,
      index,
      replicas: point.replicas,
      rateRps: point.rateRps,
      durationS,
      warmupS: 1,
      repetition: point.repetition ?? 0,
      scenario: 'coffee-order',
      profile: 'default',
      baseUrl: 'http://127.0.0.1:8080',
    };
    const events: RunEvent[] = [];
    events.push({ timeMs: clockMs, pointId: point.pointId, type: 'scale', replicas: point.replicas });
    clockMs += point.convergenceMs ?? 1200;
    events.push({ timeMs: clockMs, pointId: point.pointId, type: 'converged', convergenceMs: point.convergenceMs ?? 1200, baseUrls: [spec.baseUrl] });
    const warmupStartMs = clockMs;
    clockMs += 1000;
    const loadStartMs = clockMs;
    events.push({ timeMs: loadStartMs, pointId: point.pointId, type: 'load-start', rateRps: point.rateRps, durationS });
    const lines = samplesFor(point, run, random, warmupStartMs, loadStartMs, durationS);
    clockMs = loadStartMs + durationS * 1000;
    // The generator ends after its graceful stop, seconds after the last scheduled arrival.
    events.push({ timeMs: clockMs + 5000, pointId: point.pointId, type: 'load-end', exitCode: 0, thresholdsPassed: true, durationMs: durationS * 1000 + 5000 });
    if (point.throttled) events.push({ timeMs: loadStartMs + 1000, pointId: point.pointId, type: 'throttling', node: nodes[0]!, cpuPct: 95 });
    if (point.nodeLost)
      events.push({ timeMs: loadStartMs + 1500, pointId: point.pointId, type: 'node-lost', node: point.nodeLost, reason: 'no sample for 3.5 s' });
    const samples = nodeSamples(point, nodes, warmupStartMs, clockMs, run.hostileText);
    const result: PointResult = {
      pointId: point.pointId,
      status: 'complete',
      startedAt: new Date(warmupStartMs).toISOString(),
      endedAt: new Date(clockMs).toISOString(),
      loadExitCode: 0,
      thresholdsPassed: true,
      flags: point.flags ?? [],
    };
    await writeFile(pointFilePath(pointDir, 'spec'), JSON.stringify(spec, null, 2));
    await writeFile(pointFilePath(pointDir, 'result'), JSON.stringify(result, null, 2));
    await writeFile(
      pointFilePath(pointDir, 'k6Summary'),
      JSON.stringify({ metrics: { http_reqs: { count: lines.requests, rate: lines.requests / durationS } } }),
    );
    await writeFile(pointFilePath(pointDir, 'k6Samples'), gzipSync(lines.text));
    await writeFile(pointFilePath(pointDir, 'nodes'), `${samples.map((s) => JSON.stringify(s)).join('\n')}\n`);
    await writeFile(pointFilePath(pointDir, 'events'), `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    if (point.shop) await writeFile(pointFilePath(pointDir, 'shop'), shopSamples(point.pointId, point.shop, loadStartMs, clockMs + 5000));
    clockMs += 2000;
  }
  const manifest: Manifest = {
    schemaVersion: 1,
    toolVersion: '0.1.0',
    gitCommit: run.gitCommit ?? 'abc1234',
    commandLine: ['bench', 'run'],
    runId: run.runId,
    // A user's config name and scenario variables; the variable differs per run, so a comparison
    // lists it among the runs' differences.
    config: run.hostileText
      ? { scenario: 'coffee-order', name: `nightly${run.hostileText}`, scenarioEnv: { NOTE: `${run.runId}${run.hostileText}` } }
      : { scenario: 'coffee-order' },
    inventory: null,
    cluster: {
      nodes: nodes.map((name) => ({
        name,
        role: 'local',
        leader: false,
        arch: 'x64',
        engineVersion: null,
        labels: (run.hostileText ? { note: run.hostileText } : {}) as Record<string, string>,
        cpuCount: 4,
      })),
    },
    images: [],
    loadGenerator: { name: 'builtin', version: '0.1.0', path: 'bench/load/builtin.ts' },
    startedAt,
    endedAt: new Date(clockMs).toISOString(),
    status: 'complete',
    plannedPoints: run.points.map((p) => p.pointId),
  };
  await writeFile(manifestPath(dir), JSON.stringify(manifest, null, 2));
  return dir;
}

function samplesFor(point: SyntheticPoint, run: SyntheticRun, random: () => number, warmupStartMs: number, loadStartMs: number, durationS: number) {
  const out: string[] = [
    k6MetricLine('http_reqs', 'counter'),
    k6MetricLine('http_req_duration', 'trend'),
    k6MetricLine('http_req_failed', 'rate'),
    k6MetricLine('checks', 'rate'),
    k6MetricLine('iterations', 'counter'),
    k6MetricLine('order_fulfilled_ms', 'trend'),
  ];
  let requests = 0;
  // Warm-up samples are tagged phase=warmup, as the built-in generator tags them.
  const emitIteration = (startMs: number, phase: 'warmup' | 'load') => {
    const scenario = 'default';
    const extra: Record<string, string> = phase === 'warmup' ? { phase } : {};
    let t = startMs;
    for (const endpoint of ENDPOINTS) {
      const name = run.hostileText && endpoint === 'item-types' ? `${endpoint}${run.hostileText}` : endpoint;
      const failed = random() < (point.errorRate ?? 0);
      const status = failed ? '500' : '200';
      const tags = {
        expected_response: String(!failed),
        group: '',
        method: METHODS[endpoint] ?? 'GET',
        name,
        proto: 'HTTP/1.1',
        scenario,
        status,
        url: `http://127.0.0.1:8080/v1/api/${endpoint}`,
        run: run.runId,
        point: point.pointId,
        ...extra,
      };
      const latencyMs = (point.latencyMs ?? 20) * (ENDPOINT_FACTOR[endpoint] ?? 1) * Math.exp(0.35 * normalFrom(random));
      out.push(k6PointLine('http_reqs', t, 1, tags));
      out.push(k6PointLine('http_req_duration', t, Number(latencyMs.toFixed(6)), tags));
      out.push(k6PointLine('http_req_waiting', t, Number((latencyMs * 0.9).toFixed(6)), tags));
      out.push(k6PointLine('http_req_failed', t, failed ? 1 : 0, tags));
      out.push(k6PointLine('checks', t, failed ? 0 : 1, { check: `${endpoint} is 2xx`, scenario, run: run.runId, point: point.pointId, ...extra }));
      if (phase === 'load') requests++;
      t += latencyMs;
    }
    out.push(
      k6PointLine('order_fulfilled_ms', t, Number((t - startMs + 150 * (1 + random())).toFixed(3)), {
        scenario,
        run: run.runId,
        point: point.pointId,
        ...extra,
      }),
    );
    out.push(k6PointLine('iterations', t, 1, { scenario, run: run.runId, point: point.pointId, ...extra }));
  };
  if (point.probe) {
    for (let t = loadStartMs; t < loadStartMs + durationS * 1000; t += 1000) {
      const tags = {
        name: 'probe-fulfillment-orders',
        method: 'GET',
        status: '200',
        expected_response: 'true',
        scenario: 'probe',
        run: run.runId,
        point: point.pointId,
      };
      for (const poll of [0, 1, 2]) {
        out.push(k6PointLine('http_reqs', t + poll * 200, 1, tags));
        out.push(k6PointLine('http_req_duration', t + poll * 200, 900, tags));
      }
      out.push(k6PointLine('iterations', t + 600, 1, { scenario: 'probe', run: run.runId, point: point.pointId }));
    }
  }
  const intervalMs = 1000 / point.rateRps;
  for (let t = warmupStartMs; t < loadStartMs; t += intervalMs * 2) emitIteration(t, 'warmup');
  const share = point.achievedShare ?? 1;
  let dropped = 0;
  for (let t = loadStartMs; t < loadStartMs + durationS * 1000; t += intervalMs) {
    if (random() < share) emitIteration(t, 'load');
    else {
      dropped++;
      out.push(k6PointLine('dropped_iterations', t, 1, { scenario: 'default', run: run.runId, point: point.pointId }));
    }
  }
  return { text: `${out.join('\n')}\n`, requests, dropped };
}

function nodeSamples(point: SyntheticPoint, nodes: string[], fromMs: number, toMs: number, hostile: string | undefined): NodeSample[] {
  const samples: NodeSample[] = [];
  for (let t = fromMs; t <= toMs; t += 1000) {
    for (const [n, node] of nodes.entries()) {
      const busy = n === 0 && point.cpuPct !== undefined ? point.cpuPct : 35 + 10 * n;
      const throttled = Boolean(point.throttled) && n === 0;
      samples.push({
        node,
        timeMs: t,
        nodeTimeMs: t,
        clockOffsetMs: 0,
        pointId: point.pointId,
        cpuPct: busy,
        cores: [0, 1, 2, 3].map((core) => ({ core, online: true, cpuPct: busy, freqKHz: throttled ? 1_200_000 : 2_400_000, maxFreqKHz: 2_400_000 })),
        load1: busy / 25,
        memTotalKB: 6_000_000,
        memAvailableKB: 3_000_000,
        thermal: [
          { zone: 'thermal_zone0', type: hostile ? `cpu${hostile}` : 'cpu', tempC: n === 0 ? (point.tempC ?? 45) : 40 },
          { zone: 'thermal_zone1', type: 'skin', tempC: 35 },
        ],
        batteryTempC: n === 0 ? (point.batteryTempC ?? 30) : 30,
        throttled,
      });
    }
  }
  return samples;
}
