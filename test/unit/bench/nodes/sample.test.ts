import test from 'ava';
import { parseRecord } from '../../../../bench/nodes/parse.ts';
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
