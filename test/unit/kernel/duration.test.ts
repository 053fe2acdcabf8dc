import test from 'ava';
import { InvalidArgumentError } from 'commander';
import { durationArg, intArg, keyValueArg, listArg } from '../../../kernel/args.ts';
import { parseDurationMs } from '../../../kernel/duration.ts';

test('durations as k6 writes them: units, sums of parts, fractions; no sign and no bare number unless the flag had one', (t) => {
  t.is(parseDurationMs('500ms'), 500);
  t.is(parseDurationMs('2s'), 2000);
  t.is(parseDurationMs('1.5s'), 1500);
  t.is(parseDurationMs('1m30s'), 90_000);
  t.is(parseDurationMs('1h2m3s4ms'), 3_723_004);
  t.is(parseDurationMs('1d'), 86_400_000);
  t.is(parseDurationMs('250us'), 0.25);
  t.is(parseDurationMs(' 10s '), 10_000);
  t.is(parseDurationMs('0'), 0);
  for (const bad of ['', '10', '-1s', '1x', 's', '1s2', '1 s', 'soon']) t.is(parseDurationMs(bad), null, bad);
  t.is(parseDurationMs('10', 's'), 10_000);
  t.is(parseDurationMs('500', 'ms'), 500);
  t.is(parseDurationMs('2s', 'ms'), 2000, 'a unit always wins over the bare unit');
});

test('every unit, fractions without a leading or trailing digit, and zero in any form', (t) => {
  t.is(parseDurationMs('4000000ns'), 4);
  t.is(parseDurationMs('3000µs'), 3, 'the micro sign');
  t.is(parseDurationMs('3000μs'), 3, 'the Greek mu');
  t.is(parseDurationMs('2m'), 120_000);
  t.is(parseDurationMs('2h'), 7_200_000);
  t.is(parseDurationMs('.5s'), 500);
  t.is(parseDurationMs('.25s'), 250);
  t.is(parseDurationMs('.25', 's'), 250);
  t.is(parseDurationMs('1.s'), 1000);
  t.is(parseDurationMs('1.25m'), 75_000);
  t.is(parseDurationMs('0s'), 0);
  t.is(parseDurationMs('0.0'), 0);
  t.is(parseDurationMs(' 0 '), 0);
  t.is(parseDurationMs('.5', 's'), 500);
  t.is(parseDurationMs('2.', 's'), 2000);
  t.is(parseDurationMs('2.5', 'ms'), 2.5);
  for (const bad of ['x1s', '1sx', '1s 2s', '.s', '1..5s', '1e3ms', '+1s', '1', '0.5']) t.is(parseDurationMs(bad), null, bad);
  for (const bad of ['1e3', '-1', '1s1', '.']) t.is(parseDurationMs(bad, 's'), null, bad);
});

test('flag parsers: a bad value names what the flag takes; the old bare form of a flag still works', (t) => {
  const settle = durationArg({ bareUnit: 'ms' });
  t.is(settle('2s'), 2000);
  t.is(settle('500'), 500);
  t.throws(() => settle('2 seconds'), {
    instanceOf: InvalidArgumentError,
    message: /expected a duration such as 500ms, 2s or 1m30s; a bare number is milliseconds, got "2 seconds"/,
  });
  t.throws(() => durationArg()('30'), { message: /expected a duration/ });
  t.is(intArg(1, 9)('3'), 3);
  t.throws(() => intArg(1, 9)('10'), { message: 'expected an integer 1–9, got "10"' });
  t.throws(() => intArg(0)('1.5'), { message: 'expected an integer ≥ 0, got "1.5"' });
  t.deepEqual(listArg(intArg(1))('1, 2,3'), [1, 2, 3]);
  t.deepEqual(keyValueArg('A=b=c', { X: '1' }), { X: '1', A: 'b=c' });
  t.throws(() => keyValueArg('=x'), { message: 'expected KEY=VALUE, got "=x"' });
});
