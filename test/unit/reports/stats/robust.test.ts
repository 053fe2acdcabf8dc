import test from 'ava';
import { bootstrapInterval, bootstrapRelativeChange } from '../../../../reports/stats/bootstrap.ts';
import { changePoints, segments } from '../../../../reports/stats/change-points.ts';
import { madOutliers, modifiedZScores } from '../../../../reports/stats/outliers.ts';
import { normalFrom, seededRandom } from '../../../../kernel/random.ts';
import { mad, median, medianOfSorted, quantileOfSorted, sorted } from '../../../../reports/stats/summary.ts';

const noise = (n: number, seed: number, mean: number, sd: number) => {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => mean + sd * normalFrom(random));
};

test('median, MAD and interpolated quantiles', (t) => {
  t.is(median([3, 1, 2]), 2);
  t.is(median([4, 1, 2, 3]), 2.5);
  t.is(median([]), null);
  t.is(mad([1, 1, 2, 2, 4, 6, 9]), 1);
  t.is(quantileOfSorted([1, 2, 3, 4], 0.5), 2.5);
});

test('bootstrap interval of the median brackets it, is reproducible and needs two values', (t) => {
  const values = noise(30, 1, 100, 5);
  const ci = bootstrapInterval(values)!;
  t.true(ci.low <= median(values)! && median(values)! <= ci.high);
  t.deepEqual(bootstrapInterval(values), ci, 'same seed, same interval');
  t.true(ci.high - ci.low < 10);
  t.is(bootstrapInterval([1]), null);
});

test('bootstrap relative change finds +10 % and excludes zero', (t) => {
  const ci = bootstrapRelativeChange(noise(20, 2, 100, 2), noise(20, 3, 110, 2))!;
  t.true(ci.low > 0.05 && ci.high < 0.15, JSON.stringify(ci));
  const none = bootstrapRelativeChange(noise(20, 4, 100, 2), noise(20, 5, 100, 2))!;
  t.true(none.low < 0 && none.high > 0, JSON.stringify(none));
});

test('MAD outliers: one wild repetition among steady ones', (t) => {
  t.deepEqual(madOutliers([10, 10.2, 9.9, 10.1, 30]), [4]);
  t.deepEqual(madOutliers([10, 10.2, 9.9, 10.1, 10.3]), []);
  t.deepEqual(madOutliers([10, 30]), [], 'two values cannot show an outlier');
  t.deepEqual(
    modifiedZScores([5, 5, 5, 6]).map((z) => Number.isFinite(z)),
    [true, true, true, false],
  );
});

test('change points: a step is found where it happens', (t) => {
  const series = [...noise(12, 6, 100, 2), ...noise(10, 7, 115, 2)];
  t.deepEqual(changePoints(series), [12]);
  const segs = segments(series);
  t.is(segs.length, 2);
  t.true(Math.abs(segs[1]!.mean - 115) < 3);
});

test('change points: two steps, and none in noise or in a tiny shift', (t) => {
  const two = [...noise(8, 8, 100, 1), ...noise(8, 9, 90, 1), ...noise(8, 10, 120, 1)];
  t.deepEqual(changePoints(two), [8, 16]);
  for (const seed of [11, 12, 13, 14, 15]) t.deepEqual(changePoints(noise(30, seed, 100, 3)), [], `seed ${seed}`);
  t.deepEqual(changePoints([100, 100, 100, 101, 101, 101]), [], 'a 1 % shift is below the 2 % floor');
  t.deepEqual(changePoints([5, 5]), []);
  t.deepEqual(changePoints([]), []);
});

test('order statistics, worked by hand', (t) => {
  t.deepEqual(sorted([10, 9, 1]), [1, 9, 10], 'numeric, not text order');
  const input = [3, 1, 2];
  sorted(input);
  t.deepEqual(input, [3, 1, 2], 'the input is not reordered');
  t.is(medianOfSorted([1, 2, 3, 10]), 2.5);
  t.is(medianOfSorted([7]), 7);
  t.is(medianOfSorted([]), null);
  t.is(quantileOfSorted([1, 2, 3, 4], 0), 1);
  t.is(quantileOfSorted([1, 2, 3, 4], 0.25), 1.75);
  t.is(quantileOfSorted([1, 2, 3, 4], 1), 4);
  t.is(quantileOfSorted([5], 0.9), 5);
  t.is(quantileOfSorted([], 0.5), null);
  t.is(mad([]), null);
  t.is(mad([1, 2, 3, 4, 100]), 1);
});

test('modified z-scores and MAD outliers, worked by hand', (t) => {
  // Median 3, absolute deviations 2, 1, 0, 1, 97 → MAD 1.
  t.deepEqual(modifiedZScores([1, 2, 3, 4, 100]), [0.6745 * -2, -0.6745, 0, 0.6745, 0.6745 * 97]);
  t.deepEqual(madOutliers([1, 2, 3, 4, 100]), [4]);
  // A lower threshold calls more values outliers: |z| of 6 is 2.02.
  t.deepEqual(madOutliers([1, 2, 3, 4, 6], 1), [0, 4]);
  t.deepEqual(madOutliers([1, 2, 3, 4, 6]), []);
  // MAD 0: everything off the median is infinitely far, on its side.
  t.deepEqual(modifiedZScores([5, 5, 5, 1, 9]), [0, 0, 0, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]);
  t.deepEqual(madOutliers([1, 1, 9]), [2], 'three values can show one');
  t.deepEqual(modifiedZScores([]), []);
  // Two values are never outliers, even under a threshold their z-scores (±0.6745) pass.
  t.deepEqual(madOutliers([1, 3], 0.5), []);
  // A z-score exactly at the threshold is not past it.
  t.deepEqual(madOutliers([1, 2, 3, 4, 6], 0.6745 * 3), []);
});

test('bootstrap edge cases: constant samples, nothing to estimate, the seed and the confidence', (t) => {
  t.deepEqual(bootstrapInterval([5, 5]), { low: 5, high: 5 });
  t.is(
    bootstrapInterval([1, 2], () => null),
    null,
  );
  t.is(
    bootstrapInterval([1, 2], () => Number.NaN),
    null,
  );
  t.is(
    bootstrapInterval([], () => 1),
    null,
  );
  // Confidence 1: the whole range of the resampled medians of 1, 2, 3.
  t.deepEqual(bootstrapInterval([1, 2, 3], median, { confidence: 1 }), { low: 1, high: 3 });
  // The statistic is applied to each resample: the mean of a constant sample is that constant.
  t.deepEqual(
    bootstrapInterval([4, 4, 4], (s) => s.reduce((a, b) => a + b, 0) / s.length),
    { low: 4, high: 4 },
  );
  const values = noise(15, 21, 50, 4);
  t.deepEqual(bootstrapInterval(values), bootstrapInterval(values, median, { seed: 0x5eed, iterations: 2000, confidence: 0.95 }));
  // Few resamples show the seed.
  t.deepEqual(bootstrapInterval(values, median, { iterations: 5 }), bootstrapInterval(values, median, { iterations: 5, seed: 0x5eed }));
  t.notDeepEqual(bootstrapInterval(values, median, { iterations: 5 }), bootstrapInterval(values, median, { iterations: 5, seed: 1 }));
  t.deepEqual(bootstrapRelativeChange([2, 2], [3, 3]), { low: 0.5, high: 0.5 });
  t.deepEqual(bootstrapRelativeChange([2, 2], [3, 3], { iterations: 1 }), { low: 0.5, high: 0.5 });
  t.is(bootstrapRelativeChange([0, 0], [3, 3]), null, 'no change relative to 0');
  t.is(bootstrapRelativeChange([1], [1, 2]), null);
  t.is(bootstrapRelativeChange([1, 2], [1]), null);
  const a = noise(12, 22, 100, 3);
  const b = noise(12, 23, 105, 3);
  t.deepEqual(bootstrapRelativeChange(a, b), bootstrapRelativeChange(a, b, { seed: 0x5eed, iterations: 2000, confidence: 0.95 }));
  t.deepEqual(bootstrapRelativeChange(a, b, { iterations: 5 }), bootstrapRelativeChange(a, b, { iterations: 5, seed: 0x5eed }));
  t.notDeepEqual(bootstrapRelativeChange(a, b, { iterations: 5 }), bootstrapRelativeChange(a, b, { iterations: 5, seed: 1 }));
  const wide = bootstrapRelativeChange(a, b, { confidence: 0.99 })!;
  const narrow = bootstrapRelativeChange(a, b, { confidence: 0.5 })!;
  t.true(wide.low < narrow.low && narrow.high < wide.high);
});

test('segments, worked by hand', (t) => {
  // σ = 0 (the successive differences are mostly 0): any drop beats the penalty.
  t.deepEqual(segments([1, 1, 1, 1, 5, 5, 5, 5]), [
    { start: 0, end: 4, mean: 1 },
    { start: 4, end: 8, mean: 5 },
  ]);
  t.deepEqual(segments([]), [{ start: 0, end: 0, mean: 0 }]);
  t.deepEqual(segments([1, 5], { minSegment: 1 }), [
    { start: 0, end: 1, mean: 1 },
    { start: 1, end: 2, mean: 5 },
  ]);
  t.deepEqual(changePoints([1, 5]), [], 'two values cannot make two segments of 2');
  t.deepEqual(changePoints([1, 1, 1, 5, 5, 5], { minSegment: 4 }), []);
  t.deepEqual(changePoints([1, 1, 1, 5, 5, 5], { minSegment: 3 }), [3]);
  t.deepEqual(changePoints([1, 1, 5, 5], { minSegment: 0 }), [2], 'a segment has at least one value');
  // A 1 % shift counts only with a floor below it.
  t.deepEqual(changePoints([100, 100, 101, 101], { minRelativeShift: 0.001 }), [2]);
  // The shift is relative to the larger of the earlier mean and the overall mean (here 4/102); exactly the floor counts.
  t.deepEqual(changePoints([100, 100, 104, 104], { minRelativeShift: 4 / 102 }), [2]);
  t.deepEqual(changePoints([100, 100, 104, 104], { minRelativeShift: 4 / 101 }), []);
  t.deepEqual(changePoints([100, 100, 101, 101]), []);
  // Negative means: relative to their magnitude, 1/100.5 is below the floor.
  t.deepEqual(changePoints([-100, -100, -101, -101]), []);
  t.deepEqual(changePoints([-100, -100, -50, -50]), [2]);
  // Three values: σ from the differences 0 and 8 is 1.4826·4/√2 = 4.19, penalty 5·σ²·ln 3 = 96.6 > gain 42.7.
  t.deepEqual(changePoints([1, 1, 9], { minSegment: 1 }), []);
  // σ = 1.4826/√2 = 1.048, penalty 5·σ²·ln 10 = 12.65: the step (gain 202.5) counts, unless the penalty is 20× larger.
  const step = [1, 2, 4, 1, 3, 10, 12, 11, 13, 10];
  t.deepEqual(changePoints(step), [5]);
  t.deepEqual(changePoints(step, { penaltyFactor: 100 }), []);
  // Splits at 2 and 4 gain the same; the first is taken. Its shift, 5 against the overall mean 3.3, passes a
  // floor of 1.2; the one at 4 (5 → 0, relative to 5) would not, nor does it within the right part (10 → 0 of 10).
  t.deepEqual(changePoints([0, 0, 10, 10, 0, 0], { minSegment: 1 }), [2, 4]);
  t.deepEqual(changePoints([0, 0, 10, 10, 0, 0], { minSegment: 1, minRelativeShift: 1.2 }), [2]);
});
