/**
 * One load run of each tool under test, with the same inputs and the same outputs: requests
 * answered, errors, latency percentiles, schedule error, and CPU/RSS samples beside the server's count.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENGINE_NODE_FLAGS } from '../node-flags.ts';
import { cpuPer1k, monitor, pinned, run, type Sample, type Server } from './measure.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface LoadResult {
  tool: string;
  targetRate: number;
  durationS: number;
  /** Responses received (any status) and failures (status 0 or unexpected, dropped iterations). */
  requests: number;
  errors: number;
  /** Requests answered per second of the configured duration. */
  achievedRate: number;
  latencyMs: { p50: number; p99: number; max: number } | null;
  /** Delay between scheduled and actual start, p99 (ms); null where the tool does not schedule. */
  scheduleErrorP99Ms: number | null;
  cpuPer1k: number | null;
  samples: Sample[];
  maxRssMB: number;
}

export interface RunSpec {
  rate: number;
  durationS: number;
  url: string;
  cpus: string | null;
  server: Server;
}

const TREND_STATS = 'avg,min,med,max,p(50),p(90),p(99),p(99.9),count';

export async function runEngine(
  spec: RunSpec,
  options: { script?: string; env?: Record<string, string>; workers?: number; samples?: boolean; extra?: string[]; label?: string } = {},
): Promise<LoadResult & { summary: Record<string, Record<string, number>> }> {
  const dir = await mkdtemp(join(tmpdir(), 'perf-engine-'));
  try {
    const summaryPath = join(dir, 'summary.json');
    // VUs for a quarter second of arrivals, and up to a second's worth when they are all busy: vegeta
    // adds workers without limit when responses are late, so a momentary stall (a GC, a busy core)
    // should not turn into dropped arrivals here either. Idle VUs cost memory only (the LIFO pool keeps
    // few connections).
    const args = [
      ...ENGINE_NODE_FLAGS,
      '--import',
      'tsx',
      join(REPO_ROOT, 'engine/cli.ts'),
      'run',
      options.script ?? join(REPO_ROOT, 'engine/perf/scripts/minimal.js'),
      '-q',
      '--no-summary',
      '--summary-export',
      summaryPath,
      '--summary-trend-stats',
      TREND_STATS,
      '--workers',
      String(options.workers ?? 1),
      '-e',
      `RATE=${spec.rate}`,
      '-e',
      `DURATION=${spec.durationS}s`,
      '-e',
      `URL=${spec.url}`,
      '-e',
      `BASE_URL=${spec.server.url}`,
      '-e',
      `PRE_VUS=${Math.max(100, Math.ceil(spec.rate / 4))}`,
      '-e',
      `MAX_VUS=${Math.max(2000, spec.rate)}`,
      ...Object.entries(options.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
      ...(options.samples === false ? [] : ['--out', `json=${join(dir, 'samples.json.gz')}`]),
      ...(options.extra ?? []),
    ];
    const [cmd, argv] = pinned(spec.cpus, process.execPath, args);
    const { child, done } = run(cmd, argv, { env: { ...process.env } });
    const mon = monitor(child.pid ?? 0, spec.server);
    const result = await done;
    const samples = await mon.stop();
    if (result.code !== 0 && result.code !== 99) throw new Error(`engine exited with code ${result.code}: ${result.stderr.slice(-2000)}`);
    const summary = JSON.parse(await readFile(summaryPath, 'utf8')) as { metrics: Record<string, Record<string, number>> };
    const m = summary.metrics;
    const requests = m.http_reqs?.count ?? 0;
    const failed = m.http_req_failed?.passes ?? 0;
    const dropped = m.dropped_iterations?.count ?? 0;
    const d = m.http_req_duration;
    return {
      tool: options.label ?? 'engine',
      targetRate: spec.rate,
      durationS: spec.durationS,
      requests,
      errors: failed + dropped,
      achievedRate: requests / spec.durationS,
      latencyMs: d ? { p50: d['p(50)'] ?? 0, p99: d['p(99)'] ?? 0, max: d.max ?? 0 } : null,
      scheduleErrorP99Ms: m.iteration_start_lag?.['p(99)'] ?? null,
      cpuPer1k: cpuPer1k(samples),
      samples,
      maxRssMB: Math.max(0, ...samples.map((s) => s.rssMB)),
      summary: m,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function runVegeta(vegeta: string, spec: RunSpec, withSchedule: boolean): Promise<LoadResult> {
  const dir = await mkdtemp(join(tmpdir(), 'perf-vegeta-'));
  try {
    const out = join(dir, 'results.bin');
    const [cmd, argv] = pinned(spec.cpus, vegeta, ['attack', `-rate=${spec.rate}/s`, `-duration=${spec.durationS}s`, `-output=${out}`, '-timeout=30s']);
    const { child, done } = run(cmd, argv, { stdin: `GET ${spec.url}\n` });
    const mon = monitor(child.pid ?? 0, spec.server);
    const result = await done;
    const samples = await mon.stop();
    if (result.code !== 0) throw new Error(`vegeta attack exited with code ${result.code}: ${result.stderr}`);
    const report = JSON.parse((await run(vegeta, ['report', '-type=json', out]).done).stdout) as {
      requests: number;
      rate: number;
      success: number;
      latencies: Record<string, number>;
      duration: number;
    };
    const ok = Math.round(report.requests * report.success);
    // Sent at its actual pace: requests per second of sending, scaled by the share answered.
    const achievedRate = Math.min(report.rate, report.requests / spec.durationS) * report.success;
    let scheduleErrorP99Ms: number | null = null;
    if (withSchedule) {
      const lines = (await run(vegeta, ['encode', '-to=json', out]).done).stdout.split('\n').filter(Boolean);
      const starts = lines.map((l) => JSON.parse(l) as { seq: number; timestamp: string }).sort((a, b) => a.seq - b.seq);
      const t0 = starts.length ? Date.parse(starts[0]?.timestamp ?? '') + fractionMs(starts[0]?.timestamp ?? '') : 0;
      const errors = starts
        .map((s) => Math.max(0, Date.parse(s.timestamp) + fractionMs(s.timestamp) - (t0 + (s.seq * 1000) / spec.rate)))
        .sort((a, b) => a - b);
      scheduleErrorP99Ms = errors[Math.min(errors.length - 1, Math.floor(errors.length * 0.99))] ?? null;
    }
    return {
      tool: 'vegeta',
      targetRate: spec.rate,
      durationS: spec.durationS,
      requests: report.requests,
      errors: report.requests - ok,
      achievedRate,
      latencyMs: { p50: (report.latencies['50th'] ?? 0) / 1e6, p99: (report.latencies['99th'] ?? 0) / 1e6, max: (report.latencies.max ?? 0) / 1e6 },
      scheduleErrorP99Ms,
      cpuPer1k: cpuPer1k(samples),
      samples,
      maxRssMB: Math.max(0, ...samples.map((s) => s.rssMB)),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Sub-millisecond part of an RFC 3339 timestamp (Date.parse keeps milliseconds only). */
function fractionMs(ts: string): number {
  const m = /\.(\d+)/.exec(ts);
  if (!m) return 0;
  const digits = (m[1] ?? '').padEnd(9, '0');
  return Number(digits.slice(3, 9)) / 1e6;
}

export async function runAutocannon(spec: RunSpec, connections: number): Promise<LoadResult> {
  const bin = join(REPO_ROOT, 'node_modules/autocannon/autocannon.js');
  const [cmd, argv] = pinned(spec.cpus, process.execPath, [
    bin,
    '-j',
    '-R',
    String(spec.rate),
    '-c',
    String(connections),
    '-d',
    String(spec.durationS),
    spec.url,
  ]);
  const { child, done } = run(cmd, argv);
  const mon = monitor(child.pid ?? 0, spec.server);
  const result = await done;
  const samples = await mon.stop();
  if (result.code !== 0) throw new Error(`autocannon exited with code ${result.code}: ${result.stderr}`);
  const r = JSON.parse(result.stdout) as {
    requests: { total: number };
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
    latency: Record<string, number>;
  };
  const errors = r.errors + r.timeouts + r.non2xx;
  const ok = r['2xx'] ?? Math.max(0, r.requests.total - r.non2xx);
  return {
    tool: 'autocannon',
    targetRate: spec.rate,
    durationS: spec.durationS,
    requests: r.requests.total,
    errors,
    achievedRate: ok / spec.durationS,
    latencyMs: { p50: r.latency.p50 ?? 0, p99: r.latency.p99 ?? 0, max: r.latency.max ?? 0 },
    scheduleErrorP99Ms: null,
    cpuPer1k: cpuPer1k(samples),
    samples,
    maxRssMB: Math.max(0, ...samples.map((s) => s.rssMB)),
  };
}

/**
 * Sustained: ≥ 99 % of the target rate answered and < 1 % errors (the definition), and not
 * falling behind (schedule error p99 ≤ 100 ms where the tool reports it): a generator that keeps
 * starting requests later and later is not sustaining the rate even if none fails.
 */
export const SUSTAINED_SCHEDULE_P99_MS = 100;

export function sustained(r: LoadResult): boolean {
  const expected = r.targetRate * r.durationS;
  return (
    r.achievedRate >= 0.99 * r.targetRate && r.errors < 0.01 * expected && (r.scheduleErrorP99Ms === null || r.scheduleErrorP99Ms <= SUSTAINED_SCHEDULE_P99_MS)
  );
}
