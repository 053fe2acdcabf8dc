// The latency summary every table of a report shows: each percentile and its interval read from the
// histogram at its own quantile, the mean and max, and nothing claimed for an empty histogram.
import test from 'ava';
import { PERCENTILES, summarizeLatency } from '../../../../reports/model/latency.ts';
import { Histogram } from '../../../../reports/stats/histogram.ts';

/** 1 … 1000 ms, one request each: the nearest-rank quantile q is q × 1000 ms (within a bucket, 0.2 %). */
function oneToThousand(): Histogram {
  const h = new Histogram();
  for (let ms = 1; ms <= 1000; ms++) h.record(ms);
  return h;
}

const near = (actual: number | null, expected: number) => actual !== null && Math.abs(actual - expected) <= expected * 0.002;

test('each percentile is read at its own quantile, with its own order-statistic interval', (t) => {
  const h = oneToThousand();
  const s = summarizeLatency(h);
  for (const [key, expected] of [
    ['p50Ms', 500],
    ['p90Ms', 900],
    ['p95Ms', 950],
    ['p99Ms', 990],
  ] as const)
    t.true(near(s[key], expected), `${key} ${s[key]}`);
  t.deepEqual(
    PERCENTILES.map(([key, q]) => [key, q]),
    [
      ['p50', 0.5],
      ['p90', 0.9],
      ['p95', 0.95],
      ['p99', 0.99],
    ],
  );
  for (const [key, q] of PERCENTILES) {
    t.deepEqual(s.ci[key], h.quantileInterval(q), key);
    // The interval brackets its percentile and is narrower than the whole range.
    t.true(s.ci[key]!.low < s[`${key}Ms`]! && s[`${key}Ms`]! < s.ci[key]!.high, key);
  }
  t.true(s.ci.p50!.high < s.ci.p90!.low, 'p50 and p90 intervals are apart: each read at its own quantile');
  t.true(s.ci.p95!.high < s.ci.p99!.high);
});

test('count, mean and max of the histogram', (t) => {
  const s = summarizeLatency(oneToThousand());
  t.is(s.count, 1000);
  t.is(s.meanMs, 500.5);
  t.is(s.maxMs, 1000);
});

test('an empty histogram: count 0 and nothing else claimed', (t) => {
  t.deepEqual(summarizeLatency(new Histogram()), {
    count: 0,
    meanMs: null,
    maxMs: null,
    p50Ms: null,
    p90Ms: null,
    p95Ms: null,
    p99Ms: null,
    ci: { p50: null, p90: null, p95: null, p99: null },
  });
});
