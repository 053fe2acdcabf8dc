// The embedded default with InfluxDB configured, end to end through the bench command and a real
// influxd: k6 and host series land under the run's tag; influxd stopped mid-run loses nothing (the
// run directory has everything, and `bench backfill` restores InfluxDB).
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { REPO_ROOT, runEntry } from '../../helpers/cli.ts';
import { startInfluxd } from '../../helpers/influxd.ts';

const BENCH = `${REPO_ROOT}bench/cli.ts`;

async function config(): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-influx-'));
  const path = join(dir, 'tiny.yml');
  await writeFile(path, 'name: tiny\nmatrix: { replicas: [1, 2], ratesRps: [8] }\ndurationS: 3\nwarmupS: 0\npauseS: 0\nscenarioEnv: { PROBE: "off" }\n');
  return { dir, path };
}

async function count(influxd: { query(q: string): Promise<Record<string, unknown>[]> }, measurement: string, field: string, runId: string): Promise<number> {
  const rows = await influxd.query(`SELECT count("${field}") FROM "${measurement}" WHERE "run" = '${runId}'`);
  return Number(rows[0]?.count ?? 0);
}

async function samplesIn(runDir: string): Promise<{ nodes: number; reqs: number }> {
  let nodes = 0;
  let reqs = 0;
  for (const point of await readdir(join(runDir, 'points'))) {
    nodes += (await readFile(join(runDir, 'points', point, 'nodes.ndjson'), 'utf8')).trim().split('\n').length;
    const summary = JSON.parse(await readFile(join(runDir, 'points', point, 'k6-summary.json'), 'utf8')) as { metrics: { http_reqs: { count: number } } };
    reqs += summary.metrics.http_reqs.count;
  }
  return { nodes, reqs };
}

test.serial('a bench run streams host and k6 series into InfluxDB under its run tag', async (t) => {
  const influxd = await startInfluxd();
  t.teardown(() => influxd.stop());
  const { dir, path } = await config();
  const run = await runEntry(BENCH, ['--config', path, '--results', join(dir, 'results'), '--load-generator', 'engine', '--json'], {
    env: { CLOUDLET_INFLUX_URL: influxd.url },
  });
  t.is(run.code, 0, run.stderr);
  const outcome = JSON.parse(run.stdout) as { runDir: string };
  const runId = outcome.runDir.split('/').pop() ?? '';
  const inDir = await samplesIn(outcome.runDir);
  t.is(await count(influxd, 'http_req_duration', 'value', runId), inDir.reqs);
  t.is(await count(influxd, 'node', 'load1', runId), inDir.nodes);
});

test.serial('influxd stopped mid-run: the run goes on and loses nothing; backfill restores InfluxDB', async (t) => {
  const influxd = await startInfluxd();
  t.teardown(() => influxd.stop());
  const { dir, path } = await config();
  let killed: Promise<void> | null = null;
  const run = await runEntry(BENCH, ['--config', path, '--results', join(dir, 'results'), '--load-generator', 'engine', '--json'], {
    env: { CLOUDLET_INFLUX_URL: influxd.url },
    onStderr: (text) => {
      if (!killed && text.includes('[1/2]')) killed = influxd.kill();
    },
  });
  await killed;
  t.is(run.code, 0, run.stderr);
  t.regex(run.stderr, /InfluxDB is missing \d+ points of this run/);
  const outcome = JSON.parse(run.stdout) as { runDir: string; status: string };
  t.is(outcome.status, 'complete');
  const runId = outcome.runDir.split('/').pop() ?? '';
  const inDir = await samplesIn(outcome.runDir);
  t.true(inDir.reqs > 0 && inDir.nodes > 0);
  await influxd.start();
  const backfill = await runEntry(BENCH, ['backfill', outcome.runDir, '--influx-url', influxd.url]);
  t.is(backfill.code, 0, backfill.stderr);
  t.is(await count(influxd, 'http_req_duration', 'value', runId), inDir.reqs);
  t.is(await count(influxd, 'node', 'load1', runId), inDir.nodes);
});
