import test from 'ava';
import { readFileSync } from 'node:fs';
import { startLocalSampler } from '../../../../bench/nodes/local.ts';
import type { NodeSample } from '../../../../rundir/types.ts';
import { waitFor } from '../../../helpers/poll.ts';

test('the local host sampler (sh -c) gives CPU % per core from the second sample on', async (t) => {
  const samples: NodeSample[] = [];
  const handle = await startLocalSampler({ node: 'local', intervalMs: 100, onSample: (s) => samples.push(s) });
  t.teardown(() => handle.stop());
  t.true(typeof handle.pid === 'number');
  const second = await waitFor('two samples', () => samples[1]);
  const cores = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((l) => /^cpu\d+ /.test(l)).length;
  t.is(second.cores.length, cores);
  t.true(second.cores.every((c) => c.online));
  t.true(second.cpuPct === null || (second.cpuPct >= 0 && second.cpuPct <= 100));
  t.true(second.memTotalKB > 0);
  t.is(second.clockOffsetMs, 0);
  t.is(second.pointId, null);
  await handle.stop();
  const pid = handle.pid!;
  t.throws(() => process.kill(pid, 0), undefined, 'the loop is gone after stop()');
});

test('a shell that cannot start rejects with the reason', async (t) => {
  await t.throwsAsync(startLocalSampler({ node: 'x', shell: ['/nonexistent/sh'], onSample: () => {} }), { message: /cannot start/ });
});
