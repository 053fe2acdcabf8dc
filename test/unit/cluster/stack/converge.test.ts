import test from 'ava';
import { persistentFailure, renderTaskError, taskErrors } from '../../../../cluster/stack/converge.ts';
import type { SwarmNode, SwarmService, SwarmTask } from '../../../../cluster/swarm/model.ts';

// While a deploy converges: each task error once with its node; a service that keeps failing ends the wait.
const service = (id: string): SwarmService => ({
  ID: id,
  Version: { Index: 1 },
  Spec: { Name: `s_${id}`, TaskTemplate: { ContainerSpec: { Image: 'x' } }, Mode: {} },
});
const nodes: SwarmNode[] = [{ ID: 'N1', Spec: {}, Description: { Hostname: 'node1' } }];
let serial = 0;
const task = (serviceId: string, state: string, err: string | undefined, atMs: number, desired = 'shutdown'): SwarmTask => ({
  ID: `t${++serial}`,
  ServiceID: serviceId,
  NodeID: 'N1',
  DesiredState: desired,
  CreatedAt: new Date(atMs).toISOString(),
  Status: { State: state, ...(err ? { Err: err } : {}) },
});
const t0 = Date.parse('2026-01-01T00:00:00Z');

test('task errors name the service and the node, newest first', (t) => {
  const errors = taskErrors(
    [service('a')],
    [task('a', 'rejected', 'No such image: x', t0), task('a', 'pending', 'no suitable node', t0 + 1000, 'running'), task('b', 'failed', 'y', t0)],
    nodes,
  );
  t.deepEqual(errors, [
    { service: 's_a', node: 'node1', state: 'pending', error: 'no suitable node' },
    { service: 's_a', node: 'node1', state: 'rejected', error: 'No such image: x' },
  ]);
  t.is(renderTaskError(errors[1]!), 's_a: task rejected on node1: No such image: x');
});

test('three rejections with one error end the wait; two do not, nor a different error, nor a running task', (t) => {
  const a = service('a');
  const rejected = (i: number, err = 'invalid mount config: ./x') => task('a', 'rejected', err, t0 + i * 1000);
  t.is(persistentFailure(a, [rejected(1), rejected(2), rejected(3)], false, t0 + 5000), 'invalid mount config: ./x');
  t.is(persistentFailure(a, [rejected(1), rejected(2)], false, t0 + 5000), undefined);
  t.is(persistentFailure(a, [rejected(1, 'other'), rejected(2), rejected(3)], false, t0 + 5000), undefined);
  t.is(persistentFailure(a, [rejected(1), rejected(2), rejected(3), task('a', 'running', undefined, t0, 'running')], false, t0 + 5000), undefined);
  // A new task being started does not break the streak.
  t.is(
    persistentFailure(a, [rejected(1), rejected(2), rejected(3), task('a', 'preparing', undefined, t0 + 4000, 'running')], false, t0 + 5000),
    rejected(1).Status!.Err,
  );
});

test('failures that may wait for a dependency: final only when nothing else is converging, or after two minutes', (t) => {
  const a = service('a');
  const failed = Array.from({ length: 5 }, (_, i) => task('a', 'failed', 'task: non-zero exit (1)', t0 + i * 8000));
  t.is(persistentFailure(a, failed, false, t0 + 40_000), undefined, 'postgres may still be starting');
  t.is(persistentFailure(a, failed, true, t0 + 40_000), 'task: non-zero exit (1)', 'everything else runs: nothing to wait for');
  t.is(persistentFailure(a, failed, true, t0 + 20_000), undefined, 'not yet failing for 30 s');
  t.is(persistentFailure(a, failed, false, t0 + 130_000), 'task: non-zero exit (1)');
  t.is(persistentFailure(a, failed.slice(0, 4), true, t0 + 130_000), undefined, 'four is not enough');
});
