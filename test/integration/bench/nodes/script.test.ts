// The real sh loop over a phone-like fixture tree, under busybox sh (as on postmarketOS) and dash
// (Debian's sh), parsed by the real parser.
import test from 'ava';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalSampler } from '../../../../bench/nodes/local.ts';
import type { NodeSample } from '../../../../rundir/types.ts';
import { requireBinary } from '../../../helpers/binaries.ts';
import { fixturePath } from '../../../helpers/fixtures.ts';
import { waitFor } from '../../../helpers/poll.ts';
import { descendants } from '../../../helpers/procs.ts';

const shells: [string, () => string[]][] = [
  ['busybox sh', () => [requireBinary('busybox', 'busybox'), 'sh']],
  ['dash', () => [requireBinary('dash', 'dash')]],
];

for (const [name, shell] of shells) {
  test(`${name}: the loop reads a Pixel-4-like tree, follows a core going offline, and stops`, async (t) => {
    const root = await mkdtemp(join(tmpdir(), 'cloudlet-sampler-'));
    t.teardown(() => rm(root, { recursive: true, force: true }));
    await cp(fixturePath('nodes', 'pixel4'), root, { recursive: true });
    const samples: NodeSample[] = [];
    const errors: Error[] = [];
    const handle = await startLocalSampler({
      node: 'pixel-1',
      intervalMs: 100,
      shell: shell(),
      procRoot: join(root, 'proc'),
      sysRoot: join(root, 'sys'),
      onSample: (s) => samples.push(s),
      onError: (e) => errors.push(e),
    });
    try {
      const first = await waitFor('a first sample', () => samples[0]);
      t.is(first.node, 'pixel-1');
      t.deepEqual(
        first.cores.map((c) => [c.core, c.online, c.freqKHz, c.maxFreqKHz]),
        [
          [0, true, 1785600, 1785600],
          [1, true, 1785600, 1785600],
          [2, true, 1785600, 1785600],
          [3, true, 1785600, 1785600],
          [4, true, 1209600, 2419200],
          [5, true, 2419200, 2419200],
          [6, false, null, null],
          [7, true, 2841600, 2841600],
        ],
      );
      t.is(first.thermal.length, 16);
      const byType = new Map(first.thermal.map((z) => [z.type, z.tempC]));
      t.is(byType.get('cpu-1-1-usr'), 48.3);
      t.is(byType.get('xo-therm'), -5);
      t.is(byType.get('battery'), 31);
      t.is(byType.get('pm8150b tz'), 36.01);
      t.is(byType.get(''), 30);
      t.is(byType.get('modem-skin'), null, 'unreadable temp (a directory)');
      t.is(byType.get('sdm-therm'), null, 'no temp file');
      t.is(byType.get('disabled-usr'), null);
      t.is(byType.get('q6-hvx-usr'), null);
      t.is(first.batteryTempC, 31.2);
      t.is(first.memTotalKB, 5731436);
      t.is(first.memAvailableKB, 2411024);
      t.is(first.load1, 2.31);
      t.true(Math.abs(first.nodeTimeMs - first.timeMs) < 1000);
      if (name === 'busybox sh') {
        // With $EPOCHREALTIME the loop waits on its FIFO and forks nothing: it never has a child.
        for (let i = 0; i < 5; i++) {
          t.deepEqual(await descendants(handle.pid!), [], 'no sleep or date child');
          await new Promise((resolve) => setTimeout(resolve, 30));
        }
      }

      // cpu7 goes offline: gone from /proc/stat and online=0.
      const stat = await readFile(join(root, 'proc/stat'), 'utf8');
      await writeFile(join(root, 'proc/stat'), stat.replace(/^cpu7 .*\n/m, ''));
      await writeFile(join(root, 'sys/devices/system/cpu/cpu7/online'), '0\n');
      const offline = await waitFor('cpu7 offline', () => samples.find((s) => s.cores[7]?.online === false));
      t.is(offline.cores[7]!.cpuPct, null);
      t.is(offline.cores.length, 8);
    } finally {
      await handle.stop();
    }
    const count = samples.length;
    await new Promise((resolve) => setTimeout(resolve, 250));
    t.is(samples.length, count, 'no samples after stop()');
    t.deepEqual(errors, []);
  });
}
