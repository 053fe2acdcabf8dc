// The issue's done-when, as a researcher with no cluster runs it: `npm run bench -- run --config
// bench/configs/go-coffee-local.yml` gives a report of the real Go coffee shop. And the shop it
// starts dies with the bench, even when the bench is SIGKILLed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { K6Summary } from '../../../rundir/k6.ts';
import type { Manifest, PointResult } from '../../../rundir/types.ts';
import { REPO_ROOT, runEntry } from '../../helpers/cli.ts';
import { waitFor } from '../../helpers/poll.ts';
import { alive, descendants } from '../../helpers/procs.ts';
import { binaries } from '../shop/gocoffee/helpers.ts';

let results: string;
test.before(async () => {
  // Builds (or finds cached) the binaries first, so a missing source or Go fails here in one line.
  await binaries('amd64');
  results = await mkdtemp(join(tmpdir(), 'go-coffee-local-bench-'));
});
test.after.always(async () => {
  if (results) await rm(results, { recursive: true, force: true });
});

/** `npm run bench -- …` in a subprocess, as a user types it. */
function npmRunBench(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'bench', '--', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Processes whose command line names `dir` (postgres -D <dir>/pgdata, and the like). */
async function processesIn(dir: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(dir)) found.push(Number(entry));
  }
  return found;
}

test.serial('npm run bench -- run --config bench/configs/go-coffee-local.yml: a report of the real shop, every point with k6 results', async (t) => {
  t.timeout(600_000);
  const started = Date.now();
  const run = await npmRunBench(['run', '--config', 'bench/configs/go-coffee-local.yml', '--results', results], 580_000);
  t.log(`bench run: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  t.is(run.code, 0, run.stderr);
  const report = run.stdout.trim().split('\n').at(-1)!;
  t.regex(report, /report\.html$/);
  t.true(existsSync(report));
  const dir = join(report, '..');
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  t.is(manifest.status, 'complete');
  t.regex(manifest.images[0]?.image ?? '', /^go-coffee product \(local build [0-9a-f]+, amd64, /);
  const points = (await readdir(join(dir, 'points'))).sort();
  t.deepEqual(points, ['p01-kitchen2-1.5rps-rep1', 'p02-kitchen1-1.5rps-rep1', 'p03-kitchen1-0.5rps-rep1', 'p04-kitchen2-0.5rps-rep1'].sort());
  let fulfilled = 0;
  for (const point of points) {
    const result = JSON.parse(await readFile(join(dir, 'points', point, 'result.json'), 'utf8')) as PointResult;
    t.is(result.status, 'complete', point);
    const summary = JSON.parse(await readFile(join(dir, 'points', point, 'k6-summary.json'), 'utf8')) as K6Summary;
    t.true(((summary.metrics.http_reqs as { count?: number }).count ?? 0) >= 15, `${point}: requests`);
    fulfilled += (summary.metrics.order_fulfilled_ms as { count?: number } | undefined)?.count ?? 0;
    t.true((await readFile(join(dir, 'points', point, 'nodes.ndjson'), 'utf8')).trim().split('\n').length >= 10, `${point}: node samples`);
  }
  t.true(fulfilled >= 4, `probe orders fulfilled across the run: ${fulfilled}`);
  // The shop stopped with the run: its folder is gone and no process names it.
  const folder = /its folder is (\S+)/.exec(run.stderr)?.[1];
  t.truthy(folder, run.stderr);
  t.false(existsSync(folder!));
  t.deepEqual(await processesIn(folder!), []);
});

test.serial('SIGKILL of the bench stops the real shop it started: postgres, rabbitmq and every Go service', async (t) => {
  t.timeout(240_000);
  const config = join(results, 'short.yml');
  await writeFile(
    config,
    ['target: { kind: local-go-coffee }', 'matrix: { replicas: [2], ratesRps: [0.5] }', 'durationS: 60', 'warmupS: 0', 'scenarioEnv: { PROBE: "off" }'].join(
      '\n',
    ),
  );
  let pid = 0;
  let shop: number[] = [];
  const killed = new Promise<void>((resolve, reject) => {
    runEntry(`${REPO_ROOT}bench/cli.ts`, ['run', '--config', config, '--results', join(results, 'killed')], {
      timeoutMs: 200_000,
      onSpawn: (p) => (pid = p),
      onStderr: (text) => {
        if (shop.length || !/real go-coffee serving on/.test(text)) return;
        shop = [-1];
        void descendants(pid).then(async (below) => {
          shop = [];
          for (const child of below) if ((await readFile(`/proc/${child}/comm`, 'utf8').catch(() => '')).trim() !== 'esbuild') shop.push(child);
          process.kill(pid, 'SIGKILL');
          resolve();
        }, reject);
      },
    }).then((result) => (shop.length ? undefined : reject(new Error(`the bench ended before the shop served: ${result.stderr}`))), reject);
  });
  await killed;
  // postgres, epmd, beam (rabbitmq), product, counter, 1 barista, 2 kitchens, proxy, and the supervisor's watcher.
  t.true(shop.length >= 9, `processes under the bench: ${shop.length}`);
  await waitFor('every process of the shop to stop', () => shop.every((p) => !alive(p)), 15_000, 200);
  t.pass();
});
