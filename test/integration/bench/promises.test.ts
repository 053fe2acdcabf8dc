// README promises met where a user meets them, in bench runs: crossed thresholds are a result (exit
// 0, the point flagged), nightly's exit codes for a run with a failed point (3) or an interrupted
// one (130) and neither ever becoming latest-good, and the constant-VUs (locust) and ramping
// (stress) executors driving a real run. The targets are `url` ones, so each run starts nothing.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import test from 'ava';
import type { NightlyHistory } from '../../../bench/nightly.ts';
import { startLocalShop, type RunningShop } from '../../../bench/target/local-shop.ts';
import type { K6Summary } from '../../../rundir/k6.ts';
import type { PointResult } from '../../../rundir/types.ts';
import { REPO_ROOT, runEntry } from '../../helpers/cli.ts';
import { interruptDuringLoad } from '../../helpers/interrupt.ts';

const BENCH = `${REPO_ROOT}bench/cli.ts`;
let shop: RunningShop;
let dir: string;
test.before(async () => {
  shop = await startLocalShop({ replicas: 1, port: 0, cpuMs: 1, prepFactor: 0.05, stationSlots: 5 });
  dir = await mkdtemp(join(tmpdir(), 'bench-promises-'));
});
test.after.always(async () => {
  await shop?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const bench = (args: string[], options: Parameters<typeof runEntry>[2] = {}) =>
  runEntry(BENCH, [...args, '--load-generator', 'engine'], { timeoutMs: 180_000, ...options });

async function config(name: string, url: string, lines: string[]): Promise<string> {
  const path = join(dir, `${name}.yml`);
  await writeFile(path, [`name: ${name}`, `target: { kind: url, url: [${url}] }`, 'warmupS: 0', 'pauseS: 0', ...lines].join('\n'));
  return path;
}

/**
 * A gateway that answers the readiness probe (GET /v1/api/item-types) and then: `fail`s every other
 * request with the Go shop's 500 body, or `vanish`es (stops listening and drops its connections).
 */
async function gateway(t: import('ava').ExecutionContext, behaviour: 'fail' | 'vanish'): Promise<string> {
  let server: Server | undefined;
  server = createServer((req, res) => {
    if (req.url === '/v1/api/item-types') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('[]');
      if (behaviour === 'vanish') {
        server?.close();
        server?.closeAllConnections();
      }
      return;
    }
    res.writeHead(500, { 'Content-Type': 'application/json' }).end('{"code":13,"message":"boom","details":[]}');
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server?.close();
    server?.closeAllConnections();
  });
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

async function onlyPoint(runDir: string): Promise<{ dir: string; result: PointResult }> {
  const [name] = await readdir(join(runDir, 'points'));
  const pointDir = join(runDir, 'points', name ?? '');
  return { dir: pointDir, result: JSON.parse(await readFile(join(pointDir, 'result.json'), 'utf8')) as PointResult };
}

interface Sample {
  type: string;
  metric: string;
  data: { time: string; value: number; tags?: Record<string, string> };
}

async function samplesOf(pointDir: string): Promise<Sample[]> {
  return gunzipSync(await readFile(join(pointDir, 'k6-samples.ndjson.gz')))
    .toString('utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Sample)
    .filter((l) => l.type === 'Point');
}

test.serial('crossed thresholds are a result, not an error: exit 0, the point complete and flagged, the report says which', async (t) => {
  const url = await gateway(t, 'fail');
  const path = await config('thresholds', url, ['matrix: { ratesRps: [6] }', 'durationS: 2', 'scenarioEnv: { PROBE: "off" }']);
  const run = await bench(['run', '--config', path, '--results', join(dir, 'thresholds'), '--json']);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stderr, /thresholds crossed \(a result, not an error\)/);
  const { runDir, status } = JSON.parse(run.stdout) as { runDir: string; status: string };
  t.is(status, 'complete');
  const point = await onlyPoint(runDir);
  t.like(point.result, { status: 'complete', thresholdsPassed: false, loadExitCode: 99 });
  // generator-behind depends on how busy the machine is (the engine's start lag), not on this run.
  t.deepEqual(
    point.result.flags.map((f) => f.code).filter((code) => code !== 'generator-behind'),
    ['thresholds-crossed'],
  );
  // Which one: two requests in three fail (item-types answers), far above the load profile's 1 %.
  const summary = JSON.parse(await readFile(join(point.dir, 'k6-summary.json'), 'utf8')) as K6Summary;
  t.deepEqual((summary.metrics.http_req_failed as { thresholds: Record<string, boolean> }).thresholds, { 'rate<0.01': true });
  const report = JSON.parse(await readFile(join(runDir, 'summary.json'), 'utf8')) as { points: { flags: { code: string }[]; errorPct: number }[] };
  t.deepEqual(
    report.points[0]?.flags.map((f) => f.code).filter((code) => code !== 'generator-behind'),
    ['thresholds-crossed'],
  );
  t.true((report.points[0]?.errorPct ?? 0) > 50, String(report.points[0]?.errorPct));
});

test.serial('nightly: a run with a failed point exits 3, an interrupted one 130, and neither becomes latest-good', async (t) => {
  const history = join(dir, 'nightly-history.json');
  const common = ['nightly', '--history', history];

  // The gateway vanishes after the readiness probe: target-down, the point failed.
  const vanishing = await config('nightly-failed', await gateway(t, 'vanish'), ['matrix: { ratesRps: [4] }', 'durationS: 5', 'scenarioEnv: { PROBE: "off" }']);
  const failed = await bench([...common, '--config', vanishing, '--results', join(dir, 'nightly-1')]);
  t.is(failed.code, 3, failed.stderr);
  t.regex(failed.stderr, /failed/);

  const good = await config('nightly-good', shop.url, ['matrix: { ratesRps: [4] }', 'durationS: 4', 'scenarioEnv: { PROBE: "off" }']);
  const interrupt = interruptDuringLoad(join(dir, 'nightly-2'), 'p01');
  const interrupted = await bench([...common, '--config', good, '--results', join(dir, 'nightly-2')], { onSpawn: (pid) => interrupt.setPid(pid) });
  interrupt.stop();
  t.true(interrupt.sent, interrupted.stderr);
  t.is(interrupted.code, 130, interrupted.stderr);

  const entries = (JSON.parse(await readFile(history, 'utf8')) as NightlyHistory).runs;
  t.deepEqual(
    entries.map((e) => [e.status, e.verdict, e.failedPoints?.length ?? 0]),
    [
      ['complete', null, 1],
      ['interrupted', null, 0],
    ],
  );
  // Neither is a baseline: the next night has none.
  const next = await bench([...common, '--config', good, '--results', join(dir, 'nightly-3')]);
  t.is(next.code, 0, next.stderr);
  t.regex(next.stderr, /no baseline yet \(latest-good\)/);
});

test.serial('the constant-VUs executor (profile locust) and the ramping one (profile stress) drive a run', async (t) => {
  // Closed model: 2 users, no think time to speak of, over 3 s.
  const locust = await config('locust', shop.url, [
    'profile: locust',
    'matrix: { ratesRps: [1] }',
    'durationS: 3',
    'scenarioEnv: { VUS: "2", THINK_MIN: "0", THINK_MAX: "0.1", PROBE: "off" }',
  ]);
  const closed = await bench(['run', '--config', locust, '--results', join(dir, 'locust'), '--json']);
  t.is(closed.code, 0, closed.stderr);
  const closedPoint = await onlyPoint((JSON.parse(closed.stdout) as { runDir: string }).runDir);
  t.is(closedPoint.result.status, 'complete');
  const closedSamples = await samplesOf(closedPoint.dir);
  // Every iteration and request of the closed model (engine-wide gauges such as vus carry no scenario).
  const work = closedSamples.filter((s) => s.metric === 'iterations' || s.metric === 'http_reqs');
  t.deepEqual([...new Set(work.map((s) => s.data.tags?.scenario))], ['locust']);
  t.true(closedSamples.filter((s) => s.metric === 'iterations').length >= 2);

  // Open model, ramping: 20/s over 10 s in five stages: a quarter (5/s) up to the rate, the rate,
  // up to twice, twice (40/s), down to zero. Seconds 6–8 run at 40/s, seconds 0–2 at 5 → 20/s.
  const stress = await config('stress', shop.url, ['profile: stress', 'matrix: { ratesRps: [20] }', 'durationS: 10', 'scenarioEnv: { PROBE: "off" }']);
  const ramp = await bench(['run', '--config', stress, '--results', join(dir, 'stress'), '--json']);
  t.is(ramp.code, 0, ramp.stderr);
  const rampPoint = await onlyPoint((JSON.parse(ramp.stdout) as { runDir: string }).runDir);
  t.is(rampPoint.result.status, 'complete');
  const started = (await readFile(join(rampPoint.dir, 'events.ndjson'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; timeMs: number })
    .find((e) => e.type === 'load-start')?.timeMs;
  const times = (await samplesOf(rampPoint.dir)).filter((s) => s.metric === 'iterations').map((s) => Date.parse(s.data.time));
  const first = Math.min(...times);
  t.true(started !== undefined && first >= started - 1000, `first iteration ${first}, load-start ${started}`);
  const inSeconds = (from: number, to: number) => times.filter((time) => time - first >= from * 1000 && time - first < to * 1000).length;
  const early = inSeconds(0, 2);
  const peak = inSeconds(6, 8);
  t.log(`iterations in seconds 0–2: ${early}, 6–8: ${peak}`);
  t.true(peak > 2 * early, `the rate ramped: ${early} iterations in seconds 0–2, ${peak} in 6–8`);
  t.true(peak >= 50, `about 80 iterations at 40/s in seconds 6–8, got ${peak}`);
});
