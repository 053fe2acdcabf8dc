import test from 'ava';
import { Histogram } from '../../../../reports/stats/histogram.ts';
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
