import test from 'ava';
import { BUCKET_COUNT, Histogram } from '../../../../reports/stats/histogram.ts';
import { normalFrom, seededRandom } from '../../../../kernel/random.ts';

function exactQuantile(sortedValues: number[], q: number): number {
  return sortedValues[Math.max(0, Math.ceil(q * sortedValues.length) - 1)]!;
}

function lognormal(n: number, seed: number, medianMs = 20): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => medianMs * Math.exp(0.8 * normalFrom(random)));
}

test('small values are kept exactly (one bucket per microsecond below 0.256 ms)', (t) => {
  const h = new Histogram();
  for (const v of [0.001, 0.1, 0.2, 0.255]) h.record(v);
  t.is(h.quantile(0.25), 0.001);
  t.is(h.quantile(0.5), 0.1);
  t.is(h.quantile(1), 0.255);
});

test('percentiles are within 0.25 % of the exact nearest-rank percentiles', (t) => {
  const values = lognormal(20_000, 7);
  const h = new Histogram();
  for (const v of values) h.record(v);
  const ordered = [...values].sort((a, b) => a - b);
  for (const q of [0.5, 0.9, 0.95, 0.99, 0.999]) {
    const exact = exactQuantile(ordered, q);
    const error = Math.abs(h.quantile(q)! - exact) / exact;
    t.true(error < 0.0025, `q=${q}: ${h.quantile(q)} vs ${exact} (${(error * 100).toFixed(3)} %)`);
  }
  t.is(h.count, values.length);
  t.is(h.min, ordered[0]!);
  t.is(h.max, ordered.at(-1)!);
});

test('merging histograms equals recording every value into one', (t) => {
  const a = new Histogram();
  const b = new Histogram();
  const both = new Histogram();
  for (const v of lognormal(3000, 1)) {
    a.record(v);
    both.record(v);
  }
  for (const v of lognormal(2000, 2, 50)) {
    b.record(v);
    both.record(v);
  }
  const merged = new Histogram().merge(a).merge(b);
  t.deepEqual(merged.toJSON().buckets, both.toJSON().buckets);
  t.is(merged.count, 5000);
  t.is(merged.quantile(0.99), both.quantile(0.99));
});

test('the quantile interval brackets the estimate and narrows with more samples', (t) => {
  const small = new Histogram();
  const large = new Histogram();
  for (const v of lognormal(200, 3)) small.record(v);
  for (const v of lognormal(20_000, 3)) large.record(v);
  for (const h of [small, large]) {
    const ci = h.quantileInterval(0.95)!;
    t.true(ci.low <= h.quantile(0.95)! && h.quantile(0.95)! <= ci.high);
  }
  const width = (h: Histogram) => h.quantileInterval(0.95)!.high - h.quantileInterval(0.95)!.low;
  t.true(width(large) < width(small));
});

test('empty histograms answer null; negative and NaN values are ignored', (t) => {
  const h = new Histogram();
  h.record(-1);
  h.record(Number.NaN);
  t.is(h.count, 0);
  t.is(h.quantile(0.5), null);
  t.is(h.quantileInterval(0.5), null);
  t.is(h.mean(), null);
});

test('JSON round trip keeps every bucket and the exact extremes', (t) => {
  const h = new Histogram();
  for (const v of lognormal(1000, 9)) h.record(v);
  const copy = Histogram.fromJSON(JSON.parse(JSON.stringify(h.toJSON())));
  t.deepEqual(copy.toJSON(), h.toJSON());
  t.is(Histogram.fromJSON(new Histogram().toJSON()).quantile(0.5), null);
});

test('buckets above 0.256 ms, worked by hand: index, midpoint, clamping to the observed range', (t) => {
  // 1 ms = 1000 µs: 2^9 ≤ 1000 < 2^10, buckets 2 µs wide, index 256 + 256 + (500 − 256) = 756, low 1000,
  // midpoint 1000.5 µs. 3 ms: 2^11 ≤ 3000, 8 µs wide, index 256 + 3·256 + (375 − 256) = 1143, midpoint 3003.5 µs.
  const h = new Histogram();
  h.record(1);
  h.record(3);
  t.deepEqual(h.toJSON(), {
    buckets: [
      [756, 1],
      [1143, 1],
    ],
    count: 2,
    min: 1,
    max: 3,
    sum: 4,
  });
  t.deepEqual(
    [...h.weightedValues()],
    [
      [1.0005, 1],
      [3.0035, 1],
    ],
    'unclamped midpoints',
  );
  t.is(h.quantile(0), 1.0005);
  t.is(h.quantile(0.5), 1.0005);
  t.is(h.quantile(1), 3, 'the midpoint 3.0035 is clamped to the maximum');
  t.is(h.mean(), 2);
  // A value past 2^32 µs goes into the last bucket; its min and max stay exact.
  const huge = new Histogram();
  huge.record(5e6);
  t.deepEqual(huge.toJSON(), { buckets: [[6399, 1]], count: 1, min: 5e6, max: 5e6, sum: 5e6 });
  // `times` counts a value several times.
  const repeated = new Histogram();
  repeated.record(0.002, 3);
  repeated.record(0.001);
  t.deepEqual(repeated.toJSON(), {
    buckets: [
      [1, 1],
      [2, 3],
    ],
    count: 4,
    min: 0.001,
    max: 0.002,
    sum: 0.007,
  });
});

test('ranks and the quantile interval on exact buckets, worked by hand', (t) => {
  const h = new Histogram();
  for (let i = 1; i <= 100; i++) h.record(i / 1000);
  // Ranks outside 1…n are clamped.
  t.is(h.valueAtRank(0), 0.001);
  t.is(h.valueAtRank(1000), 0.1);
  t.is(h.valueAtRank(37), 0.037);
  // n = 100, q = 0.5: 50 ∓ 1.96·√25 = 40.2…59.8 → ranks ⌊40.2⌋ = 40 and ⌈59.8⌉ + 1 = 61.
  t.deepEqual(h.quantileInterval(0.5), { low: 0.04, high: 0.061 });
  // q = 0.99: 99 ∓ 1.95 → ranks 97 and 102, clamped to 100.
  t.deepEqual(h.quantileInterval(0.99), { low: 0.097, high: 0.1 });
  // A narrower z gives a narrower interval: 50 ∓ 5 → ranks 45 and 56.
  t.deepEqual(h.quantileInterval(0.5, 1), { low: 0.045, high: 0.056 });
});

test('merge keeps the smaller minimum and the larger maximum of either side', (t) => {
  const low = new Histogram();
  low.record(0.001);
  const high = new Histogram();
  high.record(0.2);
  const both = {
    buckets: [
      [1, 1],
      [200, 1],
    ],
    count: 2,
    min: 0.001,
    max: 0.2,
    sum: 0.201,
  };
  // In either order.
  t.deepEqual(new Histogram().merge(high).merge(low).toJSON(), both);
  t.deepEqual(new Histogram().merge(low).merge(high).toJSON(), both);
  // Merging an empty histogram changes nothing.
  t.deepEqual(new Histogram().merge(low).merge(new Histogram()).toJSON(), low.toJSON());
});

test('the bucket count; a zero is recorded; an empty histogram read back from JSON text stays empty', (t) => {
  // 256 exact buckets, then 24 powers of two (2^8 … 2^31) of 256 buckets each.
  t.is(BUCKET_COUNT, 6400);
  const zero = new Histogram();
  zero.record(0);
  t.deepEqual(zero.toJSON(), { buckets: [[0, 1]], count: 1, min: 0, max: 0, sum: 0 });
  // JSON writes the empty histogram's ±Infinity as null; reading it back restores them.
  const empty = Histogram.fromJSON(JSON.parse(JSON.stringify(new Histogram().toJSON())));
  t.is(empty.min, Number.POSITIVE_INFINITY);
  t.is(empty.max, Number.NEGATIVE_INFINITY);
});
