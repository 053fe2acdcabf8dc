// A against B from in-memory run models (no run directory, no rendering): which rows a comparison
// has, each row's numbers, interval, test and verdict on both bases, the configurations it cannot
// compare, how the runs differ, and the trend of a history with its change points.
import test from 'ava';
import type { PointInput } from '../../../../reports/ingest/rundir.ts';
import { buildCompareModel, comparePair, runDifferences, trends, verdictOf } from '../../../../reports/model/compare-model.ts';
import { buildRunModel, type RunModel } from '../../../../reports/model/run-model.ts';
import { bootstrapRelativeChange } from '../../../../reports/stats/bootstrap.ts';
import { twoProportionP } from '../../../../reports/stats/proportions.ts';
import { rankTest, weighted } from '../../../../reports/stats/rank-test.ts';
import { median } from '../../../../reports/stats/summary.ts';
import type { MetricFacts } from '../../../../rundir/k6.ts';
import { type PointOptions, pointInput, runInput, shopSamples, T0 } from '../../../helpers/model-input.ts';

/** n latencies evenly from lo to hi, ms. */
const spread = (n: number, lo: number, hi: number) => Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));

function run(runId: string, points: PointInput[], more: Parameters<typeof runInput>[1] = {}): RunModel {
  return buildRunModel(runInput(points, { runId, ...more }));
}

/** `reps` repetitions of one configuration, repetition i's latencies scaled by `scale(i)`. */
function reps(n: number, o: Partial<PointOptions> & { base?: number[]; scale?: (i: number) => number } = {}): PointInput[] {
  const { base = spread(200, 10, 20), scale = () => 1, ...rest } = o;
  return Array.from({ length: n }, (_, i) => pointInput({ pointId: `p${i}`, index: i, repetition: i, latencies: base.map((v) => v * scale(i)), ...rest }));
}

const row = (pair: ReturnType<typeof comparePair>, metric: string, endpoint = '') => pair.metrics.find((m) => m.metric === metric && m.endpoint === endpoint);

test('verdict: significant and at least the threshold, the direction deciding regressed or improved', (t) => {
  const ci = { low: 0.1, high: 0.3 };
  t.is(verdictOf(0.2, ci, 0.01, 0.05, 'lower', 0.05), 'regressed');
  t.is(verdictOf(-0.2, { low: -0.3, high: -0.1 }, 0.01, 0.05, 'lower', 0.05), 'improved');
  t.is(verdictOf(-0.2, { low: -0.3, high: -0.1 }, 0.01, 0.05, 'higher', 0.05), 'regressed');
  t.is(verdictOf(0.2, ci, 0.01, 0.05, 'higher', 0.05), 'improved');
  t.is(verdictOf(0.05, ci, 0.01, 0.05, 'lower', 0.05), 'regressed', 'a change of exactly the threshold counts');
  t.is(verdictOf(-0.05, { low: -0.3, high: -0.01 }, 0.01, 0.05, 'lower', 0.05), 'improved');
  t.is(verdictOf(0.0499, ci, 0.01, 0.05, 'lower', 0.05), 'no-change');
  t.is(verdictOf(-0.0499, { low: -0.3, high: -0.01 }, 0.01, 0.05, 'lower', 0.05), 'no-change');
  t.is(verdictOf(0.2, ci, 0.05, 0.05, 'lower', 0.05), 'no-change', 'p at alpha is not significant');
  t.is(verdictOf(0.2, { low: 0, high: 0.3 }, 0.01, 0.05, 'lower', 0.05), 'no-change', 'an interval touching zero');
  t.is(verdictOf(0.2, { low: -0.3, high: 0 }, 0.01, 0.05, 'lower', 0.05), 'no-change');
  t.is(verdictOf(0.2, null, 0.01, 0.05, 'lower', 0.05), 'regressed', 'the test alone when there is no interval');
  t.is(verdictOf(0.2, null, 0.2, 0.05, 'lower', 0.05), 'no-change');
  t.is(verdictOf(0.2, ci, null, 0.05, 'lower', 0.05), 'regressed', 'the interval alone when there is no test');
  t.is(verdictOf(0.2, { low: -0.1, high: 0.3 }, null, 0.05, 'lower', 0.05), 'no-change');
  t.is(verdictOf(0.2, null, null, 0.05, 'lower', 0.05), 'no-change');
  t.is(verdictOf(null, ci, 0.001, 0.05, 'lower', 0.05), 'no-change');
});

test('too few repetitions: latency rows on the raw samples, percentile against percentile, with the Bonferroni interval', (t) => {
  const a = run('a', reps(1, { base: spread(600, 10, 20) }));
  const b = run('b', reps(1, { base: spread(600, 13, 26) }));
  const pair = comparePair(a, b);
  const ha = a.pooled.values().next().value!.latency;
  const hb = b.pooled.values().next().value!.latency;
  for (const [metric, q] of [
    ['p50 latency', 0.5],
    ['p95 latency', 0.95],
    ['p99 latency', 0.99],
  ] as const) {
    const m = row(pair, metric)!;
    const ia = ha.quantileInterval(q, 2.241403)!;
    const ib = hb.quantileInterval(q, 2.241403)!;
    const test = rankTest([...ha.weightedValues()], [...hb.weightedValues()])!;
    t.like(m, {
      configKey: a.groups[0]!.configKey,
      configLabel: 'svc×1 @ 10/s',
      unit: 'ms',
      better: 'lower',
      baseline: ha.quantile(q),
      candidate: hb.quantile(q),
      change: hb.quantile(q)! / ha.quantile(q)! - 1,
      changeKind: 'relative',
      ci: { low: ib.low / ia.high - 1, high: ib.high / ia.low - 1 },
      pValue: test.pValue,
      test: 'mann-whitney',
      cliffsDelta: test.cliffsDelta,
      magnitude: test.magnitude,
      basis: 'samples',
      verdict: 'regressed',
    });
    t.true(Math.abs(m.change! - 0.3) < 0.01, `${metric} ${m.change}`);
  }
  t.is(pair.verdict, 'regressed');
  t.deepEqual(pair.baseline, { runId: 'a', gitCommit: 'abc1234', startedAt: new Date(T0).toISOString() });
  t.is(pair.candidate.runId, 'b');
  // The other way round it is an improvement; against itself no change.
  t.is(row(comparePair(b, a), 'p95 latency')!.verdict, 'improved');
  t.is(comparePair(a, a).verdict, 'no-change');
});

test('a zero baseline percentile: no relative change and no interval, so no verdict', (t) => {
  const zeros = [...Array.from({ length: 400 }, () => 0), ...spread(200, 10, 20)];
  const pair = comparePair(run('a', reps(1, { base: zeros })), run('b', reps(1, { base: zeros.map((v) => v + 5) })));
  t.like(row(pair, 'p50 latency'), { baseline: 0, change: null, ci: null, verdict: 'no-change' });
  t.truthy(row(pair, 'p99 latency')!.ci, 'p99 is past the zeros');
});

test('with enough repetitions on both sides, each repetition is one observation', (t) => {
  const a = run('a', reps(5, { scale: (i) => 1 + i / 100 }));
  const b = run('b', reps(5, { scale: (i) => 1.3 + i / 100 }));
  const pair = comparePair(a, b);
  const p50 = row(pair, 'p50 latency')!;
  const repsA = a.points.map((p) => p.latency.p50Ms!);
  const repsB = b.points.map((p) => p.latency.p50Ms!);
  t.like(p50, {
    basis: 'repetitions',
    baseline: median(repsA),
    candidate: median(repsB),
    ci: bootstrapRelativeChange(repsA, repsB)!,
    pValue: rankTest(weighted(repsA), weighted(repsB))!.pValue,
    cliffsDelta: 1,
    verdict: 'regressed',
  });
  t.is(row(pair, 'p99 latency')!.baseline, median(a.points.map((p) => p.latency.p99Ms!)));
  t.is(row(pair, 'p95 latency')!.candidate, median(b.points.map((p) => p.latency.p95Ms!)));
  t.is(row(pair, 'p95 latency', 'e')!.basis, 'repetitions');
  t.is(row(pair, 'throughput')!.basis, 'repetitions');
  t.is(row(pair, 'error rate')!.basis, 'samples', 'errors are always counted over the pooled requests');
  // Asking for more repetitions than either side has: the raw samples again.
  t.is(row(comparePair(a, b, { minRepetitions: 6 }), 'p50 latency')!.basis, 'samples');
  t.is(row(comparePair(a, run('b', reps(4, { scale: () => 1.3 }))), 'p50 latency')!.basis, 'samples', 'one side short of 5');
  t.is(row(comparePair(run('a', reps(4)), b), 'p50 latency')!.basis, 'samples', 'the baseline short of 5');
  t.is(row(comparePair(run('a', reps(4)), run('b', reps(4)), { minRepetitions: 4 }), 'p50 latency')!.basis, 'repetitions');
});

test('per-endpoint p95 rows for the endpoints both runs measured, in name order', (t) => {
  const point = (names: string[], ms: number) =>
    pointInput({ pointId: 'p', requests: names.flatMap((name) => spread(100, ms, 2 * ms).map((v, i) => ({ timeMs: T0 + i * 10, ms: v, name }))) });
  const a = run('a', [point(['zz', 'only-a', 'aa'], 10)]);
  const b = run('b', [point(['aa', 'only-b', 'zz'], 20)]);
  const pair = comparePair(a, b);
  t.deepEqual(
    pair.metrics.filter((m) => m.endpoint !== '').map((m) => [m.metric, m.endpoint, m.verdict]),
    [
      ['p95 latency', 'aa', 'regressed'],
      ['p95 latency', 'zz', 'regressed'],
    ],
  );
  const zz = row(pair, 'p95 latency', 'zz')!;
  t.is(zz.baseline, a.pooled.values().next().value!.byEndpoint.get('zz')!.quantile(0.95));
  t.is(zz.candidate, b.pooled.values().next().value!.byEndpoint.get('zz')!.quantile(0.95));
  // By repetitions: a repetition without the endpoint adds nothing to its side.
  const withReps = (ms: number) =>
    Array.from({ length: 6 }, (_, i) => ({
      ...point(i === 5 ? ['zz'] : ['aa', 'zz'], ms + i),
      pointId: `p${i}`,
      spec: { ...point([], 0).spec, pointId: `p${i}`, repetition: i },
    }));
  const reps5 = comparePair(run('a', withReps(10)), run('b', withReps(20)));
  t.is(row(reps5, 'p95 latency', 'aa')!.basis, 'repetitions', 'five repetitions have it');
  t.is(row(comparePair(run('a', withReps(10)), run('b', withReps(20)), { minRepetitions: 6 }), 'p95 latency', 'aa')!.basis, 'samples');
  t.is(row(comparePair(run('a', withReps(10)), run('b', withReps(20)), { minRepetitions: 6 }), 'p95 latency', 'zz')!.basis, 'repetitions');
});

test("custom trends are compared in the run's direction and unit; none without a direction; the order time only without them", (t) => {
  const facts = (unit: MetricFacts['unit'], better: MetricFacts['better']): MetricFacts => ({ type: 'trend', unit, better, custom: true });
  const metrics = { brew_ms: facts('time', 'lower'), score: facts('none', 'higher'), vibe: facts('none', 'none') };
  const side = (k: number, more: Partial<PointOptions> = {}) =>
    reps(1, {
      trends: { vibe: spread(300, k, 2 * k), score: spread(300, 10 * k, 20 * k), brew_ms: spread(300, 10 * k, 20 * k), only_here: [1, 2] },
      metrics: k === 1 ? { ...metrics, only_here: facts('time', 'lower') } : metrics,
      orderFulfilled: spread(50, 100 * k, 200 * k),
      ...more,
    });
  const pair = comparePair(run('a', side(1)), run('b', side(2)));
  const custom = pair.metrics.filter((m) => m.metric.endsWith(' p95') && !m.metric.startsWith('p'));
  t.deepEqual(
    custom.map((m) => [m.metric, m.unit, m.better, m.verdict, m.basis]),
    [
      ['brew_ms p95', 'ms', 'lower', 'regressed', 'samples'],
      ['score p95', '', 'higher', 'improved', 'samples'],
    ],
  );
  t.false(
    pair.metrics.some((m) => m.metric === 'order→fulfilled p95'),
    'the custom trends replace the order time',
  );

  const plain = (k: number, fulfilled: number[]) => reps(1, { orderFulfilled: fulfilled.map((v) => v * k) });
  const order = row(comparePair(run('a', plain(1, spread(50, 100, 200))), run('b', plain(2, spread(50, 100, 200)))), 'order→fulfilled p95')!;
  t.like(order, { unit: 'ms', better: 'lower', verdict: 'regressed', basis: 'samples' });
  t.true(Math.abs(order.change! - 1) < 0.01);
  t.falsy(row(comparePair(run('a', plain(1, [])), run('b', plain(2, spread(50, 100, 200)))), 'order→fulfilled p95'), 'a side without order times');
  t.falsy(row(comparePair(run('a', plain(1, spread(50, 100, 200))), run('b', plain(2, []))), 'order→fulfilled p95'));
});

test('throughput: requests per second, higher is better, on the whole seconds of the windows or on repetitions', (t) => {
  const side = (n: number, perS: number) => reps(n, { durationS: 10, base: Array.from({ length: 10 * perS }, () => 5) });
  const a = run('a', side(1, 10));
  const b = run('b', side(1, 5));
  const m = row(comparePair(a, b), 'throughput')!;
  const perSecondA = a.pooled.values().next().value!.requestsPerSecond;
  const perSecondB = b.pooled.values().next().value!.requestsPerSecond;
  t.deepEqual([perSecondA.length, perSecondB.length], [10, 10]);
  t.like(m, {
    unit: '/s',
    better: 'higher',
    endpoint: '',
    baseline: 10,
    candidate: 5,
    change: -0.5,
    basis: 'samples',
    ci: bootstrapRelativeChange(perSecondA, perSecondB)!,
    pValue: rankTest(weighted(perSecondA), weighted(perSecondB))!.pValue,
    verdict: 'regressed',
  });
  t.is(row(comparePair(b, a), 'throughput')!.verdict, 'improved');
  const byReps = row(comparePair(run('a', side(5, 10)), run('b', side(5, 8))), 'throughput')!;
  t.like(byReps, { basis: 'repetitions', baseline: 10, candidate: 8, verdict: 'regressed' });
  t.true(Math.abs(byReps.ci!.low + 0.2) < 1e-9 && Math.abs(byReps.ci!.high + 0.2) < 1e-9, JSON.stringify(byReps.ci));
});

test('fulfilment throughput: a row only when both runs sampled the shop, on its blocks or repetitions', (t) => {
  const side = (n: number, fulfilledPerS: number) =>
    reps(n, { durationS: 30, shop: shopSamples('p', T0, 35, { ordersPerS: 1, fulfilledPerS: fulfilledPerS + 0.01 }) });
  const a = run('a', side(1, 0.5));
  const b = run('b', side(1, 0.25));
  const m = row(comparePair(a, b), 'fulfilment throughput')!;
  const blocksA = a.pooled.values().next().value!.fulfilledBlocks;
  const blocksB = b.pooled.values().next().value!.fulfilledBlocks;
  t.is(blocksA.length, 6);
  t.like(m, {
    unit: '/s',
    better: 'higher',
    basis: 'samples',
    baseline: a.points[0]!.shop!.fulfilledPerS,
    candidate: b.points[0]!.shop!.fulfilledPerS,
    ci: bootstrapRelativeChange(blocksA, blocksB)!,
    verdict: 'regressed',
  });
  t.is(row(comparePair(run('a', side(5, 0.5)), run('b', side(5, 0.25))), 'fulfilment throughput')!.basis, 'repetitions');
  // A repetition without the shop's metrics is no observation of fulfilment: five, not six.
  const withPlain = (fulfilledPerS: number) => [...side(5, fulfilledPerS), pointInput({ pointId: 'plain', index: 5, repetition: 5, latencies: [5] })];
  const basis = (x: PointInput[], y: PointInput[]) => row(comparePair(run('a', x), run('b', y), { minRepetitions: 6 }), 'fulfilment throughput')!.basis;
  t.is(basis(side(6, 0.5), side(6, 0.25)), 'repetitions');
  t.is(basis(withPlain(0.5), side(6, 0.25)), 'samples');
  t.is(basis(side(6, 0.5), withPlain(0.25)), 'samples');
  t.falsy(row(comparePair(a, run('b', reps(1))), 'fulfilment throughput'), 'the candidate did not sample the shop');
  t.falsy(row(comparePair(run('a', reps(1)), b), 'fulfilment throughput'));
  // Rows of a configuration: latencies, endpoints, throughput, fulfilment, errors, in that order.
  t.deepEqual(
    comparePair(a, b).metrics.map((r) => `${r.metric}${r.endpoint ? ` ${r.endpoint}` : ''}`),
    ['p50 latency', 'p95 latency', 'p99 latency', 'p95 latency e', 'throughput', 'fulfilment throughput', 'error rate'],
  );
});

test('error rate: percentage points over the pooled requests, with a normal interval and the two-proportion test', (t) => {
  const side = (failed: number) =>
    reps(1, { base: spread(1000 - failed, 10, 20), requests: Array.from({ length: failed }, (_, i) => ({ timeMs: T0 + i, ms: 1, failed: true })) });
  const pair = comparePair(run('a', side(10)), run('b', side(50)));
  const m = row(pair, 'error rate')!;
  const se = Math.sqrt((0.01 * 0.99) / 1000 + (0.05 * 0.95) / 1000) * 100;
  t.like(m, {
    unit: '%',
    better: 'lower',
    endpoint: '',
    baseline: 1,
    candidate: 5,
    changeKind: 'points',
    pValue: twoProportionP(10, 1000, 50, 1000),
    test: 'two-proportion',
    cliffsDelta: null,
    magnitude: null,
    basis: 'samples',
    verdict: 'regressed',
  });
  t.true(Math.abs(m.change! - 4) < 1e-9);
  t.true(Math.abs(m.ci!.low - (4 - 1.959964 * se)) < 1e-9 && Math.abs(m.ci!.high - (4 + 1.959964 * se)) < 1e-9, JSON.stringify(m.ci));
  t.is(row(comparePair(run('a', side(50)), run('b', side(10))), 'error rate')!.verdict, 'improved');
  t.is(row(comparePair(run('a', side(10)), run('b', side(50))), 'error rate', '')!.configLabel, 'svc×1 @ 10/s');
  // Four points more errors is under a threshold of 5 points.
  t.is(row(comparePair(run('a', side(10)), run('b', side(50)), { errorThresholdPp: 5 }), 'error rate')!.verdict, 'no-change');
  t.is(row(comparePair(run('a', side(10)), run('b', side(50)), { errorThresholdPp: 4 }), 'error rate')!.verdict, 'regressed');
  t.like(row(comparePair(run('a', side(0)), run('b', side(0))), 'error rate'), { change: 0, ci: { low: 0, high: 0 }, pValue: 1, verdict: 'no-change' });
});

test('the threshold and alpha are the caller’s', (t) => {
  const a = run('a', reps(1, { base: spread(600, 10, 20) }));
  const b = run('b', reps(1, { base: spread(600, 11, 22) }));
  t.is(row(comparePair(a, b), 'p50 latency')!.verdict, 'regressed', '+10 % past the default 5 %');
  t.is(row(comparePair(a, b, { thresholdPct: 15 }), 'p50 latency')!.verdict, 'no-change');
  t.is(row(comparePair(a, b, { alpha: 1e-300 }), 'p50 latency')!.verdict, 'no-change');
});

test('configurations one run lacks, or without samples on a side, are listed and not compared; nothing compared is not comparable', (t) => {
  const cfg = (svc: number, latencies: number[]) => pointInput({ pointId: `s${svc}`, index: svc, replicas: { svc }, latencies });
  const a = run('a', [cfg(1, [5, 6]), cfg(2, [5]), cfg(4, [5])]);
  const b = run('b', [cfg(1, []), cfg(3, [5]), cfg(4, [])]);
  const pair = comparePair(a, b);
  t.deepEqual(pair.unmatched, ['svc×1 @ 10/s (no samples in b)', 'svc×2 @ 10/s (only in a)', 'svc×4 @ 10/s (no samples in b)', 'svc×3 @ 10/s (only in b)']);
  t.deepEqual(pair.metrics, []);
  t.is(pair.verdict, 'not-comparable');
  t.deepEqual(pair.counts, { improved: 0, regressed: 0, 'no-change': 0 });
  t.deepEqual(comparePair(run('x', [cfg(1, [])]), run('y', [cfg(1, [])])).unmatched, ['svc×1 @ 10/s (no samples in x and y)']);
  t.deepEqual(comparePair(run('x', [cfg(1, [])]), run('y', [cfg(1, [5])])).unmatched, ['svc×1 @ 10/s (no samples in x)']);
});

test('counts of the verdicts, and the pair regressed if any row is', (t) => {
  const side = (scale: number, failed: number) =>
    reps(1, { base: spread(1000, 10 * scale, 20 * scale), requests: Array.from({ length: failed }, (_, i) => ({ timeMs: T0 + i, ms: 1, failed: true })) });
  const faster = comparePair(run('a', side(1, 0)), run('b', side(0.7, 0)));
  t.is(faster.verdict, 'improved');
  t.deepEqual(faster.counts, { improved: 4, regressed: 0, 'no-change': 2 });
  const mixed = comparePair(run('a', side(1, 0)), run('b', side(0.7, 200)));
  t.is(mixed.verdict, 'regressed', 'faster but with more errors');
  t.deepEqual(mixed.counts, { improved: 4, regressed: 1, 'no-change': 1 });
});

test('run differences: the load generator and every config field but name and seed, at most eight named', (t) => {
  const a = { runId: 'a', loadGenerator: 'engine 1.2.3', config: { name: 'x', seed: 1, rate: 10, nested: { keep: 1, list: [1, 2] } } };
  const b = { runId: 'b', loadGenerator: 'k6 0.50', config: { name: 'y', seed: 2, rate: 20, nested: { keep: 1, list: [1, 3] }, extra: true } };
  t.deepEqual(runDifferences(a, b), [
    'load generator: engine 1.2.3 in a, k6 0.50 in b',
    'config of a → b: rate 10 → 20, nested.list.1 2 → 3, extra (unset) → true',
  ]);
  t.deepEqual(runDifferences(b, { ...b, runId: 'c' }), []);
  t.deepEqual(runDifferences({ ...b, config: { gone: 1, seed: 3 } }, { ...b, runId: 'c', config: { seed: 4 } }), ['config of b → c: gone 1 → (unset)']);
  t.deepEqual(runDifferences({ ...a, config: { name: { deep: 1 } } }, { ...a, config: { name: { deep: 2 } } }), [], 'everything under name');
  const many = (k: number) => ({ runId: `r${k}`, loadGenerator: 'g', config: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, k])) });
  t.deepEqual(runDifferences(many(1), many(2)), [
    'config of r1 → r2: k0 1 → 2, k1 1 → 2, k2 1 → 2, k3 1 → 2, k4 1 → 2, k5 1 → 2, k6 1 → 2, k7 1 → 2, and 2 more',
  ]);
  const eight = (k: number) => ({ ...many(k), config: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, k])) });
  t.notRegex(runDifferences(eight(1), eight(2))[0]!, /more/);
  t.regex(runDifferences(eight(1), eight(2))[0]!, /k7 1 → 2$/);
  t.deepEqual(runDifferences({ ...a, config: { s: 'x' } }, { ...a, config: { s: 'y' } }), ['config of a → a: s "x" → "y"']);
  // A config too big to read whole is read up to 10 000 values: a change past them is not seen.
  const big = (at: number) => {
    const list = Array.from({ length: 10_010 }, () => 0);
    list[at] = 1;
    return { ...a, config: list };
  };
  t.is(runDifferences(big(-1), big(9998)).length, 1);
  t.deepEqual(runDifferences(big(-1), big(9999)), []);
});

test('the comparison of a history: every run against the first, the trend with its change points, the overall verdict', (t) => {
  const at = (ms: number) => reps(1, { base: Array.from({ length: 100 }, () => ms) });
  const history = [20, 20, 20, 28, 28, 28].map((ms, i) => run(`n${i}`, at(ms), { startedAt: `day ${i}` }));
  // n1 lacks the configuration: its value is null, the segments skip it.
  history[1] = run('n1', [pointInput({ pointId: 'o', replicas: { other: 1 }, latencies: [20] })], { startedAt: 'day 1' });
  const model = buildCompareModel(history);
  t.deepEqual(
    model.runs.map((r) => [r.runId, r.startedAt]),
    history.map((r, i) => [r.runId, `day ${i}`]),
  );
  t.deepEqual([model.thresholdPct, model.errorThresholdPp, model.alpha], [5, 1, 0.05]);
  t.deepEqual(
    model.pairs.map((p) => [p.baseline.runId, p.candidate.runId]),
    ['n1', 'n2', 'n3', 'n4', 'n5'].map((c) => ['n0', c]),
  );
  const p95 = model.trends.find((s) => s.metric === 'p95 latency' && s.configLabel === 'svc×1 @ 10/s')!;
  t.deepEqual(p95.values, [20, null, 20, 28, 28, 28]);
  t.is(p95.unit, 'ms');
  t.deepEqual(p95.segments, [
    { start: 0, end: 3, mean: 20 },
    { start: 3, end: 6, mean: 28 },
  ]);
  t.deepEqual(p95.changePoints, [3]);
  const throughput = model.trends.find((s) => s.metric === 'throughput' && s.configLabel === 'svc×1 @ 10/s')!;
  t.deepEqual([throughput.unit, throughput.values, throughput.changePoints], ['/s', [10, null, 10, 10, 10, 10], []]);
  t.deepEqual(
    model.trends.map((s) => `${s.configLabel} ${s.metric}`),
    ['svc×1 @ 10/s p95 latency', 'svc×1 @ 10/s throughput', 'other×1 @ 10/s p95 latency', 'other×1 @ 10/s throughput'],
  );
  t.is(model.verdict, 'regressed');
  t.deepEqual(
    model.pairs.map((p) => p.verdict),
    ['not-comparable', 'no-change', 'regressed', 'regressed', 'regressed'],
  );
  t.deepEqual(trends(history.slice(0, 1))[0]!.segments, [{ start: 0, end: 1, mean: 20 }]);

  const two = buildCompareModel(history.slice(0, 2), { thresholdPct: 7, errorThresholdPp: 2, alpha: 0.01 });
  t.deepEqual(two.trends, [], 'no trend of two runs');
  t.deepEqual([two.thresholdPct, two.errorThresholdPp, two.alpha], [7, 2, 0.01]);
  t.is(two.verdict, 'not-comparable');
  t.throws(() => buildCompareModel(history.slice(0, 1)), { message: 'comparing needs at least two runs' });
  t.throws(() => buildCompareModel([]), { message: 'comparing needs at least two runs' });
});

test('the overall verdict: regressed first, then not comparable (it may hide a regression), then improved', (t) => {
  const at = (ms: number) => reps(1, { base: Array.from({ length: 100 }, (_, i) => ms + i / 100) });
  const base = run('a', at(20));
  const faster = run('f', at(10));
  const slower = run('s', at(40));
  const same = run('n', at(20));
  const elsewhere = run('x', [pointInput({ pointId: 'o', replicas: { other: 1 }, latencies: [20] })]);
  const verdict = (...runs: RunModel[]) => buildCompareModel([base, ...runs]).verdict;
  t.is(verdict(faster), 'improved');
  t.is(verdict(faster, same), 'improved');
  t.is(verdict(same, same), 'no-change');
  t.is(verdict(faster, elsewhere), 'not-comparable');
  t.is(verdict(elsewhere, slower, faster), 'regressed');
  t.is(comparePair(base, faster, { minRepetitions: 1 }).metrics[0]!.basis, 'repetitions');
});

test('a custom trend one run recorded no value of: a row with nothing to compare, and no verdict', (t) => {
  const metrics: Record<string, MetricFacts> = { brew_ms: { type: 'trend', unit: 'time', better: 'lower', custom: true } };
  const a = run('a', reps(1, { trends: { brew_ms: [] }, metrics }));
  const b = run('b', reps(1, { trends: { brew_ms: [10, 20] }, metrics }));
  t.like(row(comparePair(a, b), 'brew_ms p95'), {
    baseline: null,
    change: null,
    ci: null,
    pValue: null,
    test: null,
    cliffsDelta: null,
    magnitude: null,
    verdict: 'no-change',
  });
  t.true(row(comparePair(a, b), 'brew_ms p95')!.candidate! > 19.9);
  t.like(row(comparePair(b, a), 'brew_ms p95'), { candidate: null, ci: null, test: null });
});

test('each configuration is compared on its own repetitions only', (t) => {
  const other = (ms: number) =>
    Array.from({ length: 5 }, (_, i) => pointInput({ pointId: `o${i}`, index: 10 + i, repetition: i, replicas: { svc: 9 }, latencies: [ms + i] }));
  const a = run('a', [...reps(5, { scale: (i) => 1 + i / 100 }), ...other(1000)]);
  const b = run('b', [...reps(5, { scale: (i) => 1.3 + i / 100 }), ...other(10)]);
  const pair = comparePair(a, b);
  const mine = pair.metrics.find((m) => m.metric === 'p50 latency' && m.configLabel === 'svc×1 @ 10/s')!;
  t.is(mine.baseline, median(a.points.slice(0, 5).map((p) => p.latency.p50Ms!)));
  t.is(mine.verdict, 'regressed');
  const theirs = pair.metrics.find((m) => m.metric === 'p50 latency' && m.configLabel === 'svc×9 @ 10/s')!;
  t.like(theirs, { basis: 'repetitions', baseline: 1002, verdict: 'improved' });
  t.is(pair.metrics.filter((m) => m.metric === 'p50 latency').length, 2);
});

test('a history of three runs has a trend; a config that is null on both sides is no difference', (t) => {
  const three = [1, 2, 3].map((i) => run(`n${i}`, reps(1)));
  t.is(buildCompareModel(three).trends.length, 2);
  t.deepEqual(runDifferences({ runId: 'a', loadGenerator: 'g', config: null }, { runId: 'b', loadGenerator: 'g', config: null }), []);
});
