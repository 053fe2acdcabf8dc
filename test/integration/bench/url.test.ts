// Target url: a shop someone else started, benched as it is. Here the reference shop, started by
// the test; no inventory, so no node is sampled.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { startLocalShop, type RunningShop } from '../../../bench/target/local-shop.ts';
import type { K6Summary } from '../../../rundir/k6.ts';
import type { Manifest, PointResult } from '../../../rundir/types.ts';
import { isOneLineError, REPO_ROOT, runEntry } from '../../helpers/cli.ts';

let shop: RunningShop;
let dir: string;
test.before(async () => {
  shop = await startLocalShop({ replicas: 1, port: 0, cpuMs: 1, prepFactor: 0.05, stationSlots: 5 });
  dir = await mkdtemp(join(tmpdir(), 'bench-url-'));
});
test.after.always(async () => {
  await shop?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const bench = (args: string[]) => runEntry(`${REPO_ROOT}bench/cli.ts`, args, { timeoutMs: 90_000 });

test.serial('a URL is benched as it is: the points run, nothing is sampled, the shop is the same process after', async (t) => {
  const config = join(dir, 'url.yml');
  await writeFile(config, [`target: { kind: url, url: [${shop.url}] }`, 'matrix: { ratesRps: [5, 10] }', 'durationS: 3', 'warmupS: 1'].join('\n'));
  const run = await bench(['run', '--config', config, '--results', join(dir, 'results'), '--json']);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stderr, /target url without --cluster: no node is sampled/);
  const [runId] = await readdir(join(dir, 'results'));
  const runDir = join(dir, 'results', runId!);
  const manifest = JSON.parse(await readFile(join(runDir, 'manifest.json'), 'utf8')) as Manifest;
  t.is(manifest.status, 'complete');
  t.deepEqual(manifest.cluster.nodes, []);
  t.is(manifest.inventory, null);
  const points = (await readdir(join(runDir, 'points'))).sort();
  t.deepEqual(points.map((point) => point.replace(/^p0\d-/, '')).sort(), ['10rps-rep1', '5rps-rep1']);
  for (const point of points) {
    const result = JSON.parse(await readFile(join(runDir, 'points', point, 'result.json'), 'utf8')) as PointResult;
    t.is(result.status, 'complete', point);
    const summary = JSON.parse(await readFile(join(runDir, 'points', point, 'k6-summary.json'), 'utf8')) as K6Summary;
    t.true(((summary.metrics.http_reqs as { count?: number }).count ?? 0) >= 10, point);
    t.is((await readFile(join(runDir, 'points', point, 'nodes.ndjson'), 'utf8').catch(() => '')).trim(), '', `${point}: no node samples`);
  }
  t.true((await readdir(runDir)).includes('report.html'));
  t.is((await fetch(`${shop.url}/v1/api/item-types`)).status, 200, 'the shop still serves');
});

test.serial('replicas for a url target, or --cluster for a local one, is one error line naming the fix', async (t) => {
  const config = join(dir, 'bad.yml');
  await writeFile(config, `target: { kind: url, url: ${shop.url} }\nmatrix: { replicas: [1, 2], ratesRps: [5] }\n`);
  const replicas = await bench(['run', '--config', config]);
  t.is(replicas.code, 2);
  t.true(isOneLineError(replicas.stderr), replicas.stderr);
  t.regex(replicas.stderr, /matrix\.replicas: target\.kind url deploys and scales nothing/);
  const local = await bench(['run', '--config', 'bench/configs/go-coffee-local.yml', '--cluster', 'cluster/cloudlet.yml']);
  t.is(local.code, 2);
  t.regex(local.stderr, /^error: --cluster was given, but the config's target\.kind is local-go-coffee/m);
});
