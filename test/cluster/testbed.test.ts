import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { sshTarget, loadInventory } from '../../cluster/inventory/load.ts';
import { openSsh } from '../../cluster/engine/ssh.ts';
import type { ClusterStatus } from '../../cluster/commands/status.ts';
import { clusterCli, runCli, startTestbed, type RunningTestbed } from '../helpers/testbed.ts';

// Integration: a 4-node testbed (2 managers here, to see roles and reachability), then status.
let testbed: RunningTestbed;
test.before(async () => {
  testbed = await startTestbed({ id: 2, nodes: 4, managers: 2 });
});
test.after.always(async () => {
  await testbed?.down();
});

test.serial('status shows every node with its role and the leader', async (t) => {
  const result = await clusterCli(testbed.inventoryPath, ['status', '--json']);
  t.is(result.code, 0, result.stderr);
  const status = JSON.parse(result.stdout) as ClusterStatus;
  t.deepEqual(
    status.nodes.map((node) => [node.name, node.role, node.state]),
    [
      ['node1', 'manager', 'ready'],
      ['node2', 'manager', 'ready'],
      ['node3', 'worker', 'ready'],
      ['node4', 'worker', 'ready'],
    ],
  );
  t.is(status.leader, 'node1');
  t.true(status.nodes.every((node) => node.arch === 'amd64' && node.engineVersion.startsWith('20.10')));
  const text = await clusterCli(testbed.inventoryPath, ['status']);
  t.regex(text.stdout, /node1 .*manager .*leader/);
});

test.serial('each node has its own hostname, thermal fixture and engine over SSH', async (t) => {
  const loaded = await loadInventory(testbed.inventoryPath);
  const node = loaded.inventory.nodes[2]!;
  const ssh = await openSsh(sshTarget(loaded, node));
  try {
    const before = await ssh.exec('hostname; cat /sys/class/thermal/thermal_zone0/type /sys/class/thermal/thermal_zone0/temp');
    t.deepEqual(before.stdout.trim().split('\n'), ['node3', 'cpu-thermal', '42500']);
    // Rewriting the fixture in place changes what the node reads, live.
    await writeFile(join(testbed.layout.nodes[2]!.thermalDir, 'thermal_zone0', 'temp'), '71000\n');
    t.is((await ssh.exec('cat /sys/class/thermal/thermal_zone0/temp')).stdout.trim(), '71000');
    t.is((await ssh.exec('test -S /var/run/docker.sock && echo yes')).stdout.trim(), 'yes');
  } finally {
    ssh.close();
  }
});

test.serial('testbed status reports the nodes; down removes everything', async (t) => {
  const status = await runCli('cluster/testbed/cli.ts', ['status', '--id', '2', '--json']);
  t.is(status.code, 0, status.stderr);
  t.is((JSON.parse(status.stdout) as { nodes: unknown[] }).nodes.length, 4);
  const down = await runCli('cluster/testbed/cli.ts', ['down', '--id', '2']);
  t.is(down.code, 0, down.stderr);
  t.false(existsSync('/tmp/cloudlet-testbed-2'));
  t.false(existsSync('/run/netns/cbt2-br'));
  t.false(existsSync('/run/netns/cbt2-node1'));
  const mounts = await readFile('/proc/self/mountinfo', 'utf8');
  t.false(mounts.includes('/tmp/cloudlet-testbed-2'));
  const after = await runCli('cluster/testbed/cli.ts', ['status', '--id', '2']);
  t.is(after.code, 1);
  t.regex(after.stdout, /down/);
});
