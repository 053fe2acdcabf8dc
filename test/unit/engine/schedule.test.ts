// Execution segments and the executors' schedules (engine/schedule/).
import test from 'ava';
import {
  ArrivalSchedule,
  rampingVUsAt,
  rampingVUsSteps,
  scenarioDurationMs,
  scenarioInitialVUs,
  scenarioMaxVUs,
  scenarioPeakRate,
} from '../../../engine/schedule/plan.ts';
import {
  checkSegmentInSequence,
  FULL_SEGMENT,
  formatSegment,
  nthOwned,
  ownedCount,
  ownsItem,
  parseSegment,
  parseSequence,
  scenarioShift,
} from '../../../engine/schedule/segment.ts';
import { planShares } from '../../../engine/plan.ts';
import { slotsOf } from '../../../engine/host/executors.ts';
import type { Scenario } from '../../../engine/options/types.ts';

test('segments parse as fractions, decimals and percentages', (t) => {
  t.deepEqual(parseSegment('0:1/2'), { from: 0, to: 0.5 });
  t.deepEqual(parseSegment('1/2:1'), { from: 0.5, to: 1 });
  t.deepEqual(parseSegment('25%:50%'), { from: 0.25, to: 0.5 });
  t.deepEqual(parseSegment('1/3'), { from: 0, to: 1 / 3 });
  t.throws(() => parseSegment('1/2:1/4'), { message: /0 ≤ FROM < TO ≤ 1/ });
  t.throws(() => parseSegment('x'));
  t.deepEqual(parseSequence('0,1/3,2/3,1'), [0, 1 / 3, 2 / 3, 1]);
  t.throws(() => parseSequence('0,1/2,1/4,1'), { message: /increase/ });
  // The bounds were unchecked (its comment said 0 … 1): 0,2,3 was accepted.
  for (const bad of ['0,2,3', '1/4,1/2,1', '0,1/2,3/4', '0,1/2,100%,2'])
    t.throws(() => parseSequence(bad), { message: `"${bad}": the values must start at 0 and end at 1 (e.g. 0,1/3,2/3,1)` }, bad);
  t.deepEqual(parseSequence('0%,50%,100%'), [0, 0.5, 1]);
});

test("a sequence's segments own every item exactly once, each close to its share", (t) => {
  const bounds = [0, 1 / 3, 1 / 2, 0.9, 1];
  const segments = bounds.slice(1).map((to, i) => ({ from: bounds[i] ?? 0, to }));
  for (const n of [1, 7, 100, 1001]) {
    for (let i = 0; i < n; i++) t.is(segments.filter((s) => ownsItem(s, i)).length, 1);
    t.is(
      segments.reduce((sum, s) => sum + ownedCount(s, n), 0),
      n,
    );
    for (const s of segments) t.true(Math.abs(ownedCount(s, n) - n * (s.to - s.from)) <= 3, `${n} items, segment ${s.from}:${s.to}`);
  }
  t.is(ownedCount(FULL_SEGMENT, 17), 17);
  const half = { from: 0.5, to: 1 };
  const k = 3;
  t.true(ownsItem(half, nthOwned(half, k)));
  t.is(ownedCount(half, nthOwned(half, k) + 1), k + 1);
});

test('constant arrival rate: rate × duration arrivals, evenly spaced from 0', (t) => {
  const s = { executor: 'constant-arrival-rate', rate: 10, timeUnitMs: 1000, durationMs: 2000 } as Extract<Scenario, { executor: 'constant-arrival-rate' }>;
  const schedule = new ArrivalSchedule(s);
  const times: number[] = [];
  for (let at = schedule.next(); at !== null; at = schedule.next()) times.push(at);
  t.is(times.length, 20);
  t.is(ArrivalSchedule.total(s), 20);
  t.deepEqual(times.slice(0, 3), [0, 100, 200]);
  t.is(times.at(-1), 1900);
});

test('ramping arrival rate: arrivals follow the area under the rate line', (t) => {
  const s = {
    executor: 'ramping-arrival-rate',
    startRate: 0,
    timeUnitMs: 1000,
    stages: [
      { durationMs: 2000, target: 30 },
      { durationMs: 1000, target: 30 },
      { durationMs: 1000, target: 0 },
    ],
  } as Extract<Scenario, { executor: 'ramping-arrival-rate' }>;
  const schedule = new ArrivalSchedule(s);
  const times: number[] = [];
  for (let at = schedule.next(); at !== null; at = schedule.next()) times.push(at);
  // Areas: 30 (ramp up) + 30 (flat) + 15 (ramp down).
  t.is(times.length, 75);
  t.is(ArrivalSchedule.total(s), 75);
  // On the ramp the k-th arrival is where 7.5·t² = k (t in seconds).
  t.true(Math.abs((times[30] ?? 0) - 2000) < 1e-6);
  t.true(Math.abs((times[15] ?? 0) - Math.sqrt(15 / 7.5) * 1000) < 1e-6);
  for (let i = 1; i < times.length; i++) t.true((times[i] ?? 0) >= (times[i - 1] ?? 0));
});

test('ramping VUs step up when the line reaches a VU and down when it falls to one', (t) => {
  const stages = [
    { durationMs: 1000, target: 4 },
    { durationMs: 1000, target: 0 },
  ];
  t.is(rampingVUsAt(0, stages, 0), 0);
  t.is(rampingVUsAt(0, stages, 250), 1);
  t.is(rampingVUsAt(0, stages, 999), 3);
  t.is(rampingVUsAt(0, stages, 1000), 4);
  t.is(rampingVUsAt(0, stages, 1001), 4);
  t.is(rampingVUsAt(0, stages, 1250), 3);
  t.is(rampingVUsAt(0, stages, 2000), 0);
  const steps = rampingVUsSteps(0, stages, FULL_SEGMENT);
  t.deepEqual(
    steps.map((s) => s.vus),
    [0, 1, 2, 3, 4, 3, 2, 1, 0],
  );
  t.deepEqual(
    steps.map((s) => s.atMs),
    [0, 250, 500, 750, 1000, 1250, 1500, 1750, 2000],
  );
});

test('workers share a scenario round-robin, never with arrivals but no VU', (t) => {
  t.deepEqual(
    [0, 1, 2].map((w) => slotsOf(10, 3, w)),
    [4, 3, 3],
  );
  t.deepEqual(
    [0, 1].map((w) => slotsOf(1, 2, w)),
    [1, 0],
  );
  const one = {
    name: 'one',
    executor: 'constant-vus',
    vus: 1,
    durationMs: 1000,
    exec: 'default',
    startTimeMs: 0,
    gracefulStopMs: 0,
    tags: {},
    env: {},
  } as Scenario;
  const many = { ...one, name: 'many', vus: 10 } as Scenario;
  const shares = planShares([one, many], ['async', 'async'], 2, FULL_SEGMENT);
  t.deepEqual(
    shares.map((w) => w.map((s) => `${s.scenario.name}:${s.slot}/${s.k}`)),
    [['one:0/1', 'many:1/2'], ['many:0/2']],
  );
  t.is(shares[0]?.[1]?.vuIdBase, 1, '__VU numbers continue across scenarios');
});

test('scenarios start at different points of the circle: several small ones do not all lean to the first segment', (t) => {
  const halves = [parseSegment('0:1/2'), parseSegment('1/2:1')];
  const split = (shifted: boolean) =>
    halves.map((segment) => {
      let owned = 0;
      for (let k = 0; k < 3; k++) for (let i = 0; i < 14; i++) if (ownsItem(segment, i, shifted ? scenarioShift(k) : 0)) owned++;
      return owned;
    });
  t.deepEqual(split(false), [24, 18], 'unshifted: every scenario gives its item 0 to the first half');
  const [a = 0, b = 0] = split(true);
  t.is(a + b, 42, 'still every item exactly once');
  t.true(Math.abs(a - b) <= 2, `${a} and ${b}`);
  t.is(scenarioShift(0), 0, 'a one-scenario test is split as before');
});

/** A scenario of the given executor with the common fields filled in. */
const scenario = (fields: Record<string, unknown>) =>
  ({ name: 's', exec: 'default', startTimeMs: 0, gracefulStopMs: 30_000, tags: {}, env: {}, ...fields }) as unknown as Scenario;

test("a scenario's VUs: the iteration and constant executors' own, ramping VUs' highest, the arrival rates' maximum and pre-allocated", (t) => {
  const shared = scenario({ executor: 'shared-iterations', vus: 3, iterations: 100, maxDurationMs: 600_000 });
  const perVu = scenario({ executor: 'per-vu-iterations', vus: 4, iterations: 2, maxDurationMs: 60_000 });
  const constant = scenario({ executor: 'constant-vus', vus: 5, durationMs: 7000 });
  const stages = [
    { durationMs: 1000, target: 6 },
    { durationMs: 2500, target: 1 },
  ];
  const ramping = scenario({ executor: 'ramping-vus', startVUs: 2, stages, gracefulRampDownMs: 0 });
  const startHighest = scenario({ executor: 'ramping-vus', startVUs: 8, stages, gracefulRampDownMs: 0 });
  const noStages = scenario({ executor: 'ramping-vus', startVUs: 0, stages: [], gracefulRampDownMs: 0 });
  const rate = scenario({ executor: 'constant-arrival-rate', rate: 10, timeUnitMs: 1000, durationMs: 9000, preAllocatedVUs: 5, maxVUs: 20 });
  const ramp = scenario({ executor: 'ramping-arrival-rate', startRate: 0, timeUnitMs: 1000, stages, preAllocatedVUs: 7, maxVUs: 30 });
  t.deepEqual([shared, perVu, constant, ramping, startHighest, noStages, rate, ramp].map(scenarioMaxVUs), [3, 4, 5, 6, 8, 0, 20, 30]);
  t.deepEqual(
    [shared, perVu, constant, ramping, startHighest, noStages, rate, ramp].map(scenarioInitialVUs),
    [3, 4, 5, 6, 8, 0, 5, 7],
    'every VU up front, but for the arrival rates: their pre-allocated ones',
  );
  t.deepEqual(
    [shared, perVu, constant, ramping, noStages, rate, ramp].map(scenarioDurationMs),
    [600_000, 60_000, 7000, 3500, 0, 9000, 3500],
    'maxDuration, duration, or the stages summed',
  );
});

test("a segment is one of its sequence's or a message; it is written as FROM:TO", (t) => {
  const sequence = [0, 1 / 3, 2 / 3, 1];
  t.is(checkSegmentInSequence({ from: 0, to: 1 / 3 }, sequence), null, 'the first');
  t.is(checkSegmentInSequence({ from: 1 / 3, to: 2 / 3 }, sequence), null);
  t.is(checkSegmentInSequence({ from: 2 / 3, to: 1 }, sequence), null, 'the last');
  t.is(checkSegmentInSequence(parseSegment('1/3:2/3'), parseSequence('0,1/3,2/3,1')), null);
  t.is(checkSegmentInSequence({ from: 1 / 3 + 1e-13, to: 2 / 3 - 1e-13 }, sequence), null, 'within rounding');
  const message = 'the execution segment is not one of the execution segment sequence';
  t.is(checkSegmentInSequence({ from: 1 / 3 + 1e-11, to: 2 / 3 }, sequence), message);
  t.is(checkSegmentInSequence({ from: 1 / 3, to: 2 / 3 + 1e-11 }, sequence), message);
  t.is(checkSegmentInSequence({ from: 0, to: 2 / 3 }, sequence), message, 'two of its segments together');
  t.is(checkSegmentInSequence({ from: 0.5, to: 0.9 }, sequence), message, 'inside one of them, past both its bounds');
  t.is(checkSegmentInSequence({ from: 0.1, to: 0.2 }, sequence), message, 'inside one of them, short of both its bounds');
  t.is(checkSegmentInSequence({ from: 0, to: 1 }, [0, 1]), null);
  t.is(checkSegmentInSequence({ from: 0, to: 1 }, [0, 1 / 2, 1]), message);
  t.is(formatSegment({ from: 0.25, to: 0.5 }), '0.25:0.5');
  t.is(formatSegment(FULL_SEGMENT), '0:1');
});

test('segment and sequence texts: each form, the limits, and the messages', (t) => {
  t.deepEqual(parseSegment(' 1/4 : 0.75 '), { from: 0.25, to: 0.75 });
  t.deepEqual(parseSegment('0:1'), { from: 0, to: 1 });
  t.deepEqual(parseSegment('12.5%:1'), { from: 0.125, to: 1 });
  t.throws(() => parseSegment('0:1/4:1/2'), { message: '"0:1/4:1/2" is not an execution segment (e.g. 0:1/2, 1/2:1, 25%:50%)' });
  const bad = (text: string) => `"${text}" is not an execution segment: expected FROM:TO with 0 ≤ FROM < TO ≤ 1 (e.g. 0:1/2, 1/2:1, 25%:50%)`;
  for (const text of [
    '1/2:1/2',
    '0:3/2',
    '0:101%',
    '1/0:1',
    '0:1/0',
    'a:1',
    '0:',
    ':1',
    '-1/2:1',
    '0:1.5',
    '1/2:x',
    '0/0:1',
    '1/2x:1',
    '-5%:1',
    '5%x:1',
    '0:0.5x',
    '0:x0.5',
  ])
    t.throws(() => parseSegment(text), { message: bad(text) });
  t.deepEqual(parseSequence('0, 50%, 1'), [0, 0.5, 1]);
  t.deepEqual(parseSequence('0,1'), [0, 1]);
  t.throws(() => parseSequence('1'), { message: '"1" is not an execution segment sequence (e.g. 0,1/3,2/3,1)' });
  t.throws(() => parseSequence('0,x,1'), { message: '"0,x,1" is not an execution segment sequence (e.g. 0,1/3,2/3,1)' });
  t.throws(() => parseSequence('0,1/2,1/2,1'), { message: '"0,1/2,1/2,1": the values must increase' });
  t.throws(() => parseSequence('0,1/0'), { message: '"0,1/0" is not an execution segment sequence (e.g. 0,1/3,2/3,1)' }, 'a zero denominator is no value');
});

test("ramping VUs in a segment: the segment's share of each count, a stage of no time a jump, only the changes kept", (t) => {
  const jump = [
    { durationMs: 0, target: 5 },
    { durationMs: 1000, target: 5 },
    { durationMs: 500, target: 3 },
  ];
  t.deepEqual(rampingVUsSteps(2, jump, FULL_SEGMENT), [
    { atMs: 0, vus: 5 },
    { atMs: 1250, vus: 4 },
    { atMs: 1500, vus: 3 },
  ]);
  t.is(rampingVUsAt(2, jump, 0), 5);
  t.is(rampingVUsAt(2, jump, 1200), 5);
  // The half 1/2:1 owns items 1, 3, 6 of 0…6 (frac(i·φ) ≥ 1/2): so many of the first n items.
  const half = { from: 0.5, to: 1 };
  t.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7].map((n) => ownedCount(half, n)),
    [0, 0, 1, 1, 2, 2, 2, 3],
  );
  t.deepEqual(rampingVUsSteps(0, [{ durationMs: 600, target: 6 }], half), [
    { atMs: 0, vus: 0 },
    { atMs: 200, vus: 1 },
    { atMs: 400, vus: 2 },
  ]);
  t.deepEqual(rampingVUsSteps(3, [{ durationMs: 1000, target: 3 }], FULL_SEGMENT), [{ atMs: 0, vus: 3 }], 'a flat stage changes nothing');
});

test('items and segments at their edges: a point on a boundary is the next segment’s, the full segment owns every item', (t) => {
  // Item 0 shifted by 1/2 is at 1/2 exactly: the start of 1/2:1, past the end of 0:1/2.
  t.false(ownsItem({ from: 0, to: 0.5 }, 0, 0.5));
  t.true(ownsItem({ from: 0.5, to: 1 }, 0, 0.5));
  t.true(ownsItem(FULL_SEGMENT, 5));
  // 0:1/2 owns items 0 and 2 (frac(i·φ) 0, 0.618…, 0.236…): its item 1 is the test's item 2.
  t.deepEqual(
    [0, 1].map((k) => nthOwned({ from: 0, to: 0.5 }, k)),
    [0, 2],
  );
  t.is(nthOwned(FULL_SEGMENT, 7), 7);
  // The k-th scenario's shift is frac(k·√2): 3√2 = 4.2426…
  t.true(Math.abs(scenarioShift(3) - (3 * Math.SQRT2 - 4)) < 1e-12, String(scenarioShift(3)));
  t.true(Math.abs(scenarioShift(1) - (Math.SQRT2 - 1)) < 1e-12);
  // The tolerance is under 1e-12: exactly 1e-12 off is another segment.
  const message = 'the execution segment is not one of the execution segment sequence';
  t.is(checkSegmentInSequence({ from: 1e-12, to: 1 }, [0, 1]), message);
  t.is(checkSegmentInSequence({ from: 0, to: 1e-12 }, [0, 2e-12]), message);
  // Numbers of more than one digit in each form.
  t.deepEqual(parseSegment('1/10:12/24'), { from: 0.1, to: 0.5 });
  t.deepEqual(parseSegment('12.25%:00.5'), { from: 0.1225, to: 0.5 });
  t.deepEqual(parseSegment('0.5:01'), { from: 0.5, to: 1 });
});

test('ramping VUs: a stage of no time after a ramp replaces the count at its time; arrival rates from a start rate per time unit', (t) => {
  t.deepEqual(
    rampingVUsSteps(
      0,
      [
        { durationMs: 1000, target: 2 },
        { durationMs: 0, target: 5 },
      ],
      FULL_SEGMENT,
    ),
    [
      { atMs: 0, vus: 0 },
      { atMs: 500, vus: 1 },
      { atMs: 1000, vus: 5 },
    ],
  );
  const s = {
    executor: 'ramping-arrival-rate',
    startRate: 20,
    timeUnitMs: 2000,
    stages: [{ durationMs: 1000, target: 20 }],
  } as Extract<Scenario, { executor: 'ramping-arrival-rate' }>;
  // 20 per 2 s is 10/s: 10 arrivals in the second, 100 ms apart.
  t.is(ArrivalSchedule.total(s), 10);
  const schedule = new ArrivalSchedule(s);
  const times: number[] = [];
  for (let at = schedule.next(); at !== null; at = schedule.next()) times.push(at);
  t.is(times.length, 10);
  t.true(Math.abs((times[3] ?? 0) - 300) < 1e-9, String(times[3]));
});

const peakBase = { name: 's', exec: 'default', startTimeMs: 0, gracefulStopMs: 0, tags: {}, env: {} };

test('scenarioPeakRate: arrivals a second at the peak, per timeUnit; none for the VU-based executors', (t) => {
  t.is(
    scenarioPeakRate({
      ...peakBase,
      executor: 'constant-arrival-rate',
      rate: 30,
      timeUnitMs: 60_000,
      durationMs: 1000,
      preAllocatedVUs: 1,
      maxVUs: 1,
    } as Scenario),
    0.5,
  );
  const ramping = (startRate: number, targets: number[]) =>
    scenarioPeakRate({
      ...peakBase,
      executor: 'ramping-arrival-rate',
      startRate,
      timeUnitMs: 500,
      stages: targets.map((target) => ({ target, durationMs: 1000 })),
      preAllocatedVUs: 1,
      maxVUs: 1,
    } as Scenario);
  t.is(ramping(10, [40, 5]), 80, 'the highest target, per 0.5 s');
  t.is(ramping(50, [40, 5]), 100, 'the start rate when it is the highest');
  t.is(ramping(0, []), 0);
  t.is(scenarioPeakRate({ ...peakBase, executor: 'constant-vus', vus: 100, durationMs: 1000 } as Scenario), 0);
  t.is(scenarioPeakRate({ ...peakBase, executor: 'shared-iterations', vus: 10, iterations: 100, maxDurationMs: 1000 } as Scenario), 0);
});
