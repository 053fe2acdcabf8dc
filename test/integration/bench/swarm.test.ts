// The harness on the simulated cloudlet (test/helpers/testbed.ts): a scaling matrix end to end, a
// node cut off mid-point, and Ctrl-C followed by `bench resume`. Each test counts points and
// samples to show that nothing finished was lost.
import { access, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import test from 'ava';
import { setNodeLink } from '../../../cluster/testbed/network.ts';
import type { Manifest, NodeSample, PointResult } from '../../../rundir/types.ts';
import type { K6Summary } from '../../../rundir/k6.ts';
import type { RunEvent, RunEventOf } from '../../../rundir/events.ts';
import { REPO_ROOT, runEntry } from '../../helpers/cli.ts';
import { interruptDuringLoad } from '../../helpers/interrupt.ts';
import { startTestbed, type RunningTestbed } from '../../helpers/testbed.ts';
import { requireBinary } from '../../helpers/binaries.ts';

const BENCH = `${REPO_ROOT}bench/cli.ts`;
const STACK = `${REPO_ROOT}test/fixtures/stacks/shop-and-worker.yml`;
let testbed: RunningTestbed;

test.before(async () => {
  testbed = await startTestbed({ id: 6, nodes: 4, managers: 1, shopImage: true });
});
test.after.always(async () => {
  await testbed?.down();
});

async function config(matrix: string, durationS = 3): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-swarm-'));
  const path = join(dir, 'bench.yml');
  await writeFile(
    path,
    [
      'name: swarm-test',
      `target: { kind: swarm, stack: ${STACK}, stackName: cb, entryService: shop, entryPort: 5000 }`,
      `matrix: ${matrix}`,
      `durationS: ${durationS}`,
      'warmupS: 1',
      'settleS: 0.5',
      'pauseS: 0',
      'cooldown: { maxTempC: 90, maxWaitS: 20 }',
      'scenarioEnv: { PROBE: "off" }',
    ].join('\n'),
  );
  return { dir, path };
}

async function readLines<T>(path: string): Promise<T[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.trim()
    ? text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as T)
    : [];
}

interface PointOnDisk {
  id: string;
  result: PointResult;
  events: RunEvent[];
  nodes: NodeSample[];
  reqs: number;
}

async function pointsOf(runDir: string): Promise<PointOnDisk[]> {
  const ids = (await readdir(join(runDir, 'points'))).sort();
  return Promise.all(
    ids.map(async (id) => {
      const dir = join(runDir, 'points', id);
      const summary = JSON.parse(await readFile(join(dir, 'k6-summary.json'), 'utf8').catch(() => '{"metrics":{}}')) as K6Summary;
      return {
        id,
        result: JSON.parse(await readFile(join(dir, 'result.json'), 'utf8')) as PointResult,
        events: await readLines<RunEvent>(join(dir, 'events.ndjson')),
        nodes: await readLines<NodeSample>(join(dir, 'nodes.ndjson')),
        reqs: (summary.metrics.http_reqs as { count?: number } | undefined)?.count ?? 0,
      };
    }),
  );
}

/** Tasks of a service that the swarm wants running. */
async function desiredRunning(service: string): Promise<number> {
  const ps = await runEntry(`${REPO_ROOT}cluster/cli.ts`, ['--cluster', testbed.inventoryPath, 'ps', 'cb', '--json']);
  if (ps.code !== 0) throw new Error(ps.stderr);
  return (JSON.parse(ps.stdout) as { service: string; desiredState: string }[]).filter((task) => task.service === service && task.desiredState === 'running')
    .length;
}

test.serial(
  'a 2 services × 2 replica counts × 2 repetitions matrix: every point complete, with convergence, cooldown, node samples from every node and k6 results',
  async (t) => {
    const { dir, path } = await config('{ replicas: { shop: [1, 2], worker: [1, 2] }, ratesRps: [6], repetitions: 2 }');
    const run = await runEntry(
      BENCH,
      ['run', '--cluster', testbed.inventoryPath, '--config', path, '--results', join(dir, 'results'), '--load-generator', 'engine', '--json'],
      { timeoutMs: 600_000 },
    );
    t.is(run.code, 0, run.stderr);
    const outcome = JSON.parse(run.stdout) as { runDir: string; status: string };
    t.is(outcome.status, 'complete');
    const manifest = JSON.parse(await readFile(join(outcome.runDir, 'manifest.json'), 'utf8')) as Manifest;
    t.is(manifest.cluster.nodes.length, 4);
    t.true(manifest.images.some((i) => i.service === 'cb_shop' && i.digest !== null));
    const points = await pointsOf(outcome.runDir);
    t.is(points.length, 8);
    for (const point of points) {
      t.is(point.result.status, 'complete', point.id);
      const converged = point.events.find((e) => e.type === 'converged');
      t.true(typeof converged?.convergenceMs === 'number', `${point.id}: convergence time`);
      t.true(
        point.events.some((e) => e.type === 'cooldown' && e.timedOut === false),
        `${point.id}: cooldown wait`,
      );
      t.deepEqual([...new Set(point.nodes.map((n) => n.node))].sort(), ['node1', 'node2', 'node3', 'node4'], `${point.id}: samples from every node`);
      t.true(
        point.nodes.some((n) => n.thermal.length > 0 && n.batteryTempC !== null),
        `${point.id}: thermal and battery from the fixture trees`,
      );
      t.true(point.reqs > 0, `${point.id}: k6 results`);
    }
    // Each configuration ran twice, in shuffled order.
    const configs = points.map((p) => p.id.replace(/^p\d+-/, '').replace(/-rep\d$/, ''));
    t.is(new Set(configs).size, 4);
    await access(join(outcome.runDir, 'report.html'));
  },
);

test.serial('a node cut off mid-point: the gap is marked, the point completes, flagged', async (t) => {
  const { dir, path } = await config('{ replicas: { shop: [1] }, ratesRps: [6] }', 12);
  const ip = requireBinary('ip', 'iproute2');
  const results = join(dir, 'results');
  let cut = false;
  const run = await runEntry(
    BENCH,
    ['run', '--cluster', testbed.inventoryPath, '--config', path, '--results', results, '--load-generator', 'engine', '--json'],
    {
      timeoutMs: 300_000,
      onStderr: (text) => {
        if (!cut && /load 6 rps/.test(text)) {
          cut = true;
          // Cut a worker that runs no gateway, so the load goes on while its samples stop.
          void (async () => {
            const [runId] = await readdir(results);
            const [partial] = (await readdir(join(results, runId ?? '', 'points'))).filter((d) => d.endsWith('.partial'));
            const events = await readLines<RunEvent>(join(results, runId ?? '', 'points', partial ?? '', 'events.ndjson'));
            const gateways = ((events.find((e) => e.type === 'converged')?.baseUrls ?? []) as string[]).join(' ');
            const victim = testbed.layout.nodes.find((n) => n.role === 'worker' && !gateways.includes(n.ip))?.name ?? 'node4';
            await setNodeLink(testbed.layout, ip, victim, false);
            await new Promise((resolve) => setTimeout(resolve, 7000));
            await setNodeLink(testbed.layout, ip, victim, true);
          })();
        }
      },
    },
  );
  t.true(cut, run.stderr);
  t.is(run.code, 0, run.stderr);
  const outcome = JSON.parse(run.stdout) as { runDir: string };
  const [point] = await pointsOf(outcome.runDir);
  t.is(point?.result.status, 'complete');
  t.true(
    point?.result.flags.some((f) => f.code === 'node-lost'),
    JSON.stringify(point?.result.flags),
  );
  const lost = point?.events.find((e): e is RunEventOf<'node-lost'> => e.type === 'node-lost');
  const back = point?.events.find((e): e is RunEventOf<'node-back'> => e.type === 'node-back' && e.node === lost?.node);
  t.truthy(lost);
  t.true(typeof back?.gapMs === 'number' && back.gapMs >= 3000, JSON.stringify(back));
  // The lost node's samples stop and resume: a gap in its series, no samples invented.
  const times = (point?.nodes ?? []).filter((n) => n.node === lost?.node).map((n) => n.timeMs);
  t.true(times.some((time, i) => i > 0 && time - (times[i - 1] ?? time) >= 3000));
  t.true((point?.reqs ?? 0) > 0);
});

test.serial('Ctrl-C mid-run keeps the finished points and restores the replicas; resume runs the rest', async (t) => {
  const { dir, path } = await config('{ replicas: { shop: [1, 2] }, ratesRps: [6], repetitions: 2 }');
  const results = join(dir, 'results');
  const interrupt = interruptDuringLoad(results, 'p02');
  const first = await runEntry(BENCH, ['run', '--cluster', testbed.inventoryPath, '--config', path, '--results', results, '--load-generator', 'engine'], {
    timeoutMs: 300_000,
    onSpawn: (p) => interrupt.setPid(p),
  });
  interrupt.stop();
  t.true(interrupt.sent, first.stderr);
  t.is(first.code, 130, first.stderr);
  const [runId] = await readdir(results);
  const runDir = join(results, runId ?? '');
  t.is((JSON.parse(await readFile(join(runDir, 'manifest.json'), 'utf8')) as Manifest).status, 'interrupted');
  const before = await pointsOf(runDir);
  t.deepEqual(
    before.map((p) => p.result.status),
    ['complete', 'interrupted'],
  );
  const keptReqs = before[0]?.reqs ?? 0;
  t.true(keptReqs > 0);
  // The replicas went back to the stack's declared count (1).
  t.is(await desiredRunning('cb_shop'), 1);

  const resumed = await runEntry(BENCH, ['resume', runDir, '--cluster', testbed.inventoryPath, '--load-generator', 'engine', '--json'], {
    timeoutMs: 300_000,
  });
  t.is(resumed.code, 0, resumed.stderr);
  const after = await pointsOf(runDir);
  t.is(after.length, 4);
  t.true(after.every((p) => p.result.status === 'complete'));
  // The first point is the very same as before the interruption; the interrupted try is kept.
  t.is(after[0]?.reqs, keptReqs);
  t.is((await readdir(join(runDir, 'attempts'))).length, 1);
  const manifest = JSON.parse(await readFile(join(runDir, 'manifest.json'), 'utf8')) as Manifest;
  t.is(manifest.status, 'complete');
  t.is(manifest.resumes?.length, 1);
});

test.serial('a second generator over SSH shares the load by execution segment; the point merges both', async (t) => {
  const { parse, stringify } = await import('yaml');
  const inventory = parse(await readFile(testbed.inventoryPath, 'utf8')) as { nodes: { name: string; host: string }[]; generators?: unknown[] };
  const node4 = inventory.nodes.find((n) => n.name === 'node4');
  // The testbed's nodes share this machine's files, so node4 can run the engine of this checkout.
  inventory.generators = [{ name: 'gen4', host: node4?.host, command: [process.execPath, '--import', 'tsx', 'engine/cli.ts'], workdir: REPO_ROOT }];
  const withGenerator = join(dirname(testbed.inventoryPath), 'inventory-generators.yml');
  await writeFile(withGenerator, stringify(inventory));
  const { dir, path } = await config('{ replicas: { shop: [1] }, ratesRps: [10] }', 4);
  const run = await runEntry(
    BENCH,
    ['run', '--cluster', withGenerator, '--config', path, '--results', join(dir, 'results'), '--load-generator', 'engine', '--json'],
    { timeoutMs: 300_000 },
  );
  t.is(run.code, 0, run.stderr);
  const outcome = JSON.parse(run.stdout) as { runDir: string };
  const [point] = await pointsOf(outcome.runDir);
  t.is(point?.result.status, 'complete');
  const pointDir = join(outcome.runDir, 'points', point?.id ?? '');
  const parts: number[] = [];
  for (const name of ['local', 'gen4']) {
    const summary = JSON.parse(await readFile(join(pointDir, 'generators', name, 'k6-summary.json'), 'utf8')) as K6Summary;
    parts.push((summary.metrics.http_reqs as { count: number }).count);
  }
  t.true(
    parts.every((n) => n > 0),
    JSON.stringify(parts),
  );
  // The merged point has every request of both parts.
  t.is(point?.reqs, (parts[0] ?? 0) + (parts[1] ?? 0));
  const { gunzipSync } = await import('node:zlib');
  const lines = gunzipSync(await readFile(join(pointDir, 'k6-samples.ndjson.gz')))
    .toString('utf8')
    .trim()
    .split('\n');
  const samples = lines.map((l) => JSON.parse(l) as { metric: string; type: string; data: { tags?: Record<string, string> } });
  const tags = new Set(samples.map((l) => l.data.tags?.generator).filter(Boolean));
  t.deepEqual([...tags].sort(), ['gen4', 'local']);
  // The segments split the arrivals, not copy them: the mix's requests add up to rate × duration
  // (10/s × 4 s), about half each (the probe's one order and its polls go to one generator).
  const mix = (generator: string) =>
    samples.filter((l) => l.type === 'Point' && l.metric === 'http_reqs' && l.data.tags?.scenario !== 'probe' && l.data.tags?.generator === generator).length;
  const [local, remote] = [mix('local'), mix('gen4')];
  t.true(Math.abs(local + remote - 40) <= 3, `${local} + ${remote} requests for 10/s over 4 s`);
  t.true(Math.abs(local - remote) <= 4, `${local} and ${remote}: even segments`);
  // Each generator's histogram log reached the point (the remote one copied back over SSH).
  const hlog = await readFile(join(pointDir, 'k6-trends.hlog'), 'utf8');
  t.is(hlog.match(/^#\[StartTime: /gm)?.length, 2, hlog.slice(0, 400));
});
