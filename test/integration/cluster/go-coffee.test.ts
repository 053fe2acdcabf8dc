// The real Go coffee shop on the simulated cloudlet, as a user runs it: its images built here
// (images-real, amd64 only), checked by doctor and deploy before they are on the nodes, loaded with
// `cluster images load`, the phones' stack file deployed with `cluster deploy go-coffee` (adapted by
// the testbed's inventory: our images, x86_64, dnsrr), orders fulfilled, the kitchen scaled, a bench
// matrix run, the effective file deployed by `docker stack deploy` with the same specs, and the
// cluster torn down and built again.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { Finding } from '../../../cluster/doctor/diagnose.ts';
import type { ImageLoadResult } from '../../../cluster/images/load.ts';
import type { DeployResult } from '../../../cluster/stack/deploy.ts';
import type { ScaleResult } from '../../../cluster/stack/scale.ts';
import type { ClusterStatus } from '../../../cluster/swarm/status.ts';
import type { TaskRow } from '../../../cluster/swarm/tasks.ts';
import type { TeardownResult } from '../../../cluster/swarm/teardown.ts';
import { testbedEngines } from '../../../cluster/testbed/testbed.ts';
import { silentLogger } from '../../../kernel/log.ts';
import type { K6Summary } from '../../../rundir/k6.ts';
import type { RunEvent } from '../../../rundir/events.ts';
import type { Manifest, PointResult, ShopSample } from '../../../rundir/types.ts';
import type { RunModel } from '../../../reports/model/run-model.ts';
import { buildImages } from '../../../shop/gocoffee/images.ts';
import { REPO_ROOT, runEntry } from '../../helpers/cli.ts';
import { waitFor } from '../../helpers/poll.ts';
import { dockerStackDeploy, stackSpecs } from '../../helpers/stack-parity.ts';
import { runCli, startTestbed, type CliResult, type RunningTestbed } from '../../helpers/testbed.ts';
import { binaries, orderStatus, placeOrder } from '../shop/gocoffee/helpers.ts';

let testbed: RunningTestbed;
let results: string;
// Generated per run: nothing secret is written anywhere.
const secrets = { POSTGRES_PASSWORD: globalThis.crypto.randomUUID(), RABBITMQ_PASSWORD: globalThis.crypto.randomUUID() };

test.before(async () => {
  // The amd64 images (cached by their inputs; the first run builds them: about 2 minutes).
  await buildImages({ arch: 'amd64', binaries: await binaries('amd64') }, silentLogger);
  testbed = await startTestbed({ id: 5, nodes: 4, managers: 1 });
  results = await mkdtemp(join(tmpdir(), 'go-coffee-testbed-'));
});
test.after.always(async () => {
  await testbed?.down();
  if (results) await rm(results, { recursive: true, force: true });
});

const cli = (args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 180_000): Promise<CliResult> =>
  runCli('cluster/cli.ts', ['--cluster', testbed.inventoryPath, ...args], timeoutMs, env);
const json = <T>(result: CliResult): T => {
  if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
};
const ndjson = async <T>(path: string): Promise<T[]> =>
  (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as T);
const nodeIp = (name: string) => testbed.layout.nodes.find((node) => node.name === name)!.ip;
const manager = () => testbedEngines(testbed.layout)[0]!.docker;
const running = async (stack: string, service: string) =>
  json<TaskRow[]>(await cli(['ps', stack, '--json'])).filter((row) => row.service === `${stack}_${service}` && row.state === 'running');

test.serial(
  'before the images are on the nodes: doctor names the command that loads them; deploy reports every problem at once and changes nothing',
  async (t) => {
    const doctor = await cli(['doctor', '--stack', 'go-coffee', '--json']);
    t.is(doctor.code, 1, 'doctor fails');
    const missing = (JSON.parse(doctor.stdout) as Finding[]).filter((finding) => finding.check === 'images');
    t.is(missing.length, 4 * 8, 'each of the 8 images on each of the 4 nodes');
    for (const finding of missing) {
      t.is(finding.level, 'fail');
      t.regex(finding.message, /^image cloudlet\/go-coffee-[a-z]+:latest is not on the node$/);
      t.is(finding.fix, `npm run cluster -- --cluster ${testbed.inventoryPath} images load`);
    }

    const deploy = await cli(['deploy', 'go-coffee']);
    t.is(deploy.code, 2);
    const errors = deploy.stderr.split('\n').filter((line) => line.startsWith('error:'));
    t.is(errors[0], 'error: deploy of go-coffee changed nothing:');
    t.regex(errors[1]!, /go-coffee\.yml: POSTGRES_PASSWORD: set POSTGRES_PASSWORD in the environment$/);
    t.regex(errors[2]!, /go-coffee\.yml: RABBITMQ_PASSWORD: set RABBITMQ_PASSWORD in the environment$/);
    t.is(errors.filter((line) => / is not on node\d: npm run cluster -- --cluster .* images load$/.test(line)).length, 4 * 8, errors.join('\n'));
    t.notRegex(deploy.stderr, /\n\s+at /, 'no stack trace');
    const label = { filters: { label: ['com.docker.stack.namespace=go-coffee'] } };
    t.deepEqual(await manager().listNetworks(label), [], 'no network left behind');
    t.deepEqual(await manager().listServices(label), []);
  },
);

test.serial('images load puts every image of the stack on every node, and skips them the second time', async (t) => {
  t.timeout(300_000);
  const first = json<ImageLoadResult>(await cli(['images', 'load', 'go-coffee', '--json']));
  t.is(first.actions.length, 4 * 8);
  t.true(first.actions.every((action) => action.action === 'load' && action.platform === 'amd64'));
  const bytes = first.actions.reduce((sum, action) => sum + action.bytes, 0);
  t.log(`loaded ${(bytes / 1e6).toFixed(0)} MB onto 4 nodes in ${(first.durationMs / 1000).toFixed(1)} s`);
  const second = json<ImageLoadResult>(await cli(['images', 'load', 'go-coffee', '--json']));
  t.true(second.actions.every((action) => action.action === 'present'));
  for (const engine of testbedEngines(testbed.layout)) {
    const proxy = (await engine.docker.getImage('cloudlet/go-coffee-proxy:latest').inspect()) as { Architecture: string };
    t.is(proxy.Architecture, 'amd64', engine.node);
  }
  const doctor = json<Finding[]>(await cli(['doctor', '--stack', 'go-coffee', '--json']));
  t.deepEqual(
    doctor.filter((finding) => finding.check === 'images').map((finding) => finding.level),
    ['ok'],
  );
});

test.serial('cluster deploy go-coffee converges from our images, and an order reaches FULFILLED', async (t) => {
  t.timeout(300_000);
  const started = Date.now();
  const deployed = json<DeployResult>(await cli(['deploy', 'go-coffee', '--json'], secrets));
  t.is(deployed.created.length, 8);
  t.log(`deploy: ${((Date.now() - started) / 1000).toFixed(1)} s, converged in ${(deployed.convergenceMs / 1000).toFixed(1)} s`);
  const [proxy] = await running('go-coffee', 'proxy');
  const [rabbitmq] = await running('go-coffee', 'rabbitmq');
  const url = `http://${nodeIp(proxy!.node)}:5000`;
  await waitFor('the API to serve', async () => (await fetch(`${url}/v1/api/item-types`).catch(() => undefined))?.status === 200, 90_000, 500);
  // item-types is the product service's; orders go to the counter, which may still be connecting to
  // postgres and rabbitmq (a 503 for the first order on a busy machine): wait for the counter too.
  await waitFor('the counter to serve', async () => (await fetch(`${url}/v1/fulfillment-orders`).catch(() => undefined))?.status === 200, 90_000, 500);
  // An order published before the kitchen declares its queue is dropped: wait for the consumers.
  await waitFor('barista and kitchen consumers', () => consumers(nodeIp(rabbitmq!.node)).then((c) => c.barista >= 1 && c.kitchen >= 1), 90_000, 500);
  const member = await placeOrder(url);
  await waitFor('the order to be FULFILLED', async () => (await orderStatus(url, member)) === 2, 90_000, 500);
  t.pass();
});

/** Consumers on the barista and kitchen queues, from rabbitmq's management API (published in host mode). */
async function consumers(host: string): Promise<{ barista: number; kitchen: number }> {
  const response = await fetch(`http://${host}:15672/api/queues`, {
    headers: { authorization: `Basic ${Buffer.from(`coffee:${secrets.RABBITMQ_PASSWORD}`).toString('base64')}` },
    signal: AbortSignal.timeout(3000),
  }).catch(() => undefined);
  const queues = response?.ok ? ((await response.json()) as Array<{ name: string; consumers: number }>) : [];
  const count = (prefix: string) => queues.filter((q) => q.name.startsWith(prefix)).reduce((sum, q) => sum + q.consumers, 0);
  return { barista: count('barista'), kitchen: count('kitchen') };
}

test.serial('scale the kitchen from 1 to 2: two kitchens consume the queue', async (t) => {
  const scaled = json<ScaleResult>(await cli(['scale', 'kitchen=2', '--json']));
  t.deepEqual(scaled.services, [{ name: 'go-coffee_kitchen', from: 1, to: 2 }]);
  t.log(`kitchen 1 → 2 converged in ${(scaled.convergenceMs / 1000).toFixed(1)} s`);
  t.is((await running('go-coffee', 'kitchen')).length, 2);
  const [rabbitmq] = await running('go-coffee', 'rabbitmq');
  await waitFor('two kitchen consumers', () => consumers(nodeIp(rabbitmq!.node)).then((c) => c.kitchen === 2), 60_000, 500);
  t.pass();
});

test.serial('bench/configs/go-coffee-testbed.yml: every point completes with node samples and k6 results', async (t) => {
  t.timeout(420_000);
  const started = Date.now();
  const run = await runEntry(
    `${REPO_ROOT}bench/cli.ts`,
    ['run', '--cluster', testbed.inventoryPath, '--config', 'bench/configs/go-coffee-testbed.yml', '--results', results, '--json'],
    { env: secrets, timeoutMs: 400_000 },
  );
  t.is(run.code, 0, run.stderr);
  t.log(`bench run: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const [runId] = await readdir(results);
  const dir = join(results, runId!);
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  t.is(manifest.status, 'complete');
  t.like(
    manifest.images.find((image) => image.service === 'go-coffee_proxy'),
    { image: 'cloudlet/go-coffee-proxy:latest' },
  );
  const points = await readdir(join(dir, 'points'));
  t.deepEqual(points.sort(), ['p01-kitchen1-1rps-rep1', 'p02-kitchen2-1rps-rep1']);
  for (const point of points) {
    const result = JSON.parse(await readFile(join(dir, 'points', point, 'result.json'), 'utf8')) as PointResult;
    t.is(result.status, 'complete', point);
    const nodes = (await readFile(join(dir, 'points', point, 'nodes.ndjson'), 'utf8')).trim().split('\n');
    t.deepEqual([...new Set(nodes.map((line) => (JSON.parse(line) as { node: string }).node))].sort(), ['node1', 'node2', 'node3', 'node4'], point);
    const summary = JSON.parse(await readFile(join(dir, 'points', point, 'k6-summary.json'), 'utf8')) as K6Summary;
    t.true(((summary.metrics.http_reqs as { count?: number }).count ?? 0) > 5, point);
    t.is((summary.metrics.checks as { fails?: number } | undefined)?.fails ?? 0, 0, `${point}: every check passed against the real shop`);
  }
  // The run put the kitchen back to the stack's count.
  t.is((await running('go-coffee', 'kitchen')).length, 1);
});

test.serial(
  'bench/configs/go-coffee-testbed-scaling.yml: every point starts empty after its reset, has a backlog series, and the report gives fulfilment per kitchen count with its CI; the one-kitchen point is flagged above capacity',
  async (t) => {
    t.timeout(420_000);
    const started = Date.now();
    const out = join(results, 'scaling');
    const run = await runEntry(
      `${REPO_ROOT}bench/cli.ts`,
      ['run', '--cluster', testbed.inventoryPath, '--config', 'bench/configs/go-coffee-testbed-scaling.yml', '--results', out, '--json'],
      { env: secrets, timeoutMs: 400_000 },
    );
    t.is(run.code, 0, run.stderr);
    t.log(`bench run: ${((Date.now() - started) / 1000).toFixed(0)} s`);
    const [runId] = await readdir(out);
    const dir = join(out, runId!);
    const points = (await readdir(join(dir, 'points'))).sort();
    t.deepEqual(points, ['p01-kitchen1-1.5rps-rep1', 'p02-kitchen2-1.5rps-rep1']);
    for (const point of points) {
      const result = JSON.parse(await readFile(join(dir, 'points', point, 'result.json'), 'utf8')) as PointResult;
      t.is(result.status, 'complete', point);
      t.false(
        result.flags.some((flag) => flag.code === 'state-not-reset'),
        `${point}: ${JSON.stringify(result.flags)}`,
      );
      // Every point starts from the configured state: nothing stored, queued or being made.
      t.like(result.state, { mode: 'reset', start: { orders: 0, fulfilled: 0, inProgress: 0, queued: 0, unacked: 0 } }, point);
      t.true((result.state?.end?.orders ?? 0) > 5, `${point}: orders placed during the point`);
      t.is(typeof result.state?.end?.neverFulfilled, 'number', `${point}: the lost-update count was read by SQL in the postgres task`);
      const events = await ndjson<RunEvent>(join(dir, 'points', point, 'events.ndjson'));
      const reset = events.find((event) => event.type === 'state');
      t.like(reset, { mode: 'reset', timedOut: false, after: { orders: 0, queued: 0, unacked: 0 } }, point);
      t.true(
        events.findIndex((event) => event.type === 'state') < events.findIndex((event) => event.type === 'warmup-start'),
        'the reset runs before the warm-up',
      );
      // The backlog series: about one sample a second through the point, every queue with its consumers.
      const shop = await ndjson<ShopSample>(join(dir, 'points', point, 'shop.ndjson'));
      t.true(shop.length >= 20, `${point}: ${shop.length} shop samples`);
      // A read can fail now and then (rabbitmqctl right after the broker started): such a sample has nulls, and an error event.
      const read = shop.filter((sample) => sample.queues !== null && sample.orders !== null).length;
      t.true(read >= shop.length - 2, `${point}: ${read} of ${shop.length} samples read both the queues and the orders`);
      t.true(shop.some((sample) => sample.queues!.some((queue) => queue.name.startsWith('kitchen') && queue.consumers >= 1)));
    }
    // The second point started empty although the first left orders behind: the reset emptied them.
    const before = (await ndjson<RunEvent>(join(dir, 'points', points[1]!, 'events.ndjson'))).find((event) => event.type === 'state');
    t.true(before?.type === 'state' && (before.before?.orders ?? 0) > 0, 'the first point left orders for the reset to empty');

    // The report's numbers, parsed: fulfilment per kitchen count with its interval.
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as RunModel;
    const byKitchen = new Map(summary.groups.map((group) => [group.replicas.kitchen, group.fulfilment]));
    t.deepEqual([...byKitchen.keys()].sort(), [1, 2]);
    for (const [kitchens, fulfilment] of byKitchen) {
      t.truthy(fulfilment, `kitchen ${kitchens}`);
      const { value, ci } = fulfilment!.fulfilledPerS;
      t.log(
        `kitchen ${kitchens}: offered ${fulfilment!.offeredOrdersPerS?.toFixed(2)} orders/s, fulfilled ${value?.toFixed(2)}/s [${ci?.low.toFixed(2)}–${ci?.high.toFixed(2)}]`,
      );
      t.true(value !== null && value > 0, `kitchen ${kitchens}: orders were fulfilled`);
      t.true(ci !== null && ci.low <= value! && value! <= ci.high, `kitchen ${kitchens}: ${JSON.stringify(ci)}`);
      t.true((fulfilment!.offeredOrdersPerS ?? 0) > 0.4, `kitchen ${kitchens}: the probe's orders are offered load too`);
    }
    // One kitchen makes about 0.45 orders/s; 0.7 are offered: its backlog grows, and the report says so.
    t.true(byKitchen.get(1)!.fulfilledPerS.value! < byKitchen.get(1)!.offeredOrdersPerS!, 'one kitchen falls behind');
    t.deepEqual(
      summary.warnings.filter((warning) => warning.code === 'backlog-growing').map((warning) => warning.pointId),
      ['p01-kitchen1-1.5rps-rep1'],
    );
    t.true(summary.shopSeries.length >= 40, 'the backlog over time');
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    t.regex(html, /<h2>Fulfilment<\/h2>/);
    t.regex(html, /the load is above what the shop fulfils; the latency you see is queueing/);
    await readFile(join(dir, 'charts', 'shop-backlog.png'));
    await readFile(join(dir, 'charts', 'fulfilment-0.png'));
    // The consumers a reset stopped are back at the stack's counts.
    t.is((await running('go-coffee', 'kitchen')).length, 1);
    t.is((await running('go-coffee', 'barista')).length, 1);
  },
);

test.serial('target url at the running stack: load and node samples, and the deployment left exactly as it was', async (t) => {
  t.timeout(180_000);
  const versions = async () =>
    ((await manager().listServices()) as Array<{ Spec: { Name: string; Mode: unknown }; Version: { Index: number } }>)
      .map((service) => [service.Spec.Name, service.Version.Index, service.Spec.Mode])
      .sort();
  const before = await versions();
  const [proxy] = await running('go-coffee', 'proxy');
  const config = join(results, 'url.yml');
  await writeFile(
    config,
    [
      `target: { kind: url, url: "http://${nodeIp(proxy!.node)}:5000" }`,
      'matrix: { ratesRps: [1] }',
      'durationS: 5',
      'warmupS: 0',
      'scenarioEnv: { PROBE: "off" }',
    ].join('\n'),
  );
  const out = join(results, 'url');
  const run = await runEntry(`${REPO_ROOT}bench/cli.ts`, ['run', '--cluster', testbed.inventoryPath, '--config', config, '--results', out], {
    timeoutMs: 160_000,
  });
  t.is(run.code, 0, run.stderr);
  const [runId] = await readdir(out);
  const point = join(out, runId!, 'points', 'p01-1rps-rep1');
  const summary = JSON.parse(await readFile(join(point, 'k6-summary.json'), 'utf8')) as K6Summary;
  t.true(((summary.metrics.http_reqs as { count?: number }).count ?? 0) > 0);
  const nodes = (await readFile(join(point, 'nodes.ndjson'), 'utf8')).trim().split('\n');
  t.deepEqual([...new Set(nodes.map((line) => (JSON.parse(line) as { node: string }).node))].sort(), ['node1', 'node2', 'node3', 'node4']);
  t.deepEqual(await versions(), before, 'no service was updated, scaled or restored');
});

test.serial('the effective stack file deploys with `docker stack deploy` and gives the same specs as ours', async (t) => {
  const config = await cli(['stack', 'config', 'go-coffee'], secrets);
  t.is(config.code, 0, config.stderr);
  const file = join(testbed.layout.options.dir, 'go-coffee-effective.yml');
  await writeFile(file, config.stdout);
  await dockerStackDeploy(testbed.layout.nodes[0]!.socket, file, 'theirs', {}, testbed.layout.options.dir);
  const ours = await stackSpecs(manager(), 'go-coffee');
  t.is(ours.length, 8);
  t.true(ours.every((service) => service.endpointMode === 'dnsrr' && service.placement?.Constraints?.[0] === 'node.platform.arch == x86_64'));
  t.deepEqual(ours, await stackSpecs(manager(), 'theirs'));
});

test.serial('teardown: refused without a terminal unless --yes; every stack removed, workers then managers leave; init builds the swarm again', async (t) => {
  t.timeout(300_000);
  const refused = await cli(['teardown']);
  t.is(refused.code, 2);
  t.regex(refused.stderr, /^error: cluster teardown asks for confirmation and this is not a terminal: pass --yes/m);
  t.is(((await manager().listServices()) as unknown[]).length, 16, 'nothing changed');

  const down = json<TeardownResult>(await cli(['teardown', '--yes', '--prune', '--json']));
  t.deepEqual(down.stacks, ['go-coffee', 'theirs']);
  t.deepEqual(
    down.nodes.map((node) => [node.node, node.role, node.left, node.error]),
    [
      ['node2', 'worker', true, undefined],
      ['node3', 'worker', true, undefined],
      ['node4', 'worker', true, undefined],
      ['node1', 'manager', true, undefined],
    ],
  );
  t.log(`teardown: ${(down.durationMs / 1000).toFixed(1)} s`);
  for (const engine of testbedEngines(testbed.layout)) {
    const info = (await engine.docker.info()) as { Swarm: { LocalNodeState: string } };
    t.is(info.Swarm.LocalNodeState, 'inactive', engine.node);
    t.deepEqual(await engine.docker.listContainers({ all: true }), [], `${engine.node}: no container left`);
  }

  const init = await cli(['init']);
  t.is(init.code, 0, init.stderr);
  const status = json<ClusterStatus>(await cli(['status', '--json']));
  t.is(status.leader, 'node1');
  t.deepEqual(
    status.nodes.map((node) => [node.name, node.role, node.state]),
    [
      ['node1', 'manager', 'ready'],
      ['node2', 'worker', 'ready'],
      ['node3', 'worker', 'ready'],
      ['node4', 'worker', 'ready'],
    ],
  );
});
