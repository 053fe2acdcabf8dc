import test from 'ava';
import type { DeployResult } from '../../cluster/stack/deploy.ts';
import type { ScaleResult } from '../../cluster/stack/scale.ts';
import type { TaskRow } from '../../cluster/commands/ps.ts';
import { poll } from '../../cluster/poll.ts';
import { testbedEngines } from '../../cluster/testbed/testbed.ts';
import { clusterCli, startTestbed, type RunningTestbed } from '../helpers/testbed.ts';

// Integration: deploy, repeat, scale and remove a stack on a 4-node testbed, through the CLI.
let testbed: RunningTestbed;
test.before(async () => {
  testbed = await startTestbed({ id: 3, nodes: 4, managers: 1 });
});
test.after.always(async () => {
  await testbed?.down();
});

const STACK = 'test/fixtures/stacks/web.yml';
const cli = (args: string[]) => clusterCli(testbed.inventoryPath, args);
const json = <T>(result: { code: number; stdout: string; stderr: string }): T => {
  if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
};

test.serial('deploy creates the services and waits for them; a second deploy changes nothing', async (t) => {
  const first = json<DeployResult>(await cli(['deploy', STACK, '--settle', '500', '--json']));
  t.deepEqual(first.created.sort(), ['web_web', 'web_worker']);
  const engine = testbedEngines(testbed.layout)[0]!;
  const before = (await engine.docker.listServices()) as Array<{ Spec: { Name: string; Labels: Record<string, string> }; Version: { Index: number } }>;
  const web = before.find((service) => service.Spec.Name === 'web_web')!;
  t.is(web.Spec.Labels['com.docker.stack.namespace'], 'web');
  t.is(web.Spec.Labels['com.docker.stack.image'], 'cloudlet/busybox:1');

  const second = await cli(['deploy', STACK, '--json']);
  t.deepEqual(json<DeployResult>(second).unchanged.sort(), ['web_web', 'web_worker']);
  const after = (await engine.docker.listServices()) as typeof before;
  t.deepEqual(
    after.map((service) => [service.Spec.Name, service.Version.Index]).sort(),
    before.map((service) => [service.Spec.Name, service.Version.Index]).sort(),
    'no service was updated',
  );
});

test.serial('scale 1 → 3 → 1 converges, spreads one task per node and reports the time', async (t) => {
  const up = json<ScaleResult>(await cli(['scale', 'web=3', '--settle', '500', '--json']));
  t.deepEqual(up.services, [{ name: 'web_web', from: 1, to: 3 }]);
  t.true(up.convergenceMs > 0);
  t.log(`1 → 3 converged in ${up.convergenceMs} ms`);
  const rows = json<TaskRow[]>(await cli(['ps', 'web', '--json'])).filter((row) => row.service === 'web_web' && row.state === 'running');
  t.is(rows.length, 3);
  t.is(new Set(rows.map((row) => row.node)).size, 3, 'max_replicas_per_node: 1 puts each task on its own node');
  // The web tasks answer on their nodes' host-mode port.
  const answers = await Promise.all(rows.map(async (row) => (await fetch(`http://${testbed.layout.nodes.find((node) => node.name === row.node)!.ip}:8080/`)).status));
  t.deepEqual(answers, [404, 404, 404]);

  const down = json<ScaleResult>(await cli(['scale', 'web_web=1', '--settle', '500', '--json']));
  t.deepEqual(down.services, [{ name: 'web_web', from: 3, to: 1 }]);
  const left = json<TaskRow[]>(await cli(['ps', 'web', '--json'])).filter((row) => row.service === 'web_web');
  t.is(left.length, 1);
});

test.serial('rm leaves nothing behind on any node', async (t) => {
  const result = await cli(['rm', 'web']);
  t.is(result.code, 0, result.stderr);
  const label = { label: ['com.docker.stack.namespace=web'] };
  // Tasks leave the manager's store first; each node then removes its exited containers.
  for (const engine of testbedEngines(testbed.layout)) {
    await poll(`${engine.node}: containers of the stack removed`, 30_000, async () =>
      ((await engine.docker.listContainers({ all: true, filters: label })) as unknown[]).length === 0 ? true : undefined,
    );
  }
  t.pass('no container left on any node');
  const manager = testbedEngines(testbed.layout)[0]!.docker;
  t.deepEqual(await manager.listServices({ filters: label }), []);
  t.deepEqual(await manager.listNetworks({ filters: label }), []);
  t.deepEqual(await manager.listSecrets({ filters: label } as object), []);
  t.deepEqual(await manager.listConfigs({ filters: label } as object), []);
  t.is(await manager.listTasks().then((tasks: unknown[]) => tasks.length), 0);
  const again = await cli(['rm', 'web']);
  t.is(again.code, 2);
  t.regex(again.stderr, /no stack "web"/);
});
