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

test('the series is read in time order whatever the order of the samples; a sample without queues has no backlog', (t) => {
  const samples = series(20, (s) => ({ orders: s, fulfilled: Math.floor(s / 2), ready: s, unacked: 1 }));
  const window = { windowStartMs: T0, windowEndMs: T0 + 20_000 };
  t.deepEqual(analyzeShopPoint({ samples: [...samples].reverse(), ...window }), analyzeShopPoint({ samples, ...window }));
  const [first] = shopSeries([{ ...samples[0]!, queues: null }]);
  t.deepEqual(first, { timeMs: T0, backlog: null, queued: null, inProgress: 0, orders: 0, fulfilled: 0 });
  t.deepEqual(shopSeries(samples.slice(3, 4)), [{ timeMs: T0 + 3000, backlog: 3 + 1, queued: 3, inProgress: 2, orders: 3, fulfilled: 1 }]);
});

test('valueAt: linear between the samples, the nearest one outside them, unknown values skipped', (t) => {
  const points = shopSeries([
    { timeMs: 1000, pointId: 'p', orders: 10, fulfilled: null, inProgress: null, queues: null },
    { timeMs: 2000, pointId: 'p', orders: null, fulfilled: null, inProgress: null, queues: null },
    { timeMs: 3000, pointId: 'p', orders: 30, fulfilled: null, inProgress: null, queues: null },
    { timeMs: 3000, pointId: 'p', orders: 40, fulfilled: null, inProgress: null, queues: null },
  ]);
  t.is(valueAt(points, 'orders', 2000), 20, 'between 10 at 1 s and 30 at 3 s, the unknown sample at 2 s skipped');
  t.is(valueAt(points, 'orders', 1500), 15);
  t.is(valueAt(points, 'orders', 1000), 10);
  t.is(valueAt(points, 'orders', 0), 10, 'before the first: the first');
  t.is(valueAt(points, 'orders', 9000), 40, 'after the last: the last');
  t.is(valueAt(points, 'fulfilled', 2000), null);
  const same = shopSeries([
    { timeMs: 1000, pointId: 'p', orders: 5, fulfilled: null, inProgress: null, queues: null },
    { timeMs: 1000, pointId: 'p', orders: 7, fulfilled: null, inProgress: null, queues: null },
    { timeMs: 2000, pointId: 'p', orders: 9, fulfilled: null, inProgress: null, queues: null },
  ]);
  t.is(valueAt(same, 'orders', 1000), 5, 'the first sample at that time');
  t.is(valueAt(same, 'orders', 1500), 8);
});

test('slope: least squares per second over at least three points spread in time', (t) => {
  t.is(slopePerS([0, 1000, 2000].map((timeMs, i) => ({ timeMs, value: 2 * i }))), 2);
  t.is(slopePerS([0, 1000, 2000, 3000].map((timeMs) => ({ timeMs, value: [1, 3, 2, 6][timeMs / 1000]! }))), 1.4);
  t.is(slopePerS([5000, 7000, 9000].map((timeMs, i) => ({ timeMs, value: 10 - i }))), -0.5);
  t.is(
    slopePerS([
      { timeMs: 0, value: 0 },
      { timeMs: 1000, value: 5 },
    ]),
    null,
    'two points',
  );
  t.is(slopePerS([0, 1, 2].map((value) => ({ timeMs: 1000, value }))), null, 'no spread in time');
});

test('the window: whole 5 s blocks only, the edge samples counted in, the samples outside it left out of the slope', (t) => {
  const samples = series(40, (s) => ({ orders: s, fulfilled: s, ready: s < 10 ? 100 - 10 * s : 0, unacked: 1 }));
  const at = (from: number, to: number) => analyzeShopPoint({ samples, windowStartMs: T0 + from, windowEndMs: T0 + to });
  t.deepEqual(at(10_000, 20_000).fulfilledBlocks, [1, 1]);
  t.deepEqual(at(10_000, 24_998).fulfilledBlocks, [1, 1]);
  t.deepEqual(at(10_000, 25_000).fulfilledBlocks, [1, 1, 1]);
  t.deepEqual(at(10_000, 24_999).fulfilledBlocks, [1, 1, 1], 'within a millisecond of a whole block');
  t.is(at(10_000, 20_000).backlogSlopePerS, 0, 'the queue fell before the window, not in it');
  const rising = series(40, (s) => ({ orders: s, fulfilled: s, ready: s > 20 ? 10 * (s - 20) : 0, unacked: 1 }));
  t.is(analyzeShopPoint({ samples: rising, windowStartMs: T0, windowEndMs: T0 + 20_000 }).backlogSlopePerS, 0, 'the queue rose after the window, not in it');
  t.is(at(9000, 20_000).backlogSlopePerS! < 0, true, 'the sample at the window start is in');
  t.is(at(10_000, 20_000).backlogStart, 1);
  t.is(at(10_000, 20_000).backlogEnd, 1);
  t.is(at(10_000, 20_000).inProgressStart, 0);
  const empty = at(20_000, 20_000);
  t.deepEqual([empty.fulfilledPerS, empty.fulfilledBlocks, empty.samples], [null, [], 41], 'an empty window claims nothing');
  t.is(at(20_000, 10_000).fulfilledPerS, null);
  t.is(analyzeShopPoint({ samples, windowStartMs: null, windowEndMs: T0 }).fulfilledPerS, null);
  t.is(analyzeShopPoint({ samples, windowStartMs: T0, windowEndMs: null }).fulfilledPerS, null);
});

test('growth needs both: a slope above 0.05 messages/s and at least 5 messages more at the end', (t) => {
  const grow = (ready: (s: number) => number, seconds = 20) =>
    analyzeShopPoint({
      samples: series(seconds, (s) => ({ orders: s, fulfilled: s, ready: ready(s), unacked: 0 })),
      windowStartMs: T0,
      windowEndMs: T0 + seconds * 1000,
    });
  t.true(grow((s) => s / 4).growing, '5 messages more over 20 s, 0.25/s');
  t.false(grow((s) => 10 + (s * 4.9) / 20).growing, '4.9 messages more, from 10');
  t.true(grow((s) => (s === 20 ? 5 : 0)).growing, 'the sample at the window end counts: 5 more, a slope of 0.06/s');
  t.false(grow((s) => (s === 40 ? 5 : 0), 40).growing, 'a jump at the end of 40 s: 5 more, a slope of 0.017/s');
  t.true(grow((s) => (s >= 19 ? 5 : 0)).growing, 'a slope of 0.12/s');
  const edge = grow((s) => s / 20, 100);
  t.is(edge.backlogSlopePerS, 0.05);
  t.false(edge.growing, 'a slope of exactly 0.05/s, 5 more');
  t.false(grow((s) => 20 - s).growing, 'a falling queue');
});

test('rates: counts over the window (a counter that went back counts as none); the drain after the window, measured or estimated', (t) => {
  const reset = series(20, (s) => ({ orders: 20 - s, fulfilled: 20 - s, ready: 0, unacked: 1 }));
  const a = analyzeShopPoint({ samples: reset, windowStartMs: T0, windowEndMs: T0 + 10_000 });
  t.deepEqual([a.offeredOrdersPerS, a.fulfilledPerS], [0, 0]);
  t.deepEqual([a.drainS, a.drainBasis], [null, null], 'nothing fulfilled: no estimate');
  // Empty from the window's end on: the first sample after it, not the one at it.
  const drained = series(20, (s) => ({ orders: s, fulfilled: s, ready: 0, unacked: s >= 10 ? 0 : 3 }));
  const d = analyzeShopPoint({ samples: drained, windowStartMs: T0, windowEndMs: T0 + 10_000 });
  t.deepEqual([d.drainS, d.drainBasis], [1, 'measured']);
  const unknown = series(20, (s) => ({ orders: s, fulfilled: s, ready: 0, unacked: 3 })).map((s) => ({ ...s, inProgress: null }));
  t.deepEqual(analyzeShopPoint({ samples: unknown, windowStartMs: T0, windowEndMs: T0 + 10_000 }).drainBasis, null, 'no orders-in-progress count');
});

test("a next point's drain: never over a measured one, from the window's end, never negative", (t) => {
  const measured = analyzeShopPoint({
    samples: series(20, (s) => ({ orders: s, fulfilled: s, ready: 0, unacked: s >= 12 ? 0 : 3 })),
    windowStartMs: T0,
    windowEndMs: T0 + 10_000,
  });
  t.is(creditNextDrain(measured, T0 + 10_000, { endMs: T0 + 30_000, timedOut: false }), measured);
  const estimated = { ...measured, drainS: 9, drainBasis: 'estimated' as const };
  t.is(creditNextDrain(estimated, T0 + 10_000, null), estimated);
  t.is(creditNextDrain(estimated, null, { endMs: T0 + 30_000, timedOut: false }), estimated);
  t.like(creditNextDrain(estimated, T0 + 10_000, { endMs: T0 + 8000, timedOut: false }), { drainS: 0, drainBasis: 'next-drain' });
  t.like(creditNextDrain(estimated, T0 + 10_000, { endMs: T0 + 12_500, timedOut: false }), { drainS: 2.5, drainBasis: 'next-drain' });
});

test('fulfilment throughput: repetitions without a rate are left out of the mean; none at all is no rate', (t) => {
  const none = analyzeShopPoint({ samples: [], windowStartMs: T0, windowEndMs: T0 + 1000 });
  const some = { ...none, fulfilledPerS: 0.5, fulfilledBlocks: [0.4, 0.6] };
  t.deepEqual(fulfilmentThroughput([none]), { perS: null, ci: null, blocks: [] });
  const { perS, blocks } = fulfilmentThroughput([none, some, { ...some, fulfilledPerS: 0.3 }]);
  t.is(perS, 0.4);
  t.deepEqual(blocks, [0.4, 0.6, 0.4, 0.6]);
});

test('fulfilment by replicas: configurations without a rate or at another rate left out, a service they do not scale at 0, offered rates that are known', (t) => {
  const g = (replicas: Record<string, number>, targetRps: number, fulfilledPerS: number | null, offeredOrdersPerS: number | null) => ({
    replicas,
    targetRps,
    fulfilledPerS,
    offeredOrdersPerS,
    blocks: [1, 2],
  });
  const rows = fulfilmentByReplicas(
    [
      g({ kitchen: 3 }, 2, 0.9, 1),
      g({ kitchen: 1 }, 2, 0.3, null),
      g({}, 2, 0.1, 2),
      g({ kitchen: 1 }, 2, 0.5, 3),
      g({ kitchen: 2 }, 2, null, 1),
      g({ kitchen: 2 }, 1, 0.6, 1),
    ],
    'kitchen',
    2,
  );
  t.deepEqual(
    rows.map((r) => [r.replicas, r.fulfilledPerS, r.offeredOrdersPerS, r.configurations]),
    [
      [0, 0.1, 2, 1],
      [1, 0.4, 3, 2],
      [3, 0.9, 1, 1],
    ],
  );
  t.true(rows[1]!.ci!.low >= 1 && rows[1]!.ci!.high <= 2 && rows[1]!.ci!.low < rows[1]!.ci!.high, 'from the blocks of both configurations');
  t.is(fulfilmentByReplicas([g({ kitchen: 1 }, 2, 0.5, null)], 'kitchen', 2)[0]!.offeredOrdersPerS, null);
});

test('a shop that does not know its counts: no rates, no blocks, no drain estimate; the snapshots are kept as given', (t) => {
  const samples = series(20, (s) => ({ orders: s, fulfilled: s, ready: s, unacked: 1 })).map((x) => ({ ...x, orders: null, fulfilled: null }));
  const start = { timeMs: T0, orders: 0, fulfilled: 0, inProgress: 0, queued: 0, unacked: 0 };
  const end = { timeMs: T0 + 20_000, orders: 9, fulfilled: 8, inProgress: 1, queued: 2, unacked: 1 };
  const a = analyzeShopPoint({ samples, windowStartMs: T0, windowEndMs: T0 + 20_000, state: { mode: 'reset', start, end } });
  t.deepEqual([a.offeredOrdersPerS, a.fulfilledPerS, a.fulfilledBlocks, a.drainS, a.drainBasis], [null, null, [], null, null]);
  t.is(a.start, start);
  t.is(a.end, end);
  t.is(a.neverFulfilled, null, 'the end snapshot does not say');
  t.is(a.backlogSlopePerS, 1);
  const none = analyzeShopPoint({ samples, windowStartMs: T0, windowEndMs: T0 + 20_000 });
  t.deepEqual([none.start, none.end, none.stateMode, none.neverFulfilled], [null, null, null, null]);
});

test('samples without queues are left out of the slope, not read as empty queues', (t) => {
  const samples = series(20, (s) => ({ orders: s, fulfilled: s, ready: s, unacked: 0 })).map((x, s) => (s % 2 === 1 ? { ...x, queues: null } : x));
  const a = analyzeShopPoint({ samples, windowStartMs: T0, windowEndMs: T0 + 20_000 });
  t.is(a.backlogSlopePerS, 1);
  t.true(a.growing);
});

test('fulfilment intervals are of the mean of the blocks, not their median', (t) => {
  const none = analyzeShopPoint({ samples: [], windowStartMs: T0, windowEndMs: T0 + 1000 });
  const blocks = [0, 0, 0, 0, 0, 0, 0, 0, 0, 100];
  const { ci } = fulfilmentThroughput([{ ...none, fulfilledPerS: 10, fulfilledBlocks: blocks }]);
  t.true(ci!.high > 0 && ci!.low < 10, JSON.stringify(ci));
  const [row] = fulfilmentByReplicas([{ replicas: { kitchen: 1 }, targetRps: 1, fulfilledPerS: 10, offeredOrdersPerS: 1, blocks }], 'kitchen', 1);
  t.true(row!.ci!.high > 0, JSON.stringify(row!.ci));
});
