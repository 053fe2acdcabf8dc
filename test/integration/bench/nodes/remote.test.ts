// The node sampler over SSH against a real sshd on loopback: clock offset, busybox, reconnect.
import test, { type ExecutionContext } from 'ava';
import { alive } from '../../../../cluster/testbed/nodes.ts';
import { startRemoteSampler, type ConnectionEvent } from '../../../../bench/nodes/remote.ts';
import type { NodeSample } from '../../../../rundir/types.ts';
import { requireBinary } from '../../../helpers/binaries.ts';
import { waitFor } from '../../../helpers/poll.ts';
import { sshdForFile } from '../../../helpers/sshd.ts';

const file = sshdForFile(test);
const target = () => file.target();

/**
 * The node read its clock somewhere inside the probe's round trip, so the estimate is off by at
 * most rtt/2 (+1 ms of rounding): that bound is exact, whatever the load on this machine. The
 * 50 ms goal holds whenever the round trip is under 100 ms (it is well under 1 ms on loopback).
 */
function assertOffset(t: ExecutionContext, clock: { offsetMs: number; rttMs: number }, trueOffsetMs: number) {
  t.log(`offset ${clock.offsetMs} ms (true ${trueOffsetMs}), rtt ${clock.rttMs} ms`);
  t.true(Math.abs(clock.offsetMs - trueOffsetMs) <= clock.rttMs / 2 + 1, `offset ${clock.offsetMs} ms, true ${trueOffsetMs} ms, rtt ${clock.rttMs} ms`);
}

/**
 * A corrected node time is when the record began, so it precedes its arrival, within the offset's
 * error bound (rtt/2 + 1 ms, measured, rather than a fixed 50 ms that a busy machine can exceed).
 */
function assertLinedUp(t: ExecutionContext, sample: NodeSample, clock: { rttMs: number }) {
  const bound = clock.rttMs / 2 + 1;
  t.true(sample.nodeTimeMs <= sample.timeMs + bound, `node ${sample.nodeTimeMs} after arrival ${sample.timeMs} by more than ${bound} ms`);
  t.true(sample.timeMs - sample.nodeTimeMs < 5000, `node ${sample.nodeTimeMs} long before arrival ${sample.timeMs}`);
}

test.serial('samples arrive under busybox sh with the clock offset found within its bound; stop ends the remote loop', async (t) => {
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
    // Same host, same clock: the true offset is 0.
    assertOffset(t, handle.clock(), 0);
    t.is(second.clockOffsetMs, handle.clock().offsetMs);
    assertLinedUp(t, second, handle.clock());
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

test.serial('a node whose clock runs 2.5 s ahead: the offset is measured and its series line up within the measured round trip', async (t) => {
  const samples: NodeSample[] = [];
  // libfaketime shifts the node's clock (`date` under dash) without touching this host's.
  const handle = await startRemoteSampler({
    node: 'skewed',
    target: target(),
    intervalMs: 100,
    shell: [requireBinary('faketime', 'faketime'), '-f', '+2.5s', 'sh'],
    onSample: (s) => samples.push(s),
  });
  try {
    const sample = await waitFor('a sample', () => samples[1]);
    assertOffset(t, handle.clock(), -2500);
    assertLinedUp(t, sample, handle.clock());
  } finally {
    await handle.stop();
  }
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
    await file.sshd().kill();
    await waitFor('lost', () => events.find((e) => e.type === 'lost'));
    // While sshd is down, reconnect attempts fail as unreachable, and keep going.
    await waitFor('a failed reconnect', () => errors[0]);
    t.regex(errors[0]!.message, /unreachable/);
    const before = samples.length;
    await file.sshd().start();
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
