import test from 'ava';
import { Histogram } from '../../../../reports/stats/histogram.ts';
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
