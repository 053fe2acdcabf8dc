import { access, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { Manifest, PointResult } from '../../../rundir/types.ts';
import type { K6Summary } from '../../../rundir/k6.ts';
import { isOneLineError, REPO_ROOT, runEntry } from '../../helpers/cli.ts';
import { interruptDuringLoad } from '../../helpers/interrupt.ts';
import { checkRealReport } from '../../helpers/real-report.ts';

const BENCH = `${REPO_ROOT}bench/cli.ts`;

async function tinyConfig(extra = ''): Promise<{ dir: string; config: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-cli-'));
  const config = join(dir, 'tiny.yml');
  await writeFile(
    config,
    `name: tiny\nmatrix: { replicas: [1, 2], ratesRps: [8], repetitions: 1 }\ndurationS: 3\nwarmupS: 1\npauseS: 0\nscenarioEnv: { PROBE_INTERVAL: "1", PROBE_POLL: "0.1" }\n${extra}`,
  );
  return { dir, config };
}

// --help of every bench command: test/integration/help.test.ts.

test('bad input is one line on stderr and exit code 2', async (t) => {
  const { dir, config } = await tinyConfig();
  const badYaml = join(dir, 'bad.yml');
  await writeFile(badYaml, 'matrix: { replicas: [0, 2], ratesRps: [] }\nwarmup: 3\n');
  const cases: [string[], RegExp][] = [
    [['--bogus'], /unknown option '--bogus'/],
    // The script's declared variables (its exported env), then the script's own checks, as the engine runs it.
    [['run', '--config', config, '-e', 'PROBE_TIMEOUT=soon'], /scenario environment: PROBE_TIMEOUT: expected a number, got "soon"/],
    [['run', '--config', config, '-e', 'PROBE_TIMEOUT=0'], /scenario environment: PROBE_TIMEOUT: expected seconds > 0, got "0" \(coffee\.ts refused it\)/],
    [['run', '--config', config, '-e', 'NOPE=1'], /scenario environment: NOPE: the script does not read this variable \(it declares BASE_URL, PROFILE, RATE/],
    [['run', '--config', config, '-e', 'RATE=5'], /RATE: set by the bench config's matrix.ratesRps/],
    [['run', '--config', join(dir, 'missing.yml')], /cannot read config .*missing.yml: no such file/],
    [['run', '--load-generator', 'gatling'], /argument 'gatling' is invalid/],
  ];
  for (const [args, message] of cases) {
    const result = await runEntry(BENCH, args);
    t.is(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    t.true(isOneLineError(result.stderr), `${args.join(' ')}: ${result.stderr}`);
    t.regex(result.stderr, message);
  }
  // A config with several mistakes names every field, one line each, with its dot-path.
  const result = await runEntry(BENCH, ['plan', '--config', badYaml]);
  t.is(result.code, 2);
  t.regex(result.stderr, /matrix\.replicas\[0\]: replicas must be ≥ 1/);
  t.regex(result.stderr, /matrix\.ratesRps: list at least one rate/);
  t.regex(result.stderr, /Unrecognized key: "warmup"/);
  t.notRegex(result.stderr, /\n\s+at /);
});

test('a fixed port that is in use fails before anything starts', async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const { dir, config } = await tinyConfig(`target: { kind: local-shop, port: ${port} }\n`);
  const result = await runEntry(BENCH, ['run', '--config', config, '--results', join(dir, 'results')]);
  t.is(result.code, 2);
  t.true(isOneLineError(result.stderr), result.stderr);
  t.regex(result.stderr, /is in use/);
  await t.throwsAsync(access(join(dir, 'results')));
});

test('plan and --dry-run print the plan and start nothing', async (t) => {
  const { dir, config } = await tinyConfig();
  const plan = await runEntry(BENCH, ['plan', '--config', config, '--json']);
  t.is(plan.code, 0, plan.stderr);
  const parsed = JSON.parse(plan.stdout) as { points: { pointId: string }[]; estimateS: number };
  t.is(parsed.points.length, 2);
  const dry = await runEntry(BENCH, ['run', '--dry-run', '--config', config, '--results', join(dir, 'results')]);
  t.is(dry.code, 0, dry.stderr);
  t.regex(dry.stdout, /tiny: 2 points, about \d+ s plus scaling/);
  t.regex(dry.stderr, /dry run: 2 point\(s\) through every stage against fakes, complete/);
  await t.throwsAsync(access(join(dir, 'results')));
});

async function pointsOf(runDir: string) {
  const ids = (await readdir(join(runDir, 'points'))).sort();
  return Promise.all(
    ids.map(async (id) => ({
      id,
      result: JSON.parse(await readFile(join(runDir, 'points', id, 'result.json'), 'utf8')) as PointResult,
      dir: join(runDir, 'points', id),
    })),
  );
}

test.serial('two runs give two run directories with real numbers in every point and a report', async (t) => {
  const { dir, config } = await tinyConfig();
  const results = join(dir, 'results');
  const runs: string[] = [];
  for (let i = 0; i < 2; i++) {
    const run = await runEntry(BENCH, ['--config', config, '--results', results, '--load-generator', 'engine']);
    t.is(run.code, 0, run.stderr);
    const reportPath = run.stdout.trim();
    t.regex(reportPath, /report\.html$/);
    await access(reportPath);
    runs.push(reportPath.replace(/\/report\.html$/, ''));
  }
  t.not(runs[0], runs[1]);
  t.deepEqual((await readdir(results)).length, 2);
  for (const runDir of runs) {
    const manifest = JSON.parse(await readFile(join(runDir, 'manifest.json'), 'utf8')) as Manifest;
    t.is(manifest.status, 'complete');
    t.is(manifest.loadGenerator.name, 'engine');
    t.deepEqual(manifest.plannedPoints.length, 2);
    // The report of a real local run: its numbers recomputed from the raw samples.
    await checkRealReport(t, runDir, { points: manifest.plannedPoints, rateRps: 8, durationS: 3 });
    for (const point of await pointsOf(runDir)) {
      t.is(point.result.status, 'complete');
      const summary = JSON.parse(await readFile(join(point.dir, 'k6-summary.json'), 'utf8')) as K6Summary;
      t.true(((summary.metrics.http_reqs as { count: number }).count ?? 0) > 0, point.id);
      const nodes = (await readFile(join(point.dir, 'nodes.ndjson'), 'utf8')).trim().split('\n');
      t.true(nodes.length >= 2, `${point.id}: host samples`);
      await access(join(point.dir, 'k6-samples.ndjson.gz'));
      const events = (await readFile(join(point.dir, 'events.ndjson'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { type: string }).type);
      t.deepEqual(events, ['scale', 'converged', 'cooldown', 'warmup-start', 'warmup-end', 'load-start', 'load-end']);
      await access(join(point.dir, 'k6-trends.hlog'));
    }
  }
  // The report's percentiles come from the engine's histogram log: without the raw samples a point
  // still has its latency (an old run, with samples and no log, reads its samples: the reports tests).
  type Summary = { points: { pointId: string; latency: { count: number; p95Ms: number | null } }[] };
  const runDir = runs[0]!;
  const before = JSON.parse(await readFile(join(runDir, 'summary.json'), 'utf8')) as Summary;
  const [first] = await pointsOf(runDir);
  await rm(join(first!.dir, 'k6-samples.ndjson.gz'));
  const report = await runEntry(BENCH, ['report', runDir]);
  t.is(report.code, 0, report.stderr);
  const after = JSON.parse(await readFile(join(runDir, 'summary.json'), 'utf8')) as Summary;
  const latencyOf = (s: Summary) => s.points.find((p) => p.pointId === first!.id)?.latency;
  t.true((latencyOf(before)?.count ?? 0) > 0);
  t.deepEqual(latencyOf(after), latencyOf(before));
});

test.serial('Ctrl-C keeps every finished point, marks the rest interrupted, exits 130', async (t) => {
  const { dir, config } = await tinyConfig();
  const results = join(dir, 'results');
  const interrupt = interruptDuringLoad(results, 'p02');
  const run = await runEntry(BENCH, ['--config', config, '--results', results, '--load-generator', 'engine'], { onSpawn: (p) => interrupt.setPid(p) });
  interrupt.stop();
  t.true(interrupt.sent, run.stderr);
  t.is(run.code, 130, run.stderr);
  const [runId] = await readdir(results);
  const runDir = join(results, runId ?? '');
  const manifest = JSON.parse(await readFile(join(runDir, 'manifest.json'), 'utf8')) as Manifest;
  t.is(manifest.status, 'interrupted');
  const points = await pointsOf(runDir);
  t.deepEqual(
    points.map((p) => p.result.status),
    ['complete', 'interrupted'],
  );
  // The interrupted point still has what its generator wrote before stopping.
  await access(join(points[1]?.dir ?? '', 'k6-summary.json'));
});
