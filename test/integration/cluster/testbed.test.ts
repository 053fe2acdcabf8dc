import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { sshTarget, loadInventory } from '../../../cluster/inventory/load.ts';
import { connectSsh } from '../../../kernel/ssh/connect.ts';
import type { NodeSample } from '../../../rundir/types.ts';
import { startRemoteSampler } from '../../../bench/nodes/remote.ts';
import type { Finding } from '../../../cluster/doctor/diagnose.ts';
import { poll } from '../../../kernel/poll.ts';
import type { InitResult } from '../../../cluster/swarm/init.ts';
import type { ClusterStatus } from '../../../cluster/swarm/status.ts';
import { setNodeLink } from '../../../cluster/testbed/network.ts';
import { stopEngineProcess } from '../../../cluster/testbed/nodes.ts';
import { clusterCli, runCli, testbedFromCli, testbedId, type RunningTestbed } from '../../helpers/testbed.ts';

const ID = testbedId(2);

// Integration: a 4-node testbed (2 managers here, to see roles and reachability), then status.
// Brought up through the CLI, as a user does: `up` prints the inventory path on stdout.
let testbed: RunningTestbed;
test.before(async () => {
  const up = await runCli('cluster/testbed/cli.ts', ['up', '--id', String(ID), '--nodes', '4', '--managers', '2', '--no-shop-image']);
  if (up.code !== 0) throw new Error(`testbed up failed (exit ${up.code}): ${up.stderr}`);
  testbed = testbedFromCli(ID, up.stdout.trim(), { nodes: 4, managers: 2 });
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

test.serial('the engine can also be reached through DOCKER_HOST instead of SSH', async (t) => {
  const inventory = (await readFile(testbed.inventoryPath, 'utf8')).replace(/engine:\n(\s+)via: ssh\n\s+socketPath: \S+/, 'engine:\n$1via: docker-host');
  t.regex(inventory, /via: docker-host/);
  const path = join(testbed.layout.options.dir, 'docker-host.yml');
  await writeFile(path, inventory);
  const result = await runCli('cluster/cli.ts', ['--cluster', path, 'status', '--json'], 60_000, { DOCKER_HOST: `unix://${testbed.layout.nodes[0]!.socket}` });
  t.is(result.code, 0, result.stderr);
  t.is((JSON.parse(result.stdout) as ClusterStatus).leader, 'node1');
});

test.serial('each node has its own hostname, thermal fixture and engine over SSH', async (t) => {
  const loaded = await loadInventory(testbed.inventoryPath);
  const node = loaded.inventory.nodes[2]!;
  const ssh = await connectSsh(sshTarget(loaded, node));
  try {
    const before = await ssh.run('hostname; cat /sys/class/thermal/thermal_zone0/type /sys/class/thermal/thermal_zone0/temp');
    t.deepEqual(before.stdout.trim().split('\n'), ['node3', 'cpu-thermal', '42500']);
    // Rewriting the fixture in place changes what the node reads, live.
    await writeFile(join(testbed.layout.nodes[2]!.thermalDir, 'thermal_zone0', 'temp'), '71000\n');
    t.is((await ssh.run('cat /sys/class/thermal/thermal_zone0/temp')).stdout.trim(), '71000');
    t.is((await ssh.run('test -S /var/run/docker.sock && echo yes')).stdout.trim(), 'yes');
    t.is((await ssh.run('cat /sys/class/power_supply/battery/type /sys/class/power_supply/battery/temp')).stdout, 'Battery\n303\n');
    t.is((await ssh.run('ls /sys/class/net')).stdout.split('\n').includes('eth0'), true, "a fresh sysfs shows the node's own interfaces");
  } finally {
    ssh.close();
  }
});

test.serial("the bench's node sampler reads a node's thermal and battery fixtures over SSH", async (t) => {
  const node = testbed.layout.nodes[1]!;
  const samples: NodeSample[] = [];
  const sampler = await startRemoteSampler({
    node: node.name,
    target: { host: node.ip, username: 'root', privateKeyPath: testbed.layout.clientKey, knownHostsPath: testbed.layout.knownHosts, readyTimeoutMs: 3000 },
    intervalMs: 200,
    onSample: (sample) => samples.push(sample),
  });
  try {
    const sample = await poll('two samples', 15_000, async () => (samples.length >= 2 ? samples[samples.length - 1] : undefined), 100);
    t.deepEqual(
      sample.thermal.map((zone) => [zone.zone, zone.type, zone.tempC]),
      [
        ['thermal_zone0', 'cpu-thermal', 42],
        ['thermal_zone1', 'battery', 30.2],
      ],
    );
    t.is(sample.batteryTempC, 30.2);
    // Same clock as the harness: the offset is 0 within its error bound, half the measured round
    // trip (+1 ms), not a fixed bound a loaded machine can exceed.
    const { rttMs } = sampler.clock();
    t.true(Math.abs(sample.clockOffsetMs) <= rttMs / 2 + 1, `offset ${sample.clockOffsetMs} ms, rtt ${rttMs} ms`);
  } finally {
    await sampler.stop();
  }
});

test.serial('a host key that does not match known_hosts is refused', async (t) => {
  const loaded = await loadInventory(testbed.inventoryPath);
  const target = sshTarget(loaded, loaded.inventory.nodes[2]!);
  // node2's key filed under node3's address.
  const wrong = (await readFile(target.knownHostsPath!, 'utf8')).split('\n').find((line) => line.startsWith(`${testbed.layout.nodes[1]!.ip} `))!;
  const path = join(testbed.layout.options.dir, 'wrong_known_hosts');
  await writeFile(path, `${wrong.replace(testbed.layout.nodes[1]!.ip, target.host)}\n`);
  await t.throwsAsync(connectSsh({ ...target, knownHostsPath: path }), { message: /host key of .* does not match/ });
  await writeFile(path, '');
  await t.throwsAsync(connectSsh({ ...target, knownHostsPath: path }), { message: /is not in .*wrong_known_hosts/ });
});

test.serial('init promotes and demotes to match the inventory, and labels the nodes', async (t) => {
  const path = join(testbed.layout.options.dir, 'three-managers.yml');
  const original = await readFile(testbed.inventoryPath, 'utf8');
  const threeManagers = original.replace(/(name: node3\n\s+host: \S+\n\s+role: )worker/, '$1manager');
  t.not(threeManagers, original);
  await writeFile(path, threeManagers);
  const promote = await clusterCli(path, ['init', '--json']);
  t.is(promote.code, 0, promote.stderr);
  const promoted = JSON.parse(promote.stdout) as InitResult;
  t.deepEqual([promoted.created, promoted.joined, promoted.promoted, promoted.demoted], [false, [], ['node3'], []]);
  t.deepEqual(promoted.labelled.sort(), ['node1', 'node2', 'node3', 'node4']);
  // A node promoted right after a demotion takes about 30 s to become a reachable manager again
  // (swarm gives it a new Raft id); promoting first and demoting after keeps this test short.
  const demote = await clusterCli(testbed.inventoryPath, ['init', '--json']);
  t.is(demote.code, 0, demote.stderr);
  t.deepEqual((JSON.parse(demote.stdout) as InitResult).demoted, ['node3']);
  const status = JSON.parse((await clusterCli(testbed.inventoryPath, ['status', '--json'])).stdout) as ClusterStatus;
  t.deepEqual(
    status.nodes.map((node) => node.role),
    ['manager', 'manager', 'worker', 'worker'],
  );
  t.is(status.nodes[3]!.labels['cloudlet.testbed'], String(ID));
});

test.serial('doctor flags the even manager count, a stopped engine and an unreachable node within the SSH timeout', async (t) => {
  const healthy = await clusterCli(testbed.inventoryPath, ['doctor', '--json']);
  t.is(healthy.code, 0, healthy.stdout);
  const even = (JSON.parse(healthy.stdout) as Finding[]).find((finding) => finding.check === 'managers' && finding.level === 'warn');
  t.regex(even?.message ?? '', /2 managers/);
  t.regex(even?.fix ?? '', /cluster init/);
  const strict = await clusterCli(testbed.inventoryPath, ['doctor', '--strict']);
  t.is(strict.code, 1);

  await stopEngineProcess(testbed.layout.nodes[2]!, 'SIGKILL');
  await setNodeLink(testbed.layout, 'ip', 'node4', false);
  const sick = await clusterCli(testbed.inventoryPath, ['doctor', '--json']);
  t.is(sick.code, 1);
  const failures = (JSON.parse(sick.stdout) as Finding[]).filter((finding) => finding.level === 'fail');
  t.true(
    failures.some((finding) => finding.node === 'node3' && /engine not answering/.test(finding.message)),
    JSON.stringify(failures),
  );
  t.true(
    failures.some((finding) => finding.node === 'node4' && /SSH timed out after 3000 ms/.test(finding.message)),
    JSON.stringify(failures),
  );
  // The message shows the 3 s SSH timeout fired; the bound only rules out a hang (CLI start-up
  // under a loaded CI machine takes seconds of its own).
  t.true(sick.durationMs < 30_000, `doctor took ${sick.durationMs} ms`);
  await setNodeLink(testbed.layout, 'ip', 'node4', true);
});

test.serial('testbed status reports the nodes; down removes everything', async (t) => {
  const status = await runCli('cluster/testbed/cli.ts', ['status', '--id', String(ID), '--json']);
  t.is(status.code, 1, 'node3 was stopped');
  const nodes = (JSON.parse(status.stdout) as { nodes: Array<{ name: string; engine: boolean }> }).nodes;
  t.deepEqual(
    nodes.map((node) => [node.name, node.engine]),
    [
      ['node1', true],
      ['node2', true],
      ['node3', false],
      ['node4', true],
    ],
  );
  const down = await runCli('cluster/testbed/cli.ts', ['down', '--id', String(ID)]);
  t.is(down.code, 0, down.stderr);
  t.false(existsSync(`/tmp/cloudlet-testbed-${ID}`));
  t.false(existsSync(`/run/netns/cbt${ID}-br`));
  t.false(existsSync(`/run/netns/cbt${ID}-node1`));
  const mounts = await readFile('/proc/self/mountinfo', 'utf8');
  t.false(mounts.includes(`/tmp/cloudlet-testbed-${ID}`));
  const after = await runCli('cluster/testbed/cli.ts', ['status', '--id', String(ID)]);
  t.is(after.code, 1);
  t.regex(after.stdout, /down/);
});
