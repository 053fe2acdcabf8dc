import test from 'ava';
import { arrivalOffsetsMs, inSegment, parseSegment, scenarioDurationMs, segmentShare } from '../../../../../bench/load/builtin/schedule.ts';

test('constant arrival rate: evenly spaced, rate × duration iterations', (t) => {
  const offsets = [
    ...arrivalOffsetsMs({
      executor: 'constant-arrival-rate',
      exec: 'browse',
      rate: 600,
      timeUnit: '1m',
      duration: '10s',
      preAllocatedVUs: 1,
      maxVUs: 1,
      gracefulStop: '1s',
      tags: {},
    }),
  ];
  t.is(offsets.length, 100);
  t.is(offsets[0], 0);
  t.true(Math.abs((offsets[1] ?? 0) - 100) < 1e-9);
});

test('ramping arrival rate: the count is the integral of the rate, and times ascend', (t) => {
  const scenario = {
    executor: 'ramping-arrival-rate' as const,
    exec: 'browse' as const,
    startRate: 0,
    timeUnit: '1s',
    stages: [
      { target: 10, duration: '10s' },
      { target: 10, duration: '5s' },
      { target: 0, duration: '10s' },
    ],
    preAllocatedVUs: 1,
    maxVUs: 1,
    gracefulStop: '1s',
    tags: {},
  };
  const offsets = [...arrivalOffsetsMs(scenario)];
  // 0→10 over 10 s: 50; 10 for 5 s: 50; 10→0 over 10 s: 50.
  t.true(Math.abs(offsets.length - 150) <= 1, String(offsets.length));
  t.true(offsets.every((v, i) => i === 0 || v >= (offsets[i - 1] ?? 0)));
  t.true((offsets[offsets.length - 1] ?? 0) <= 25_000);
  t.is(scenarioDurationMs(scenario), 25_000);
  // Slow start: fewer arrivals in the first second than in the tenth.
  t.true(offsets.filter((v) => v < 1000).length < offsets.filter((v) => v >= 9000 && v < 10_000).length);
});

test('execution segments split the iterations evenly, without overlap or loss', (t) => {
  const thirds = ['0:1/3', '1/3:2/3', '2/3:1'].map(parseSegment);
  const owners = Array.from({ length: 30 }, (_, i) => thirds.filter((s) => inSegment(i, s)).length);
  t.true(owners.every((n) => n === 1));
  t.deepEqual(
    thirds.map((s) => Array.from({ length: 30 }, (_, i) => i).filter((i) => inSegment(i, s)).length),
    [10, 10, 10],
  );
  t.deepEqual(parseSegment('0.5:1'), { from: 0.5, to: 1 });
  t.is(segmentShare(10, parseSegment('0:1/2')), 5);
  t.throws(() => parseSegment('1/2:1/4'), { message: /from must be below to/ });
  t.throws(() => parseSegment('0-1'), { message: /expected from:to/ });
});
