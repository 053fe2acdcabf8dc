import test from 'ava';
import { parseClock } from '../../../../kernel/ssh/clock.ts';
import { createFramer, parseRecord } from '../../../../bench/nodes/parse.ts';

test('framer reassembles records split anywhere and drops records without their end', (t) => {
  const got: number[] = [];
  const hellos: number[] = [];
  const framer = createFramer({ onHello: (h) => hellos.push(h.pid), onRecord: (_lines, seq) => got.push(seq) });
  const text = 'motd line\n@@hello 1 42\n@@rec 1\ns cpu 1 2 3 4\n@@end 1\n@@rec 2\ns cpu 1\n@@rec 3\n@@end 3\n@@rec 4\n@@end 4';
  for (const ch of text) framer.push(ch);
  t.deepEqual(hellos, [42]);
  // 2 never ended; 4's end line has no newline yet.
  t.deepEqual(got, [1, 3]);
  framer.push('\n');
  t.deepEqual(got, [1, 3, 4]);
});

test('parseClock reads $EPOCHREALTIME, date +%s%N and busybox date without %N', (t) => {
  t.deepEqual(parseClock('1764000000.250000'), { ms: 1764000000250, precisionMs: 0.001 });
  t.deepEqual(parseClock('1764000000,5'), { ms: 1764000000500, precisionMs: 0.001 });
  t.deepEqual(parseClock('1764000000123456789'), { ms: 1764000000123.456, precisionMs: 0.001 });
  t.deepEqual(parseClock('1764000000%N'), { ms: 1764000000000, precisionMs: 1000 });
  t.deepEqual(parseClock('1764000000N'), { ms: 1764000000000, precisionMs: 1000 });
  t.is(parseClock('soon'), null);
});

test('parseRecord reads every line kind, keeps odd zone types, and marks unreadable values null', (t) => {
  const record = parseRecord(
    [
      's cpu  10 0 10 80 0 0 0 0 0 0',
      's cpu0 10 0 10 80',
      's cpu1 x y',
      's intr 1 2 3',
      'l 1.25 1.00 0.75 2/200 7',
      'm MemTotal: 4000',
      'm MemAvailable: 1000',
      'f 1 0 - -',
      'f 0 - 1200000 1800000',
      'z thermal_zone10 -',
      'z thermal_zone2 -3500 weird zone (2)',
      'b battery 315 Battery',
    ],
    9,
  );
  t.is(record.seq, 9);
  t.deepEqual(record.cpuAll, { busy: 20, total: 100 });
  t.deepEqual([...record.cpuTicks.keys()], [0]);
  t.is(record.load1, 1.25);
  t.deepEqual(record.memKB, { MemTotal: 4000, MemAvailable: 1000 });
  t.deepEqual(record.cores, [
    { core: 0, online: null, curFreqKHz: 1200000, maxFreqKHz: 1800000 },
    { core: 1, online: false, curFreqKHz: null, maxFreqKHz: null },
  ]);
  t.deepEqual(record.zones, [
    { zone: 'thermal_zone2', type: 'weird zone (2)', raw: -3500 },
    { zone: 'thermal_zone10', type: '', raw: null },
  ]);
  t.deepEqual(record.supplies, [{ name: 'battery', type: 'Battery', raw: 315 }]);
});
