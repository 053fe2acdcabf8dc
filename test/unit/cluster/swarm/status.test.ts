import test from 'ava';
import { renderStatus } from '../../../../cluster/commands/status.ts';
import { buildStatus } from '../../../../cluster/swarm/status.ts';
import { parseInventory } from '../../../../cluster/inventory/load.ts';
import type { SwarmNode, SwarmTask } from '../../../../cluster/swarm/model.ts';

const inventory = parseInventory(
  `
name: t
nodes:
  - { name: a, host: 10.0.0.1, role: manager, arch: arm/v7 }
  - { name: b, host: 10.0.0.2, role: worker }
  - { name: c, host: 10.0.0.3, role: worker }
`,
  'x.yml',
);

const node = (id: string, hostname: string, role: 'manager' | 'worker', extra: Partial<SwarmNode> = {}): SwarmNode => ({
  ID: id,
  Spec: { Role: role, Availability: 'active' },
  Description: { Hostname: hostname, Platform: { Architecture: 'armv7l' }, Engine: { EngineVersion: '20.10.24' } },
  Status: { State: 'ready', Addr: '10.0.0.9' },
  ...extra,
});

test('joins inventory and swarm: roles, leader, arch, running tasks, absent and unlisted nodes', (t) => {
  const nodes = [
    node('n1', 'a', 'manager', { ManagerStatus: { Leader: true, Reachability: 'reachable' } }),
    node('n2', 'other', 'worker', { Status: { State: 'down', Addr: '10.0.0.2' } }),
    node('n9', 'stray', 'worker'),
  ];
  const tasks: SwarmTask[] = [
    { ID: 't1', ServiceID: 's', NodeID: 'n1', Status: { State: 'running' } },
    { ID: 't2', ServiceID: 's', NodeID: 'n1', Status: { State: 'running' } },
    { ID: 't3', ServiceID: 's', NodeID: 'n2', Status: { State: 'preparing' } },
  ];
  const status = buildStatus(inventory, nodes, tasks, 'a');
  t.is(status.leader, 'a');
  t.deepEqual(
    status.nodes.map((n) => [n.name, n.role, n.state, n.arch, n.runningTasks]),
    [
      ['a', 'manager', 'ready', 'arm/v7', 2],
      ['b', 'worker', 'down', 'arm/v7', 0], // matched by address
      ['c', 'absent', 'absent', '', 0],
      ['stray', 'worker', 'ready', 'arm/v7', 0],
    ],
  );
  const text = renderStatus(status);
  t.regex(text, /leader: a/);
  t.regex(text, /c +10\.0\.0\.3 +absent \(want worker\)/);
});

test('no leader is said plainly', (t) => {
  t.regex(renderStatus(buildStatus(inventory, [], [], 'a')), /leader: NONE/);
});
