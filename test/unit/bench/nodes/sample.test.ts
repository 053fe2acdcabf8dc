import test from 'ava';
import { parseRecord, type RawRecord } from '../../../../bench/nodes/parse.ts';
import { createSampleBuilder, thermalTempC } from '../../../../bench/nodes/sample.ts';
import { samplesFromTranscript } from '../../../helpers/nodes.ts';

test('CPU % per core and overall come from deltas; the first record has none', (t) => {
  const [first, second] = samplesFromTranscript('hotplug.txt');
  t.truthy(first && second);
  t.is(first!.cpuPct, null);
  t.true(first!.cores.every((c) => c.cpuPct === null && c.online));
  t.deepEqual(
    second!.cores.map((c) => c.cpuPct),
    [55, 30, 60, 0],
  );
  t.is(second!.cpuPct, 33.33);
  // An idle core at a low frequency is not throttling.
  t.false(second!.throttled);
  t.is(second!.load1, 0.6);
  // No MemAvailable (old kernel): free + buffers + cached.
  t.is(second!.memAvailableKB, 90000 + 2000 + 500000);
  t.is(second!.nodeTimeMs, 1764000001250);
});

test('a core that goes offline and comes back: null while away, no bogus delta on return', (t) => {
  const samples = samplesFromTranscript('hotplug.txt', 5);
  t.is(samples.length, 5);
  const [, , away, back, later] = samples;
  t.deepEqual(away!.cores[2], { core: 2, online: false, cpuPct: null, freqKHz: null, maxFreqKHz: null });
  // The aggregate line went backwards when cpu2 left; the overall figure comes from the cores.
  t.is(away!.cpuPct, Math.round((10000 * (55 + 15 + 15)) / (100 + 50 + 100)) / 100);
  t.is(away!.cores[3]!.cpuPct, 15);
  t.deepEqual(back!.cores[2], { core: 2, online: true, cpuPct: null, freqKHz: 300000, maxFreqKHz: 1785600 });
  t.is(later!.cores[2]!.cpuPct, 50);
  // A record without sysfs lines still has every known core.
  t.deepEqual(
    later!.cores.map((c) => c.core),
    [0, 1, 2, 3],
  );
});

test('thermal readings: millidegrees, whole degrees, negatives, sentinels and missing values', (t) => {
  t.is(thermalTempC(41500), 41.5);
  t.is(thermalTempC(-5000), -5);
  t.is(thermalTempC(45), 45);
  t.is(thermalTempC(0), 0);
  t.is(thermalTempC(-273000), null);
  t.is(thermalTempC(2147483647), null);
  t.is(thermalTempC(null), null);
});

test('busybox quirks: CRLF, seconds-only clock, odd zone names, unreadable battery, cut-off records', (t) => {
  const samples = samplesFromTranscript('busybox-quirks.txt', 3);
  t.is(samples.length, 2);
  const [first, third] = samples;
  // Whole seconds only: the arrival time is the better estimate.
  t.is(first!.nodeTimeMs, first!.timeMs);
  t.deepEqual(first!.thermal, [
    { zone: 'thermal_zone0', type: '', tempC: null },
    { zone: 'thermal_zone1', type: 'soc_thermal', tempC: 45 },
    { zone: 'thermal_zone2', type: 'weird zone name (sensor 2)', tempC: -12.5 },
  ]);
  t.is(first!.batteryTempC, null);
  t.is(first!.memAvailableKB, 310);
  // Record 2 never ended, so record 3's delta is against record 1.
  t.is(third!.cores[0]!.cpuPct, 100);
  t.is(third!.cpuPct, 100);
});

test('throttled: a busy core below its max frequency while the node is under load', (t) => {
  const builder = createSampleBuilder('n');
  const at = { timeMs: 0, clockOffsetMs: 0 };
  // Each record adds 100 ticks per core, `busy` of them busy.
  let busyTicks = 0;
  let n = 0;
  const record = (busy: number, curKHz: number) => {
    busyTicks += busy;
    n++;
    const line = `${busyTicks} 0 0 ${n * 100 - busyTicks}`;
    return parseRecord([`s cpu0 ${line}`, `s cpu1 ${line}`, `f 0 - ${curKHz} 2000000`, `f 1 1 ${curKHz} 2000000`], n);
  };
  builder.next(record(0, 2000000), at);
  t.false(builder.next(record(95, 2000000), at).throttled, 'busy at max');
  t.true(builder.next(record(95, 1200000), at).throttled, 'busy below max');
  t.false(builder.next(record(5, 300000), at).throttled, 'idle below max');
});

test('clock offset corrects the node clock; battery °C from tenths', (t) => {
  const builder = createSampleBuilder('n');
  const sample = builder.next(parseRecord(['t 1000.5', 'b battery 312 Battery', 'b usb 1 USB'], 1), { timeMs: 5, clockOffsetMs: -250 });
  t.is(sample.nodeTimeMs, 1000500 - 250);
  t.is(sample.clockOffsetMs, -250);
  t.is(sample.batteryTempC, 31.2);
  t.is(sample.timeMs, 5);
  t.is(sample.pointId, null);
});

// Boundaries worked out by hand from the rules in bench/nodes/sample.ts's comments.

function raw(fields: Partial<RawRecord>): RawRecord {
  return {
    seq: 1,
    nodeClockMs: null,
    clockPrecisionMs: 1000,
    cpuAll: null,
    cpuTicks: new Map(),
    load1: null,
    memKB: {},
    cores: [],
    zones: [],
    supplies: [],
    ...fields,
  };
}

test('thermal °C: whole degrees up to 200, millidegrees beyond; sentinels out of −273…200 °C are null', (t) => {
  t.is(thermalTempC(null), null);
  t.is(thermalTempC(200), 200);
  t.is(thermalTempC(-200), -200);
  t.is(thermalTempC(201), 0.2);
  t.is(thermalTempC(42_500), 42.5);
  t.is(thermalTempC(200_000), 200);
  t.is(thermalTempC(200_001), null);
  t.is(thermalTempC(-273_000), null);
  t.is(thermalTempC(-272_990), -272.99);
  t.is(thermalTempC(41_234), 41.23);
});

test('one sample, field by field: memory fallback, battery by type, load and totals defaulting to 0', (t) => {
  const builder = createSampleBuilder('n1');
  const sample = builder.next(
    raw({
      nodeClockMs: 1000.123,
      clockPrecisionMs: 999,
      memKB: { MemFree: 100, Buffers: 20, Cached: 3 },
      zones: [{ zone: 'thermal_zone0', type: 'cpu', raw: 45_000 }],
      supplies: [
        { name: 'usb', type: 'USB', raw: 250 },
        { name: 'bat0', type: 'BATTERY', raw: null },
        { name: 'bat1', type: 'Battery', raw: 305 },
      ],
    }),
    { timeMs: 5000, clockOffsetMs: 10.004 },
  );
  t.deepEqual(sample, {
    node: 'n1',
    timeMs: 5000,
    // 1000.123 + 10.004, to the hundredth of a millisecond.
    nodeTimeMs: 1010.13,
    clockOffsetMs: 10.004,
    pointId: null,
    cpuPct: null,
    cores: [],
    load1: 0,
    memTotalKB: 0,
    memAvailableKB: 123,
    thermal: [{ zone: 'thermal_zone0', type: 'cpu', tempC: 45 }],
    batteryTempC: 30.5,
    throttled: false,
  });
  // A whole-second clock: the arrival time instead; MemAvailable when present.
  const coarse = createSampleBuilder('n1').next(
    raw({ nodeClockMs: 1000, clockPrecisionMs: 1000, memKB: { MemAvailable: 7, MemFree: 1, MemTotal: 9 }, load1: 0.5 }),
    {
      timeMs: 5000,
      clockOffsetMs: 3,
    },
  );
  t.like(coarse, { nodeTimeMs: 5000, memAvailableKB: 7, memTotalKB: 9, load1: 0.5, batteryTempC: null });
  // A battery reading out of range is no reading.
  t.is(createSampleBuilder('n').next(raw({ supplies: [{ name: 'b', type: 'battery', raw: 2500 }] }), { timeMs: 0, clockOffsetMs: 0 }).batteryTempC, null);
});

test('CPU deltas at their edges, and throttling exactly at its thresholds', (t) => {
  const ticks = (busy: number, total: number) => ({ busy, total });
  const core = (n: number, cur: number | null, max: number | null, online: boolean | null = true) => ({ core: n, online, curFreqKHz: cur, maxFreqKHz: max });
  const builder = createSampleBuilder('n', { loadedCpuPct: 50, throttleFreqRatio: 0.5 });
  const at = { timeMs: 0, clockOffsetMs: 0 };
  builder.next(
    raw({
      cpuTicks: new Map([
        [0, ticks(0, 0)],
        [1, ticks(0, 0)],
        [2, ticks(10, 10)],
        [3, ticks(5, 10)],
      ]),
      cores: [core(0, 500, 1000), core(1, 499, 1000), core(2, 1, 0), core(3, 1, 1000)],
    }),
    at,
  );
  const second = builder.next(
    raw({
      cpuTicks: new Map([
        // 50 of 100 busy: exactly the loaded threshold; 500 of 1000 kHz: exactly half, not below it.
        [0, ticks(50, 100)],
        // 100 % busy at 499 of 1000 kHz: below half.
        [1, ticks(100, 100)],
        // counters that went backwards: no delta.
        [2, ticks(5, 20)],
        // no time passed: no delta.
        [3, ticks(5, 10)],
      ]),
      cores: [core(0, 500, 1000), core(1, 499, 1000), core(2, 1, 0), core(3, 1, 1000), core(4, 900, 1000, false)],
    }),
    at,
  );
  t.deepEqual(second.cores, [
    { core: 0, online: true, cpuPct: 50, freqKHz: 500, maxFreqKHz: 1000 },
    { core: 1, online: true, cpuPct: 100, freqKHz: 499, maxFreqKHz: 1000 },
    { core: 2, online: true, cpuPct: null, freqKHz: 1, maxFreqKHz: 0 },
    { core: 3, online: true, cpuPct: null, freqKHz: 1, maxFreqKHz: 1000 },
    { core: 4, online: false, cpuPct: null, freqKHz: null, maxFreqKHz: 1000 },
  ]);
  // (50 + 100) busy of 200: 75 %, from the cores with a delta only.
  t.is(second.cpuPct, 75);
  t.true(second.throttled, 'core 1: busy and below half its max');
  // Same, but core 1 exactly at half its max: not throttled; core 0 at the threshold is not below half.
  const edge = createSampleBuilder('n', { loadedCpuPct: 50, throttleFreqRatio: 0.5 });
  edge.next(raw({ cpuTicks: new Map([[0, ticks(0, 0)]]), cores: [core(0, 500, 1000)] }), at);
  t.false(edge.next(raw({ cpuTicks: new Map([[0, ticks(100, 100)]]), cores: [core(0, 500, 1000)] }), at).throttled);
  // Busy below the threshold overall: never throttled, whatever the frequency.
  const idle = createSampleBuilder('n', { loadedCpuPct: 50, throttleFreqRatio: 0.5 });
  idle.next(raw({ cpuTicks: new Map([[0, ticks(0, 0)]]), cores: [core(0, 100, 1000)] }), at);
  const quiet = idle.next(raw({ cpuTicks: new Map([[0, ticks(49, 100)]]), cores: [core(0, 100, 1000)] }), at);
  t.is(quiet.cpuPct, 49);
  t.false(quiet.throttled);
  // Defaults: 70 % and 0.9 of max.
  const defaults = createSampleBuilder('n');
  defaults.next(raw({ cpuTicks: new Map([[0, ticks(0, 0)]]), cores: [core(0, 899, 1000)] }), at);
  t.true(defaults.next(raw({ cpuTicks: new Map([[0, ticks(70, 100)]]), cores: [core(0, 899, 1000)] }), at).throttled);
  const defaults2 = createSampleBuilder('n');
  defaults2.next(raw({ cpuTicks: new Map([[0, ticks(0, 0)]]), cores: [core(0, 900, 1000)] }), at);
  t.false(defaults2.next(raw({ cpuTicks: new Map([[0, ticks(70, 100)]]), cores: [core(0, 900, 1000)] }), at).throttled);
  const defaults3 = createSampleBuilder('n');
  defaults3.next(raw({ cpuTicks: new Map([[0, ticks(0, 0)]]), cores: [core(0, 100, 1000)] }), at);
  t.false(defaults3.next(raw({ cpuTicks: new Map([[0, ticks(69, 100)]]), cores: [core(0, 100, 1000)] }), at).throttled);
});

test('a core is online only when /proc/stat lists it; busy beyond total is no delta; a core with no frequency is not throttled; one busy core on an idle node is not throttling', (t) => {
  const at = { timeMs: 0, clockOffsetMs: 0 };
  const core = (n: number, cur: number | null, online: boolean | null = true) => ({ core: n, online, curFreqKHz: cur, maxFreqKHz: 1000 });
  const builder = createSampleBuilder('n');
  builder.next(
    raw({
      cpuTicks: new Map([
        [0, { busy: 0, total: 0 }],
        [1, { busy: 0, total: 0 }],
      ]),
      cores: [core(0, null), core(1, 100), core(2, 100)],
    }),
    at,
  );
  const next = builder.next(
    raw({
      cpuTicks: new Map([
        [0, { busy: 100, total: 100 }],
        [1, { busy: 20, total: 10 }],
      ]),
      cores: [core(0, null), core(1, 100), core(2, 100)],
    }),
    at,
  );
  t.deepEqual(
    next.cores.map((c) => [c.core, c.online, c.cpuPct]),
    [
      [0, true, 100],
      [1, true, null],
      [2, false, null],
    ],
  );
  t.is(next.cpuPct, 100);
  t.false(next.throttled, 'core 0 is busy but has no frequency reading');
  // Overall 40 %: below the loaded threshold, though one core is at 100 % and slow.
  const mixed = createSampleBuilder('n');
  const zero = { busy: 0, total: 0 };
  mixed.next(
    raw({
      cpuTicks: new Map([
        [0, zero],
        [1, zero],
        [2, zero],
        [3, zero],
        [4, zero],
      ]),
      cores: [core(0, 100)],
    }),
    at,
  );
  const idle = { busy: 25, total: 100 };
  t.false(
    mixed.next(
      raw({
        cpuTicks: new Map([
          [0, { busy: 100, total: 100 }],
          [1, idle],
          [2, idle],
          [3, idle],
          [4, idle],
        ]),
        cores: [core(0, 100)],
      }),
      at,
    ).throttled,
  );
});

test('cores in number order whatever order the record names them in; a core /proc/stat lists but sysfs says is offline is offline', (t) => {
  const at = { timeMs: 0, clockOffsetMs: 0 };
  const zero = { busy: 0, total: 0 };
  const builder = createSampleBuilder('n');
  // Core 2 first in /proc/stat, then 0, 1 only in sysfs: known in the order 2, 0, 1.
  const sample = builder.next(
    raw({
      cpuTicks: new Map([
        [2, zero],
        [0, zero],
      ]),
      cores: [
        { core: 1, online: true, curFreqKHz: 100, maxFreqKHz: 1000 },
        { core: 0, online: false, curFreqKHz: null, maxFreqKHz: 1000 },
      ],
    }),
    at,
  );
  t.deepEqual(
    sample.cores.map((c) => [c.core, c.online]),
    [
      [0, false],
      [1, false],
      [2, true],
    ],
  );
});

test('throttled needs the slow core itself to be busy: a loaded node whose only slow core is at 40 % is not throttling', (t) => {
  const at = { timeMs: 0, clockOffsetMs: 0 };
  const builder = createSampleBuilder('n');
  const cores = [
    { core: 0, online: true, curFreqKHz: 1000, maxFreqKHz: 1000 },
    { core: 1, online: true, curFreqKHz: 500, maxFreqKHz: 1000 },
  ];
  const zero = { busy: 0, total: 0 };
  builder.next(
    raw({
      cpuTicks: new Map([
        [0, zero],
        [1, zero],
      ]),
      cores,
    }),
    at,
  );
  // Overall (100 + 40) / 200 = 70 %: loaded (≥ 70 %); core 0 is busy but at its maximum, core 1 is slow but not busy.
  const sample = builder.next(
    raw({
      cpuTicks: new Map([
        [0, { busy: 100, total: 100 }],
        [1, { busy: 40, total: 100 }],
      ]),
      cores,
    }),
    at,
  );
  t.is(sample.cpuPct, 70);
  t.deepEqual(
    sample.cores.map((c) => c.cpuPct),
    [100, 40],
  );
  t.false(sample.throttled);
});
