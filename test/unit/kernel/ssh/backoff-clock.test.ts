import test from 'ava';
import { backoffDelayMs } from '../../../../kernel/ssh/backoff.ts';
import { betterEstimate, estimateClockOffset } from '../../../../kernel/ssh/clock.ts';

test('backoff doubles from the base, stops at the cap, and spreads by the jitter', (t) => {
  const middle = () => 0.5;
  t.deepEqual(
    [0, 1, 2, 3, 10].map((n) => backoffDelayMs(n, { baseMs: 100, maxMs: 1000 }, middle)),
    [100, 200, 400, 800, 1000],
  );
  t.is(
    backoffDelayMs(0, { baseMs: 1000, jitter: 0.2 }, () => 0),
    800,
  );
  t.is(
    backoffDelayMs(0, { baseMs: 1000, jitter: 0.2 }, () => 1),
    1200,
  );
  t.is(backoffDelayMs(1000, {}, middle), 30_000);
});

test('clock offset comes from the round with the shortest round trip, at its midpoint', (t) => {
  // The node runs 2 s behind; the second round is the tightest.
  const estimate = estimateClockOffset([
    { sentMs: 10_000, receivedMs: 10_300, nodeMs: 8_100 },
    { sentMs: 11_000, receivedMs: 11_010, nodeMs: 9_005 },
    { sentMs: 12_000, receivedMs: 12_200, nodeMs: 10_050 },
  ]);
  t.deepEqual(estimate, { offsetMs: 2000, rttMs: 10 });
  t.is(estimateClockOffset([]), null);
});

test('a re-estimate with a much longer round trip is kept only once the current one is old', (t) => {
  const current = { offsetMs: 10, rttMs: 4, atMs: 0 };
  t.true(betterEstimate(current, { offsetMs: 11, rttMs: 12 }, 1000));
  t.false(betterEstimate(current, { offsetMs: 40, rttMs: 80 }, 1000));
  t.true(betterEstimate(current, { offsetMs: 40, rttMs: 80 }, 700_000));
  t.true(betterEstimate({ offsetMs: 0, rttMs: Number.NaN, atMs: 0 }, { offsetMs: 40, rttMs: 80 }, 1));
});
