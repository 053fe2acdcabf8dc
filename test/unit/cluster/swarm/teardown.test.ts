import test from 'ava';
import { describeNode, leavingOrder } from '../../../../cluster/swarm/teardown.ts';
import { renderPlan } from '../../../../cluster/commands/teardown.ts';

// cluster teardown: who leaves when, and what it says per node.
test('workers leave first, then managers, the one we talk through last', (t) => {
  const members = [
    { node: 'm1', role: 'manager' as const },
    { node: 'w1', role: 'worker' as const },
    { node: 'm2', role: 'manager' as const },
    { node: 'x', role: 'none' as const },
    { node: 'w2', role: 'worker' as const },
  ];
  t.deepEqual(
    leavingOrder(members, 'm1').map((m) => m.node),
    ['w1', 'x', 'w2', 'm2', 'm1'],
  );
});

test('what it says it will do, and did, on each node', (t) => {
  t.is(
    renderPlan(
      'c',
      {
        stacks: ['go-coffee'],
        nodes: [
          { node: 'w1', role: 'worker' },
          { node: 'm1', role: 'manager', error: 'SSH timed out' },
        ],
      },
      true,
      false,
    ),
    'cluster c:\n  remove stacks: go-coffee\n  w1 (worker): leave the swarm, prune\n  m1 (manager): unreachable (SSH timed out)\n',
  );
  t.is(
    describeNode({ node: 'm2', role: 'manager', demoted: true, left: true, pruned: { containers: 2, networks: 1, images: 0, volumes: 0 } }),
    'm2 (manager): demoted; left the swarm; pruned 2 containers, 1 networks, 0 images, 0 volumes',
  );
  t.is(describeNode({ node: 'x', role: 'none', demoted: false, left: false }), 'x (no swarm): was in no swarm');
});
