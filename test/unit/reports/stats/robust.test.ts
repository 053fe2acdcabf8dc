import test from 'ava';
import { bootstrapInterval, bootstrapRelativeChange } from '../../../../reports/stats/bootstrap.ts';
import { changePoints, segments } from '../../../../reports/stats/change-points.ts';
import { madOutliers, modifiedZScores } from '../../../../reports/stats/outliers.ts';
import { normalFrom, seededRandom } from '../../../../kernel/random.ts';
import { mad, median, quantileOfSorted } from '../../../../reports/stats/summary.ts';

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
