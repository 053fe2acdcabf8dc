// Backlog and drain analysis of the shop's own metrics on synthetic series: a kitchen that keeps up
// and one that does not, a drain seen in the point, estimated, or measured by the next point's
// drain, and fulfilment throughput with its interval.
import test from 'ava';
import {
  analyzeShopPoint,
  creditNextDrain,
  fulfilmentByReplicas,
  fulfilmentThroughput,
  shopSeries,
  slopePerS,
  valueAt,
} from '../../../../reports/model/shop.ts';
import type { ShopSample } from '../../../../rundir/types.ts';

const T0 = 1_800_000_000_000;

/** One sample a second for `seconds`; `at(s)` gives the counts and the kitchen queue at second s. */
function series(seconds: number, at: (s: number) => { orders: number; fulfilled: number; ready: number; unacked: number }): ShopSample[] {
  return Array.from({ length: seconds + 1 }, (_, s) => {
    const v = at(s);
    return {
      timeMs: T0 + s * 1000,
      pointId: 'p',
      orders: v.orders,
      fulfilled: v.fulfilled,
      inProgress: v.orders - v.fulfilled,
      queues: [
        { name: 'kitchen-order-queue', depth: v.ready, unacked: v.unacked, consumers: 1 },
        { name: 'counter-order-queue', depth: 0, unacked: 0, consumers: 1 },
      ],
    };
  });
}

test('a shop that keeps up: offered and fulfilled rates agree, the backlog does not grow, and drains within the point', (t) => {
  // 0.4 orders/s offered, each fulfilled 10 s later; the kitchen holds 2 messages, never queues; after 30 s of load, 10 s of tail.
  const samples = series(45, (s) => {
    const placed = Math.floor(Math.min(s, 30) * 0.4);
    const fulfilled = Math.floor(Math.max(0, Math.min(s, 40) - 10) * 0.4);
    const busy = s <= 41;
    return { orders: placed, fulfilled: Math.min(fulfilled, placed), ready: 0, unacked: busy ? 2 : 0 };
  });
  const a = analyzeShopPoint({ samples, windowStartMs: T0 + 15_000, windowEndMs: T0 + 30_000 });
  t.is(a.offeredOrdersPerS!.toFixed(2), '0.40');
  t.true(Math.abs(a.fulfilledPerS! - 0.4) < 0.05, String(a.fulfilledPerS));
  t.false(a.growing);
  t.is(a.fulfilledBlocks.length, 3);
  t.is(a.drainBasis, 'measured');
  t.is(a.drainS, 12, 'the first sample after the window with nothing queued or unacked: second 42');
});

test('a kitchen behind the load: the queue grows through the window, which is flagged, and the drain is estimated', (t) => {
  // 1 order/s offered (3 items each), the kitchen makes 1.2 items/s: the queue grows 1.8 messages/s.
  const samples = series(30, (s) => {
    const made = Math.floor(s * 1.2);
    return { orders: s, fulfilled: Math.floor(made / 3), ready: Math.max(0, 3 * s - made - 5), unacked: 5 };
  });
  const a = analyzeShopPoint({ samples, windowStartMs: T0, windowEndMs: T0 + 30_000 });
  t.true(a.growing);
  t.true(Math.abs(a.backlogSlopePerS! - 1.8) < 0.2, String(a.backlogSlopePerS));
  t.is(a.offeredOrdersPerS, 1);
  t.is(a.fulfilledPerS, 0.4);
  t.is(a.drainBasis, 'estimated');
  t.is(a.drainS, (30 - 12) / 0.4, 'orders left ÷ fulfilment rate');
  t.is(a.inProgressEnd, 18);

  // The next point drained it for real (state: drain): that measurement wins over the estimate.
  const credited = creditNextDrain(a, T0 + 30_000, { endMs: T0 + 75_000, timedOut: false });
  t.deepEqual([credited.drainS, credited.drainBasis], [45, 'next-drain']);
  t.is(creditNextDrain(a, T0 + 30_000, { endMs: T0 + 75_000, timedOut: true }).drainBasis, 'estimated', 'a drain that timed out measured nothing');
});

test('noise around an empty queue is no growth; a few messages more at the end are not either', (t) => {
  const samples = series(30, (s) => ({ orders: s, fulfilled: Math.max(0, s - 8), ready: s % 4 === 0 ? 3 : 0, unacked: 5 }));
  t.false(analyzeShopPoint({ samples, windowStartMs: T0, windowEndMs: T0 + 30_000 }).growing);
  const rising = series(30, (s) => ({ orders: s, fulfilled: 0, ready: Math.floor(s / 10), unacked: 5 }));
  const a = analyzeShopPoint({ samples: rising, windowStartMs: T0, windowEndMs: T0 + 30_000 });
  t.false(a.growing, 'a rise of 3 messages is within one prefetch');
});

test('never-fulfilled orders come from the end snapshot; missing parts of a sample are skipped', (t) => {
  const samples = series(10, (s) => ({ orders: s, fulfilled: s, ready: 0, unacked: 0 }));
  samples[5] = { ...samples[5]!, orders: null, fulfilled: null, inProgress: null, queues: null };
  const end = { timeMs: T0 + 10_000, orders: 56, fulfilled: 51, inProgress: 5, queued: 0, unacked: 0, neverFulfilled: 5 };
  const a = analyzeShopPoint({ samples, windowStartMs: T0, windowEndMs: T0 + 10_000, state: { mode: 'drain', start: null, end } });
  t.is(a.neverFulfilled, 5);
  t.is(a.stateMode, 'drain');
  t.is(a.offeredOrdersPerS, 1);
  t.is(valueAt(shopSeries(samples), 'orders', T0 + 5000), 5, 'interpolated over the missing sample');
});

test('no samples or no window: nothing is claimed', (t) => {
  const a = analyzeShopPoint({ samples: [], windowStartMs: T0, windowEndMs: T0 + 1000 });
  t.deepEqual([a.fulfilledPerS, a.offeredOrdersPerS, a.growing, a.drainS], [null, null, false, null]);
  t.is(slopePerS([{ timeMs: 0, value: 1 }]), null);
});

test('fulfilment throughput of a configuration: the mean rate, with an interval from the blocks of every repetition', (t) => {
  const rep = (rate: number) =>
    analyzeShopPoint({
      samples: series(60, (s) => ({ orders: s, fulfilled: Math.floor(s * rate), ready: 0, unacked: 2 })),
      windowStartMs: T0,
      windowEndMs: T0 + 60_000,
    });
  const { perS, ci, blocks } = fulfilmentThroughput([rep(0.4), rep(0.5)]);
  t.is(blocks.length, 24);
  t.true(Math.abs(perS! - 0.45) < 0.02, String(perS));
  t.truthy(ci);
  t.true(ci!.low < perS! && perS! < ci!.high, JSON.stringify(ci));
});

test('fulfilment by replicas, the other services pooled: the kitchen line rises, the barista line stays flat', (t) => {
  // What one kitchen makes (0.45 orders/s) limits; barista replicas change nothing (upstream sends it nothing).
  const groups = [1, 2].flatMap((kitchen) =>
    [1, 2].map((barista) => {
      const rate = Math.min(0.7, 0.45 * kitchen);
      return { replicas: { kitchen, barista }, targetRps: 1.5, fulfilledPerS: rate, offeredOrdersPerS: 0.7, blocks: [rate - 0.05, rate, rate + 0.05, rate] };
    }),
  );
  const kitchen = fulfilmentByReplicas(groups, 'kitchen', 1.5);
  t.deepEqual(
    kitchen.map((row) => [row.replicas, row.fulfilledPerS, row.configurations]),
    [
      [1, 0.45, 2],
      [2, 0.7, 2],
    ],
  );
  t.true(kitchen[0]!.ci!.high < kitchen[1]!.ci!.low, 'the intervals do not overlap');
  const barista = fulfilmentByReplicas(groups, 'barista', 1.5);
  t.is(barista[0]!.fulfilledPerS, barista[1]!.fulfilledPerS);
  t.deepEqual(fulfilmentByReplicas(groups, 'kitchen', 3), [], 'no configuration at that rate');
});
