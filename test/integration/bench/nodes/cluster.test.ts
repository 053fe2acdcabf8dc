import test from 'ava';
import { startClusterSampler } from '../../../../bench/nodes/cluster.ts';
import { SshHostKeyUnknownError } from '../../../../kernel/ssh/errors.ts';
import type { NodeSample } from '../../../../rundir/types.ts';
import type { SamplerEvent } from '../../../../rundir/events.ts';
import { waitFor } from '../../../helpers/poll.ts';
import { sshdForFile } from '../../../helpers/sshd.ts';

const file = sshdForFile(test);
const ssh = () => file.target();

test.serial('every node sampled over its own connection; node-lost and node-back become run events', async (t) => {
  const samples: NodeSample[] = [];
  const events: SamplerEvent[] = [];
  const handle = await startClusterSampler({
    nodes: [
      { name: 'pixel-1', ssh: { ...ssh(), keepaliveIntervalMs: 500 } },
      { name: 'pixel-2', ssh: ssh() },
    ],
    intervalMs: 100,
    onSample: (s) => samples.push(s),
    onEvent: (e) => events.push(e),
  });
  try {
    await waitFor('samples from both nodes', () => ['pixel-1', 'pixel-2'].every((n) => samples.some((s) => s.node === n)));
    await file.sshd().kill();
    await waitFor('both lost', () => events.filter((e) => e.type === 'node-lost').length === 2);
    await file.sshd().start();
    await waitFor('both back', () => events.filter((e) => e.type === 'node-back').length === 2, 20_000);
    t.deepEqual([...new Set(events.filter((e) => e.type.startsWith('node-')).map((e) => e.node))].sort(), ['pixel-1', 'pixel-2']);
    t.true(events.every((e) => e.pointId === null && typeof e.timeMs === 'number'));
  } finally {
    await handle.stop();
  }
});

test.serial('one node with an unknown host key: the whole start fails with that typed error', async (t) => {
  await t.throwsAsync(
    startClusterSampler({
      nodes: [
        { name: 'good', ssh: ssh() },
        { name: 'new', ssh: { ...ssh(), knownHostsPath: `${file.sshd().dir}/empty_known_hosts` } },
      ],
      onSample: () => {},
    }),
    { instanceOf: SshHostKeyUnknownError },
  );
});
