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

// Whole records compared with values worked out from the format (./script.ts), not read back.

test('a whole record: every field as the format defines it', (t) => {
  const record = parseRecord(
    [
      't 1700000000.250000',
      // user nice system idle iowait irq softirq steal guest guest_nice: guest columns are not counted.
      's cpu 10 1 4 80 5 0 0 0 7 7',
      's cpu0 6 0 2 40 2',
      's cpu1 4 1 2 40 3 0 0 0',
      's cpux 1 1 1 1',
      's cpu2 1 2 3',
      's cpu3 1 -2 3 4',
      's cpu4 1 x 3 4',
      'l 0.42 0.30 0.10',
      'm MemTotal: 3800000 kB',
      'm MemAvailable: 1200000 kB',
      'm Broken 5 kB',
      'm Cached: - kB',
      'f 1 1 1800000 2400000',
      'f 0 - 300000 -',
      'f 2 0 - -',
      'f 1.5 1 1 1',
      'f x 1 1 1',
      // z NAME RAW TYPE…: the type is the rest of the line, spaces and all.
      'z thermal_zone10 35000 battery  temp',
      'z thermal_zone2 41000 cpu-thermal',
      'z thermal_zone2 1 xpu',
      'z thermal_zone1 - skin-therm',
      'z foo 5 a',
      'z thermal_zone3',
      'b battery 305 Battery',
      'b usb - USB PD',
      'noise line',
    ],
    7,
  );
  t.deepEqual(record, {
    seq: 7,
    nodeClockMs: 1700000000250,
    clockPrecisionMs: 0.001,
    cpuAll: { busy: 15, total: 100 },
    cpuTicks: new Map([
      [0, { busy: 8, total: 50 }],
      [1, { busy: 7, total: 50 }],
    ]),
    load1: 0.42,
    memKB: { MemTotal: 3800000, MemAvailable: 1200000 },
    cores: [
      { core: 0, online: null, curFreqKHz: 300000, maxFreqKHz: null },
      { core: 1, online: true, curFreqKHz: 1800000, maxFreqKHz: 2400000 },
      { core: 2, online: false, curFreqKHz: null, maxFreqKHz: null },
    ],
    zones: [
      { zone: 'thermal_zone1', type: 'skin-therm', raw: null },
      { zone: 'thermal_zone2', type: 'cpu-thermal', raw: 41000 },
      { zone: 'thermal_zone2', type: 'xpu', raw: 1 },
      { zone: 'thermal_zone3', type: '', raw: null },
      { zone: 'thermal_zone10', type: 'battery  temp', raw: 35000 },
      { zone: 'foo', type: 'a', raw: 5 },
    ],
    supplies: [
      { name: 'battery', type: 'Battery', raw: 305 },
      { name: 'usb', type: 'USB PD', raw: null },
    ],
  });
});

test('a record with nothing readable keeps its defaults: seconds precision, no values', (t) => {
  t.deepEqual(parseRecord(['t', 's cpu', 'l -', 'm', 'f', 'z'], 3), {
    seq: 3,
    nodeClockMs: null,
    clockPrecisionMs: 1000,
    cpuAll: null,
    cpuTicks: new Map(),
    load1: null,
    memKB: {},
    cores: [],
    zones: [{ zone: '', type: '', raw: null }],
    supplies: [],
  });
  // A seconds-only clock: whole seconds, 1000 ms precision.
  t.like(parseRecord(['t 1700000000'], 1), { nodeClockMs: 1700000000000, clockPrecisionMs: 1000 });
  // Leading and trailing spaces, tabs between fields.
  t.like(parseRecord(['  l\t1.5 ', '  m  SwapFree:\t9 kB'], 1), { load1: 1.5, memKB: { SwapFree: 9 } });
});

test('the framer: hello, records only between @@rec and the @@end of the same seq, CRLF, text outside ignored', (t) => {
  const hellos: unknown[] = [];
  const records: [string[], number][] = [];
  const framer = createFramer({ onHello: (h) => hellos.push(h), onRecord: (lines, seq) => records.push([lines, seq]) });
  framer.push('motd\n@@hello 2 4242\r\n@@rec 1\r\nl 1\r\n@@end 2\n@@end 1\n');
  framer.push('stray\n@@rec 5\nm a: 1\n@@rec 6\nl 2\n@@end 5\n@@end 6\n@@end 6\n@@other 1\n@@rec 7\nl 3');
  t.deepEqual(hellos, [{ format: 2, pid: 4242 }]);
  // @@end 2 does not close record 1; @@rec 6 starts afresh, so @@end 5 closes nothing; record 7 has no end yet.
  t.deepEqual(records, [
    [['l 1'], 1],
    [['l 2'], 6],
  ]);
  framer.push('\n@@end 7\n');
  t.deepEqual(records.at(-1), [['l 3'], 7]);
  // No onHello handler is fine.
  t.notThrows(() => createFramer({ onRecord: () => undefined }).push('@@hello 1 1\n'));
});

test('the framer and the parser at their edges: a wrong @@end does not end a record, an unknown @@ tag neither; cpu names exactly cpuN; zone numbers at the end', (t) => {
  const records: [string[], number][] = [];
  const framer = createFramer({ onRecord: (lines, seq) => records.push([lines, seq]) });
  framer.push('@@rec 1\nl 1\n@@end 2\nl 9\n@@xyz 1\nl 8\n@@end 1\n');
  t.deepEqual(records, [[['l 1', 'l 9', 'l 8'], 1]]);
  const hellos: unknown[] = [];
  createFramer({ onHello: (h) => hellos.push(h), onRecord: () => undefined }).push('@@hello 3 7\n');
  t.deepEqual(hellos, [{ format: 3, pid: 7 }], 'a hello in the very first chunk');
  const record = parseRecord(['s xcpu1 1 1 1 1', 's cpu1x 1 1 1 1', 's cpu12 2 0 0 2', '  z tz 1000 a b', 'z zone3a 1 x', 'z zone2 1 y'], 1);
  t.deepEqual([...record.cpuTicks.keys()], [12]);
  t.deepEqual(
    record.zones.map((z) => [z.zone, z.type]),
    [
      ['zone2', 'y'],
      ['tz', 'a b'],
      ['zone3a', 'x'],
    ],
  );
});
