// The one clock probe (kernel/ssh/clock.ts) against a real sshd on loopback, as `cluster doctor`
// and the node samplers use it: under busybox sh, and on a node whose `date` has no %N (busybox
// date without nanoseconds), where the old doctor probe got no reading at all.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { measureClockOffset } from '../../../../kernel/ssh/clock.ts';
import { connectSsh } from '../../../../kernel/ssh/connect.ts';
import { requireBinary } from '../../../helpers/binaries.ts';
import { sshdForFile } from '../../../helpers/sshd.ts';

const file = sshdForFile(test);

test.serial('busybox sh: a reading of a clock the node shares with the harness, within the round trip', async (t) => {
  const connection = await connectSsh(file.target());
  t.teardown(() => connection.close());
  const reading = await measureClockOffset(connection, { shell: [requireBinary('busybox', 'busybox'), 'sh'] });
  t.truthy(reading);
  t.true(Math.abs(reading!.offsetMs) <= reading!.rttMs / 2 + 1, JSON.stringify(reading));
  t.true(reading!.precisionMs < 1);
});

test.serial('a node clock in whole seconds (no $EPOCHREALTIME, date without %N) still gives a reading, marked coarse', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'coarse-date-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  // What busybox date prints for `date '+t %s%N'` when it has no %N.
  await writeFile(join(dir, 'date'), `#!/bin/sh\nprintf 't %sN\\n' "$(${requireBinary('date', 'coreutils')} +%s)"\n`);
  await chmod(join(dir, 'date'), 0o755);
  const connection = await connectSsh(file.target());
  t.teardown(() => connection.close());
  const reading = await measureClockOffset(connection, { shell: ['env', `PATH=${dir}:/usr/bin:/bin`, requireBinary('dash', 'dash')] });
  t.truthy(reading, 'a reading from a seconds-only clock');
  t.is(reading!.precisionMs, 1000);
  // The node truncates to the second, so it reads up to 1 s behind the harness.
  t.true(reading!.offsetMs >= -reading!.rttMs / 2 - 1 && reading!.offsetMs <= 1000 + reading!.rttMs / 2 + 1, JSON.stringify(reading));
});
