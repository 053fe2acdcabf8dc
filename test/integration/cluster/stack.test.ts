import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { silentLogger } from '../../../kernel/log.ts';
import type { TaskRow } from '../../../cluster/swarm/tasks.ts';
import { openCluster } from '../../../cluster/control.ts';
import { poll } from '../../../kernel/poll.ts';
import type { DeployResult } from '../../../cluster/stack/deploy.ts';
import type { ScaleResult } from '../../../cluster/stack/scale.ts';
import type { ServiceSpec } from '../../../cluster/swarm/model.ts';
import { dockerStackDeploy, stackSpecs } from '../../helpers/stack-parity.ts';
import { copyImage } from '../../../cluster/testbed/images.ts';
import { testbedEngines } from '../../../cluster/testbed/testbed.ts';
import { clusterCli, runCli, startTestbed, type RunningTestbed } from '../../helpers/testbed.ts';

// Integration: the reference coffee shop stack deployed, repeated, scaled and removed on a 4-node
// testbed through the CLI; then stacks deployed by us and by `docker stack deploy`, specs compared:
// a fixture with relative paths, and the seed stacks coffee-shop and portainer (stacks/go-coffee.yml
// is compared in go-coffee.test.ts, where its images are loaded).
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

/** `cluster stack config <stack>` written to a file in the testbed's folder: the effective stack `docker stack deploy` gets. */
async function effectiveFile(stack: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const result = await runCli('cluster/cli.ts', ['--cluster', testbed.inventoryPath, 'stack', 'config', stack], 60_000, env);
  if (result.code !== 0) throw new Error(`stack config ${stack}: exit ${result.code}: ${result.stderr}`);
  const path = join(testbed.layout.options.dir, `${stack}-effective.yml`);
  await writeFile(path, result.stdout);
  return path;
}

const theirs = (file: string, stack: string, env: NodeJS.ProcessEnv = {}) =>
  dockerStackDeploy(testbed.layout.nodes[0]!.socket, file, stack, { ENTRY_HOST: testbed.layout.nodes[0]!.ip, ...env }, testbed.layout.options.dir);

async function removeBoth(t: ExecutionContext, stacks: string[]): Promise<void> {
  for (const stack of stacks) {
    const removed = await cli(['rm', stack]);
    t.is(removed.code, 0, removed.stderr);
  }
}

test.serial('a stack file with relative paths (bind mount, env_file, secret, config) deployed by us and by `docker stack deploy`: specs agree', async (t) => {
  // The fixture keeps its relative paths; both tools resolve them against its folder. Both name the
  // image by id (WEB_IMAGE), so no engine attempts a pull.
  const imageId = ((await manager().getImage('cloudlet/busybox:1').inspect()) as { Id: string }).Id;
  const fixture = fileURLToPath(new URL('../../fixtures/stacks/web.yml', import.meta.url));
  const env = { WEB_IMAGE: imageId };
  json<DeployResult>(
    await runCli('cluster/cli.ts', ['--cluster', testbed.inventoryPath, 'deploy', fixture, '--name', 'ours', '--settle', '500', '--json'], 120_000, env),
  );
  await theirs(fixture, 'theirs', env);
  const ours = await stackSpecs(manager(), 'ours');
  t.is(ours.length, 2);
  t.is(ours[0]!.image, imageId);
  t.deepEqual(ours[0]!.mounts, [{ Type: 'bind', Source: join(dirname(fixture), 'www'), Target: '/www', ReadOnly: true }]);
  t.true(ours[0]!.env?.includes('FROM_ENV_FILE=yes'));
  t.deepEqual(ours, await stackSpecs(manager(), 'theirs'));
  // The bind mount given as ./www is what our web task serves.
  const [web] = json<TaskRow[]>(await cli(['ps', 'ours', '--json'])).filter((row) => row.service === 'ours_web' && row.state === 'running');
  t.is(await (await fetch(`http://${nodeIp(web!.node)}:8080/index.html`)).text(), 'served from a bind mount given as ./www\n');
  await removeBoth(t, ['ours', 'theirs']);
});

test.serial('stacks/coffee-shop.yml: our deploy and `docker stack deploy` of its effective file agree', async (t) => {
  json<DeployResult>(await cli(['deploy', 'coffee-shop', '--name', 'ours-shop', '--settle', '500', '--json']));
  await theirs(await effectiveFile('coffee-shop'), 'theirs-shop');
  const ours = await stackSpecs(manager(), 'ours-shop');
  t.deepEqual(
    ours.map((service) => [service.name, service.endpointMode, service.healthcheck?.Test?.[0]]),
    [['STACK_shop', 'dnsrr', 'CMD']],
  );
  t.deepEqual(ours, await stackSpecs(manager(), 'theirs-shop'));
  await removeBoth(t, ['ours-shop', 'theirs-shop']);
});

/**
 * Portainer's images cannot be built here: stand-ins, busybox committed with an entrypoint that
 * takes any arguments and waits, tagged under the stack's image names on every node.
 */
async function standIns(images: string[]): Promise<void> {
  const [first, ...others] = testbedEngines(testbed.layout);
  const container = await first!.docker.createContainer({ Image: 'cloudlet/busybox:1', Cmd: ['true'] });
  const committed = (await container.commit({ changes: ['ENTRYPOINT ["sh", "-c", "trap \'exit 0\' TERM; sleep 86400 & wait", "stand-in"]', 'CMD []'] })) as {
    Id: string;
  };
  await container.remove();
  // One image copied to every node: the same id everywhere, as deploy's checks want with imagePolicy local.
  for (const image of images) {
    const colon = image.lastIndexOf(':');
    await first!.docker.getImage(committed.Id).tag({ repo: image.slice(0, colon), tag: image.slice(colon + 1) });
    await copyImage(first!, others, image, testbed.layout.options.dir);
  }
}

test.serial('stacks/portainer.yml (stand-in images): our deploy and `docker stack deploy` of its effective file agree', async (t) => {
  await standIns(['portainer/agent:2.19.4', 'portainer/portainer-ce:2.19.4']);
  const password = join(testbed.layout.options.dir, 'portainer-admin-password');
  await writeFile(password, globalThis.crypto.randomUUID());
  const env = { PORTAINER_ADMIN_PASSWORD_FILE: password };
  // The agent binds the engine's socket and volumes folder from each node: on the testbed those are
  // this machine's, which has neither, so its tasks are rejected: --detach, as docker stack deploy.
  json<DeployResult>(
    await runCli('cluster/cli.ts', ['--cluster', testbed.inventoryPath, 'deploy', 'portainer', '--name', 'ours-p', '--detach', '--json'], 60_000, env),
  );
  await theirs(await effectiveFile('portainer', env), 'theirs-p');
  const ours = await stackSpecs(manager(), 'ours-p');
  t.deepEqual(
    ours.map((service) => [service.name, service.global, service.secrets?.map((secret) => secret.name)]),
    [
      ['STACK_agent', true, undefined],
      ['STACK_portainer', false, ['STACK_portainer_admin_password']],
    ],
  );
  t.deepEqual(ours, await stackSpecs(manager(), 'theirs-p'));
  await removeBoth(t, ['ours-p', 'theirs-p']);
});
