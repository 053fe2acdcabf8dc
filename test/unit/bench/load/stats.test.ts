import test from 'ava';
import { aggregate, parseMetricKey, percentile, thresholdHolds, trendStats } from '../../../../bench/load/stats.ts';

test('percentiles interpolate between ranks', (t) => {
  const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  t.is(percentile(sorted, 50), 5.5);
  t.is(percentile(sorted, 0), 1);
  t.is(percentile(sorted, 100), 10);
  t.deepEqual(trendStats([3, 1, 2], ['min', 'med', 'max', 'avg', 'count']), { min: 1, med: 2, max: 3, avg: 2, count: 3 });
});

test('thresholds in k6 syntax', (t) => {
  const trend = aggregate('trend', [10, 20, 30, 400], 1, ['p(95)']);
  t.true(thresholdHolds('p(95)<500', trend));
  t.false(thresholdHolds('max<100', trend));
  const rate = aggregate('rate', [0, 0, 1, 0], 1, []);
  t.true(thresholdHolds('rate<=0.25', rate));
  t.false(thresholdHolds('rate<0.01', rate));
  t.throws(() => thresholdHolds('p95 < 3', trend), { message: /is not a threshold expression/ });
  t.throws(() => thresholdHolds('rate<1', trend), { message: /does not have/ });
});

test('sub-metric keys carry tag filters', (t) => {
  t.deepEqual(parseMetricKey('http_req_duration{name:item-types,method:GET}'), { metric: 'http_req_duration', tags: { name: 'item-types', method: 'GET' } });
  t.deepEqual(parseMetricKey('checks'), { metric: 'checks', tags: {} });
});
