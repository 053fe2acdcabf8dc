import test from 'ava';
import type { Finding } from '../../../cluster/doctor/diagnose.ts';
import type { InitResult } from '../../../cluster/swarm/init.ts';
import type { ClusterStatus } from '../../../cluster/swarm/status.ts';
import { poll } from '../../../kernel/poll.ts';
import { stopEngineProcess } from '../../../cluster/testbed/nodes.ts';
import { clusterCli, startTestbed, type RunningTestbed } from '../../helpers/testbed.ts';

// Integration: engines outside any swarm; `cluster init` forms a swarm of 3 managers and a worker
// from the inventory; then the leader's engine stops and status answers through another manager.
let testbed: RunningTestbed;
test.before(async () => {
  testbed = await startTestbed({ id: 4, nodes: 4, managers: 3, swarm: false });
});
test.after.always(async () => {
  await testbed?.down();
});

const cli = (args: string[]) => clusterCli(testbed.inventoryPath, args);

test.serial('init forms the swarm the inventory describes; a second init changes nothing', async (t) => {
  const first = await cli(['init', '--json']);
  t.is(first.code, 0, first.stderr);
  const result = JSON.parse(first.stdout) as InitResult;
  t.true(result.created);
  t.is(result.via, 'node1');
  t.deepEqual(result.joined, ['node2', 'node3', 'node4']);
  const status = JSON.parse((await cli(['status', '--json'])).stdout) as ClusterStatus;
  t.deepEqual(
    status.nodes.map((node) => node.role),
    ['manager', 'manager', 'manager', 'worker'],
  );
  t.true(status.nodes.every((node) => node.state === 'ready'));
  const again = JSON.parse((await cli(['init', '--json'])).stdout) as InitResult;
  t.deepEqual([again.created, again.joined, again.promoted, again.demoted, again.labelled], [false, [], [], [], []]);
});

test.serial('doctor is clean on a healthy odd-manager swarm', async (t) => {
  const result = await cli(['doctor', '--json']);
  t.is(result.code, 0, result.stdout);
  const findings = JSON.parse(result.stdout) as Finding[];
  t.deepEqual(
    findings.filter((finding) => finding.level !== 'ok'),
    [],
  );
  t.true(findings.some((finding) => finding.check === 'clock' && finding.level === 'ok'));
});

test.serial("with the leader's engine stopped, status answers through another manager and doctor flags the node", async (t) => {
  const before = JSON.parse((await cli(['status', '--json'])).stdout) as ClusterStatus;
  const leader = before.leader!;
  t.truthy(leader);
  const stoppedAt = Date.now();
  await stopEngineProcess(testbed.layout.nodes.find((node) => node.name === leader)!, 'SIGKILL');
  const after = await poll(
    'a new leader',
    90_000,
    async () => {
      const result = await cli(['status', '--json']);
      if (result.code !== 0) return undefined;
      const status = JSON.parse(result.stdout) as ClusterStatus;
      const old = status.nodes.find((node) => node.name === leader);
      return status.leader && status.leader !== leader && old?.reachability === 'unreachable' ? status : undefined;
    },
    1000,
  );
  t.log(`new leader ${after.leader} after ${Date.now() - stoppedAt} ms`);
  t.not(after.via, leader);

  const doctor = await cli(['doctor', '--json']);
  t.is(doctor.code, 1);
  const failures = (JSON.parse(doctor.stdout) as Finding[]).filter((finding) => finding.level === 'fail');
  t.true(
    failures.some((finding) => finding.node === leader && /engine not answering/.test(finding.message)),
    JSON.stringify(failures),
  );
  t.true(
    failures.some((finding) => finding.node === leader && /manager is unreachable/.test(finding.message)),
    JSON.stringify(failures),
  );
});
