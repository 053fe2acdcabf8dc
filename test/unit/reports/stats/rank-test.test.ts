import test from 'ava';
import { Histogram } from '../../../../reports/stats/histogram.ts';
import { normalCdf, twoSidedP } from '../../../../reports/stats/normal.ts';
import { twoProportionP } from '../../../../reports/stats/proportions.ts';
import { cliffsMagnitude, rankTest, weighted } from '../../../../reports/stats/rank-test.ts';

const close = (a: number, b: number, tolerance: number) => Math.abs(a - b) <= tolerance;

test("complete separation: exact p is 2/C(n1+n2, n1) and Cliff's delta is 1", (t) => {
  const three = rankTest(weighted([1, 2, 3]), weighted([4, 5, 6]))!;
  t.is(three.pMethod, 'exact');
  t.is(three.u, 9);
  t.true(close(three.pValue, 2 / 20, 1e-12));
  t.is(three.cliffsDelta, 1);
  t.is(three.magnitude, 'large');
  const five = rankTest(weighted([6, 7, 8, 9, 10]), weighted([1, 2, 3, 4, 5]))!;
  t.true(close(five.pValue, 2 / 252, 1e-12));
  t.is(five.cliffsDelta, -1);
});

test('identical samples give p = 1 and delta 0', (t) => {
  const r = rankTest(weighted([1, 2, 3, 4]), weighted([1, 2, 3, 4]))!;
  t.is(r.cliffsDelta, 0);
  t.true(close(r.pValue, 1, 1e-6));
  t.is(r.magnitude, 'negligible');
});

test('ties use the normal approximation with tie correction (worked by hand)', (t) => {
  // b>a pairs: 2+3+4+4 = 13, ties 2 → U = 14; σ² = 16/12·(9 − 12/56); z = (6 − 0.5)/σ = 1.607.
  const r = rankTest(weighted([1, 2, 3, 4]), weighted([3, 4, 5, 6]))!;
  t.is(r.pMethod, 'normal');
  t.is(r.u, 14);
  t.is(r.cliffsDelta, 12 / 16);
  t.true(close(r.pValue, 0.1081, 0.0005), String(r.pValue));
});

test('histograms and arrays give the same answer on the same data', (t) => {
  const a = Array.from({ length: 400 }, (_, i) => 10 + (i % 37) * 0.5);
  const b = Array.from({ length: 300 }, (_, i) => 14 + (i % 41) * 0.5);
  const ha = new Histogram();
  const hb = new Histogram();
  for (const v of a) ha.record(v);
  for (const v of b) hb.record(v);
  const fromArrays = rankTest(weighted(a), weighted(b))!;
  const fromHistograms = rankTest([...ha.weightedValues()], [...hb.weightedValues()])!;
  t.true(close(fromArrays.cliffsDelta, fromHistograms.cliffsDelta, 1e-9));
  t.true(close(fromArrays.pValue, fromHistograms.pValue, 1e-9));
  t.true(fromArrays.pValue < 0.01);
});

test("empty samples give null; magnitudes follow Romano's thresholds", (t) => {
  t.is(rankTest([], weighted([1])), null);
  t.is(cliffsMagnitude(0.1), 'negligible');
  t.is(cliffsMagnitude(-0.2), 'small');
  t.is(cliffsMagnitude(0.4), 'medium');
  t.is(cliffsMagnitude(0.9), 'large');
});

test('two-proportion test: equal rates are not significant, 1 % against 5 % of 2000 is', (t) => {
  t.true(twoProportionP(10, 1000, 10, 1000)! > 0.99);
  t.true(twoProportionP(20, 2000, 100, 2000)! < 1e-6);
  t.is(twoProportionP(0, 100, 0, 100), 1);
  t.is(twoProportionP(1, 0, 1, 10), null);
});

test('exact p from the U distribution, worked by hand; the exact/normal boundary', (t) => {
  // n1 = 2, n2 = 1: U takes 0, 1, 2 once each; U = 2 is the top → p = 2 · 1/3.
  t.deepEqual(rankTest(weighted([1, 2]), weighted([3])), {
    n1: 2,
    n2: 1,
    u: 2,
    pValue: 2 / 3,
    pMethod: 'exact',
    cliffsDelta: 1,
    magnitude: 'large',
  });
  t.is(rankTest(weighted([3]), weighted([1, 2]))!.pValue, 2 / 3);
  // n1 = n2 = 2, b interleaved: U = 1 + 2 = 3 of 4; the distribution of U is 1,1,2,1,1 of 6 → P(U ≥ 3) = 2/6.
  t.is(rankTest(weighted([1, 3]), weighted([2, 4]))!.pValue, (2 * 2) / 6);
  // Exact up to 40 values and 400 pairs, without ties.
  const ramp = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + 2 * i);
  t.is(rankTest(weighted(ramp(0, 20)), weighted(ramp(1, 20)))!.pMethod, 'exact');
  t.is(rankTest(weighted(ramp(0, 21)), weighted(ramp(1, 19)))!.pMethod, 'exact');
  t.is(rankTest(weighted(ramp(0, 21)), weighted(ramp(1, 20)))!.pMethod, 'normal');
  t.is(rankTest(weighted(ramp(0, 30)), weighted(ramp(1, 5)))!.pMethod, 'exact', '35 values, 150 pairs');
  t.is(rankTest(weighted([0]), weighted(ramp(1, 41)))!.pMethod, 'normal', '42 values, only 41 pairs');
  // One tie each side: the variance is 0, so p is 1.
  t.deepEqual(rankTest([[1, 1]], [[1, 1]]), { n1: 1, n2: 1, u: 0.5, pValue: 1, pMethod: 'normal', cliffsDelta: 0, magnitude: 'negligible' });
  t.is(rankTest(weighted([1]), []), null);
  t.deepEqual(weighted([2, 1, 2, 10]), [
    [1, 1],
    [2, 2],
    [10, 1],
  ]);
});

test("Romano's thresholds are lower bounds of their class", (t) => {
  t.is(cliffsMagnitude(0.146), 'negligible');
  t.is(cliffsMagnitude(0.147), 'small');
  t.is(cliffsMagnitude(-0.329), 'small');
  t.is(cliffsMagnitude(0.33), 'medium');
  t.is(cliffsMagnitude(-0.473), 'medium');
  t.is(cliffsMagnitude(0.474), 'large');
  t.is(cliffsMagnitude(-1), 'large');
});

test('normal distribution and the two-proportion test against erfc (|error| < 1.5e-7)', (t) => {
  // Reference values from erfc: Φ(1.96) = 0.975002105, 2·(1 − Φ(1.96)) = 0.049995790.
  t.true(close(normalCdf(0), 0.5, 1e-8));
  t.true(close(normalCdf(1.96), 0.9750021049, 2e-7));
  t.true(close(normalCdf(-1.96), 0.0249978951, 2e-7));
  t.true(close(twoSidedP(1.96), 0.0499957903, 3e-7));
  t.true(close(twoSidedP(-1.96), 0.0499957903, 3e-7));
  t.true(close(twoSidedP(0), 1, 1e-8));
  // 10 % against 20 % of 100: pooled 0.15, σ = √(0.15·0.85·0.02), z = 1.98030 → p = 0.0476704.
  t.true(close(twoProportionP(10, 100, 20, 100)!, 0.0476704, 3e-7));
  t.true(close(twoProportionP(20, 100, 10, 100)!, 0.0476704, 3e-7));
  // No variance: all failed or none did, on both sides (equal rates), p = 1; a rate cannot differ then.
  t.is(twoProportionP(100, 100, 10, 10), 1);
  t.is(twoProportionP(0, 100, 1, 0), null);
  t.is(twoProportionP(0, 0, 0, 100), null);
});
