// The node sampler over SSH against a real sshd on loopback: clock offset, busybox, reconnect.
import test from 'ava';
import { startRemoteSampler, type ConnectionEvent } from '../../../bench/ssh/sampler.ts';
import type { NodeSample } from '../../../bench/rundir/types.ts';
import { requireBinary } from '../../helpers/binaries.ts';
import { waitFor } from '../../helpers/poll.ts';
import { startSshd, type TestSshd } from '../../helpers/sshd.ts';

let sshd: TestSshd;
test.before(async () => {
  sshd = await startSshd();
});
test.after.always(async () => {
  await sshd?.stop();
});

const target = () => ({ host: sshd.host, port: sshd.port, username: sshd.username, privateKeyPath: sshd.privateKeyPath, knownHostsPath: sshd.knownHostsPath });

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test.serial('samples arrive under busybox sh with the clock lined up within 50 ms; stop ends the remote loop', async (t) => {
  const samples: NodeSample[] = [];
  const handle = await startRemoteSampler({
    node: 'loopback',
    target: target(),
    intervalMs: 100,
    shell: [requireBinary('busybox', 'busybox'), 'sh'],
    onSample: (s) => samples.push(s),
  });
  try {
    const second = await waitFor('two samples', () => samples[1]);
    const clock = handle.clock();
    // Same host, same clock: the estimate must find ~0, and the bound (rtt/2) must be tight.
    t.true(Math.abs(clock.offsetMs) < 50, `offset ${clock.offsetMs} ms`);
    t.true(clock.rttMs < 100, `rtt ${clock.rttMs} ms`);
    t.is(second.clockOffsetMs, clock.offsetMs);
    t.true(Math.abs(second.nodeTimeMs - second.timeMs) < 50, `node ${second.nodeTimeMs} vs harness ${second.timeMs}`);
    t.true(second.cores.length > 0 && second.memTotalKB > 0);
  } finally {
    await handle.stop();
  }
  const pid = handle.pid!;
  t.true(pid > 0);
  // On loopback the remote pid is a local one: the loop must be gone.
  await waitFor(`remote loop ${pid} to exit`, () => !alive(pid), 5000);
  t.pass();
});

test.serial('a node that drops off is reported lost, reconnected with backoff, and sampled again', async (t) => {
  const samples: NodeSample[] = [];
  const events: ConnectionEvent[] = [];
  const errors: Error[] = [];
  const handle = await startRemoteSampler({
    node: 'flaky',
    target: { ...target(), keepaliveIntervalMs: 500, readyTimeoutMs: 2000 },
    intervalMs: 100,
    backoff: { baseMs: 100, maxMs: 400 },
    onSample: (s) => samples.push(s),
    onConnection: (e) => events.push(e),
    onError: (e) => errors.push(e),
  });
  try {
    await waitFor('a sample', () => samples[0]);
    await sshd.kill();
    await waitFor('lost', () => events.find((e) => e.type === 'lost'));
    // While sshd is down, reconnect attempts fail as unreachable, and keep going.
    await waitFor('a failed reconnect', () => errors[0]);
    t.regex(errors[0]!.message, /unreachable/);
    const before = samples.length;
    await sshd.start();
    await waitFor('back', () => events.find((e) => e.type === 'back'));
    await waitFor('samples after reconnect', () => samples.length > before + 1);
    t.deepEqual(
      events.map((e) => e.type),
      ['lost', 'back'],
    );
  } finally {
    await handle.stop();
  }
});
