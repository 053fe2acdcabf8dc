import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';
import { silentLogger } from '../../../kernel/log.ts';
import type { TaskRow } from '../../../cluster/swarm/tasks.ts';
import { openCluster } from '../../../cluster/control.ts';
import { poll } from '../../../kernel/poll.ts';
import type { DeployResult } from '../../../cluster/stack/deploy.ts';
import type { ScaleResult } from '../../../cluster/stack/scale.ts';
import type { ServiceSpec } from '../../../cluster/swarm/model.ts';
import { testbedEngines } from '../../../cluster/testbed/testbed.ts';
import { clusterCli, startTestbed, type RunningTestbed } from '../../helpers/testbed.ts';

// Integration: the reference coffee shop stack deployed, repeated, scaled and removed on a 4-node
// testbed through the CLI; then one stack deployed by us and by `docker stack deploy`.
let testbed: RunningTestbed;
test.before(async () => {
  testbed = await startTestbed({ id: 3, nodes: 4, managers: 1, shopImage: true });
});
test.after.always(async () => {
  await testbed?.down();
});

const cli = (args: string[]) => clusterCli(testbed.inventoryPath, args);
const json = <T>(result: { code: number; stdout: string; stderr: string }): T => {
  if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
};
const nodeIp = (name: string): string => testbed.layout.nodes.find((node) => node.name === name)!.ip;
const manager = () => testbedEngines(testbed.layout)[0]!.docker;

async function shopRows(): Promise<TaskRow[]> {
  return json<TaskRow[]>(await cli(['ps', 'coffee-shop', '--json'])).filter((row) => row.state === 'running');
}

test.serial('deploy the reference shop and wait for it; a second deploy changes nothing', async (t) => {
  const first = json<DeployResult>(await cli(['deploy', 'coffee-shop', '--settle', '500ms', '--json']));
  t.deepEqual(first.created, ['coffee-shop_shop']);
  const [row] = await shopRows();
  const answer = await fetch(`http://${nodeIp(row!.node)}:5000/v1/api/item-types`);
  t.is(answer.status, 200);
  t.is(((await answer.json()) as { itemTypes: unknown[] }).itemTypes.length, 10);

  const before = (await manager().listServices()) as Array<{ Spec: ServiceSpec; Version: { Index: number } }>;
  t.is(before[0]!.Spec.Labels?.['com.docker.stack.namespace'], 'coffee-shop');
  t.is(before[0]!.Spec.Labels?.['com.docker.stack.image'], 'cloudlet/shop:dev');
  t.regex(before[0]!.Spec.TaskTemplate.ContainerSpec.Image, /^sha256:/, 'imagePolicy local pins the image id: no pull is ever attempted');
  const second = json<DeployResult>(await cli(['deploy', 'coffee-shop', '--json']));
  t.deepEqual([second.created, second.updated, second.unchanged], [[], [], ['coffee-shop_shop']]);
  const after = (await manager().listServices()) as typeof before;
  t.is(after[0]!.Version.Index, before[0]!.Version.Index, 'the service was not updated');
});

test.serial('scale 1 → 3 → 1 converges with one healthy task per node and reports the time', async (t) => {
  const up = json<ScaleResult>(await cli(['scale', 'shop=3', '--settle', '500', '--json']));
  t.deepEqual(up.services, [{ name: 'coffee-shop_shop', from: 1, to: 3 }]);
  t.log(`1 → 3 converged in ${up.convergenceMs} ms`);
  const rows = await shopRows();
  t.is(rows.length, 3);
  t.is(new Set(rows.map((row) => row.node)).size, 3, 'max_replicas_per_node: 1 puts each task on its own node');
  const statuses = await Promise.all(rows.map(async (row) => (await fetch(`http://${nodeIp(row.node)}:5000/v1/api/item-types`)).status));
  t.deepEqual(statuses, [200, 200, 200]);
  // The bench's view: where to send load.
  const control = await openCluster(testbed.inventoryPath, silentLogger);
  try {
    const placements = await control.placements('shop');
    t.deepEqual(placements.map((placement) => placement.host).sort(), rows.map((row) => nodeIp(row.node)).sort());
    const [image] = await control.images('coffee-shop');
    t.is(image?.image, 'cloudlet/shop:dev');
    t.regex(image?.digest ?? '', /^sha256:[0-9a-f]{64}$/);
    const snapshot = await control.snapshot();
    t.deepEqual(
      snapshot.nodes.map((node) => [node.name, node.role, node.leader, node.arch]),
      [
        ['node1', 'manager', true, 'amd64'],
        ['node2', 'worker', false, 'amd64'],
        ['node3', 'worker', false, 'amd64'],
        ['node4', 'worker', false, 'amd64'],
      ],
    );
  } finally {
    control.close();
  }

  const down = json<ScaleResult>(await cli(['scale', 'coffee-shop_shop=1', '--settle', '500', '--json']));
  t.deepEqual(down.services, [{ name: 'coffee-shop_shop', from: 3, to: 1 }]);
  t.log(`3 → 1 converged in ${down.convergenceMs} ms`);
  t.is((await shopRows()).length, 1);
});

test.serial('rm leaves nothing behind on any node', async (t) => {
  const result = await cli(['rm', 'coffee-shop']);
  t.is(result.code, 0, result.stderr);
  const label = { label: ['com.docker.stack.namespace=coffee-shop'] };
  // Tasks leave the manager's store first; each node then removes its exited containers.
  for (const engine of testbedEngines(testbed.layout)) {
    await poll(`${engine.node}: containers of the stack removed`, 30_000, async () =>
      ((await engine.docker.listContainers({ all: true, filters: label })) as unknown[]).length === 0 ? true : undefined,
    );
  }
  t.deepEqual(await manager().listServices({ filters: label }), []);
  t.deepEqual(await manager().listNetworks({ filters: label }), []);
  t.is(((await manager().listTasks()) as unknown[]).length, 0);
  const again = await cli(['rm', 'coffee-shop']);
  t.is(again.code, 2);
  t.regex(again.stderr, /no stack "coffee-shop"/);
});

/** The parts of a service spec the parity test compares, with the stack name and ids taken out. */
function comparable(spec: ServiceSpec, stack: string, networkName: Map<string, string>) {
  const unstack = (text: string) => text.replace(new RegExp(`^${stack}_`), 'STACK_');
  const labels = (input: Record<string, string> | undefined) =>
    Object.fromEntries(
      Object.entries(input ?? {})
        .filter(([key]) => !key.startsWith('cloudlet.'))
        .map(([key, value]) => [key, value === stack ? 'STACK' : value]),
    );
  const container = spec.TaskTemplate.ContainerSpec;
  return {
    name: unstack(spec.Name),
    image: spec.TaskTemplate.ContainerSpec.Image,
    env: container.Env,
    command: container.Command,
    args: container.Args,
    init: container.Init,
    stopGracePeriod: container.StopGracePeriod,
    replicas: spec.Mode.Replicated?.Replicas,
    placement: spec.TaskTemplate.Placement,
    networks: (spec.TaskTemplate.Networks ?? []).map((network) => ({
      target: unstack(networkName.get(network.Target) ?? network.Target),
      aliases: network.Aliases,
    })),
    ports: spec.EndpointSpec?.Ports,
    endpointMode: spec.EndpointSpec?.Mode,
    labels: labels(spec.Labels),
    containerLabels: labels(container.Labels),
    secrets: container.Secrets?.map((secret) => ({ file: secret.File, name: unstack(secret.SecretName) })),
    configs: container.Configs?.map((config) => ({ file: config.File, name: unstack(config.ConfigName) })),
    restart: spec.TaskTemplate.RestartPolicy,
  };
}

test.serial('one stack deployed by us and by `docker stack deploy` gives specs that agree', async (t) => {
  // Both sides name the image by id, so no engine attempts a pull (a tag would make `docker stack
  // deploy`'s tasks try the registry first); paths become absolute for the copy in the testbed folder.
  const imageId = ((await manager().getImage('cloudlet/busybox:1').inspect()) as { Id: string }).Id;
  const fixtureDir = fileURLToPath(new URL('../../fixtures/stacks/', import.meta.url));
  const text = (await readFile(join(fixtureDir, 'web.yml'), 'utf8')).replaceAll('cloudlet/busybox:1', imageId).replaceAll('./', fixtureDir);
  const fixture = join(testbed.layout.options.dir, 'web-by-id.yml');
  await writeFile(fixture, text);

  json<DeployResult>(await cli(['deploy', fixture, '--name', 'ours', '--settle', '500', '--json']));
  // The Debian docker.io CLI matches the phones' 20.10 engine; any newer CLI works as well.
  const docker = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
  const socket = testbed.layout.nodes[0]!.socket;
  await promisify(execFile)(docker, ['-H', `unix://${socket}`, 'stack', 'deploy', '--resolve-image', 'never', '-c', fixture, 'theirs'], {
    env: { ...process.env, ENTRY_HOST: testbed.layout.nodes[0]!.ip, DOCKER_CONFIG: testbed.layout.options.dir },
  });
  const networks = new Map(((await manager().listNetworks()) as Array<{ Id: string; Name: string }>).map((network) => [network.Id, network.Name]));
  const services = (await manager().listServices()) as Array<{ Spec: ServiceSpec }>;
  const byStack = (stack: string) =>
    services
      .filter((service) => service.Spec.Labels?.['com.docker.stack.namespace'] === stack)
      .map((service) => comparable(service.Spec, stack, networks))
      .sort((a, b) => a.name.localeCompare(b.name));
  const ours = byStack('ours');
  const theirs = byStack('theirs');
  t.is(ours.length, 2);
  t.is(ours[0]!.image, imageId);
  t.deepEqual(ours, theirs);
  for (const stack of ['ours', 'theirs']) t.is((await cli(['rm', stack])).code, 0);
});
