import test from 'ava';
import { startSamplers } from '../../../../bench/nodes/group.ts';
import { startLocalSampler } from '../../../../bench/nodes/local.ts';
import type { NodeSample } from '../../../../rundir/types.ts';
import { waitFor } from '../../../helpers/poll.ts';

test('all samplers start, or none keeps running and the first failure is thrown', async (t) => {
  const samples: NodeSample[] = [];
  const pids: number[] = [];
  const start = (node: string, shell?: string[]) => async () => {
    const handle = await startLocalSampler({ node, intervalMs: 50, shell, onSample: (s) => samples.push(s) });
    pids.push(handle.pid!);
    return handle;
  };
  await t.throwsAsync(startSamplers([start('a'), start('broken', ['/nonexistent/sh'])]), { message: /cannot start \/nonexistent\/sh/ });
  t.is(pids.length, 1);
  t.throws(() => process.kill(pids[0]!, 0), undefined, 'the sampler that did start was stopped');

  const group = await startSamplers([start('a'), start('b')]);
  await waitFor('samples from both', () => samples.some((s) => s.node === 'a') && samples.some((s) => s.node === 'b'));
  await group.stop();
  t.is(pids.length, 3);
  for (const pid of pids) t.throws(() => process.kill(pid, 0));
});
