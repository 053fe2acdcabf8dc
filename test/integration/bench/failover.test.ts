// The manager the harness talks to is lost mid-run (its engine killed): the harness carries on
// through another manager of the inventory once the swarm has a new leader, and every point completes.
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { stopEngineProcess } from '../../../cluster/testbed/nodes.ts';
import type { Manifest, PointResult } from '../../../rundir/types.ts';
import { REPO_ROOT, runEntry } from '../../helpers/cli.ts';
import { startTestbed, type RunningTestbed } from '../../helpers/testbed.ts';

const BENCH = `${REPO_ROOT}bench/cli.ts`;
let testbed: RunningTestbed;

test.before(async () => {
  testbed = await startTestbed({ id: 8, nodes: 5, managers: 3, shopImage: true });
});
test.after.always(async () => {
  await testbed?.down();
});

test.serial('losing the manager the harness talks to: it carries on through another one', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bench-failover-'));
  const config = join(dir, 'bench.yml');
  await writeFile(
    config,
    [
      'name: failover',
      `target: { kind: swarm, stack: ${REPO_ROOT}test/fixtures/stacks/shop-on-workers.yml, stackName: fo, entryService: shop }`,
      'matrix: { replicas: { shop: [1, 2] }, ratesRps: [5], repetitions: 2 }',
      'durationS: 3',
      'warmupS: 0',
      'settleS: 0.5',
      'pauseS: 0',
      'cooldown: { maxTempC: 90, maxWaitS: 20 }',
      'scenarioEnv: { PROBE: "off" }',
    ].join('\n'),
  );
  const results = join(dir, 'results');
  let killed = false;
  const run = await runEntry(
    BENCH,
    ['run', '--cluster', testbed.inventoryPath, '--config', config, '--results', results, '--load-generator', 'engine', '--json'],
    {
      timeoutMs: 480_000,
      onStderr: (text) => {
        // node1 is the first manager in the inventory: the one the harness connected to.
        if (!killed && text.includes('[2/4]')) {
          killed = true;
          void stopEngineProcess(testbed.layout.nodes.find((n) => n.name === 'node1')!, 'SIGKILL');
        }
      },
    },
  );
  t.true(killed, run.stderr);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stderr, /retrying through the inventory's managers/);
  const outcome = JSON.parse(run.stdout) as { runDir: string };
  const manifest = JSON.parse(await readFile(join(outcome.runDir, 'manifest.json'), 'utf8')) as Manifest;
  t.is(manifest.status, 'complete');
  const points = await readdir(join(outcome.runDir, 'points'));
  t.is(points.length, 4);
  for (const point of points) {
    const result = JSON.parse(await readFile(join(outcome.runDir, 'points', point, 'result.json'), 'utf8')) as PointResult;
    t.is(result.status, 'complete', point);
  }
});
