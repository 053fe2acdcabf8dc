import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { newHistogram, VALUE_SCALE } from '../../../../engine/metrics/hdr.ts';
import { HdrLog } from '../../../../engine/output/hdr-log.ts';
import { behindReasons, lagMaxima } from '../../../../bench/load/behind.ts';
import { histogramsFromLog } from '../../../../reports/ingest/hdr-log.ts';
import { metricFactsOf } from '../../../../rundir/k6.ts';
import { tempDir } from '../../../helpers/temp-dir.ts';

/** A log as the engine writes it: `series` per interval, each a list of values (ms). */
async function engineLog(
  t: import('ava').ExecutionContext,
  intervals: { metric: string; tags: Record<string, string>; values: number[] }[][],
): Promise<string> {
  const path = join(await tempDir(t), 'k6-trends.hlog');
  const log = new HdrLog(path, Date.UTC(2026, 0, 1), 1000, ['[test]']);
  intervals.forEach((series, index) => {
    log.write(
      index,
      series.map(({ metric, tags, values }) => {
        const hist = newHistogram(64);
        for (const v of values) hist.recordValue(Math.round(v * VALUE_SCALE));
        return { metric, tags, hist, neg: null };
      }),
    );
  });
  await log.close();
  return readFile(path, 'utf8');
}

const ok = { name: 'item-types', expected_response: 'true', scenario: 'browse' };

test("the engine's histogram log gives the report's latency: per endpoint, failed apart, the probe out of the main load", async (t) => {
  const fast = Array.from({ length: 900 }, (_, i) => 10 + (i % 10));
  const slow = Array.from({ length: 100 }, () => 250);
  const text = await engineLog(t, [
    [
      { metric: 'http_req_duration', tags: ok, values: fast },
      { metric: 'http_req_duration', tags: { ...ok, expected_response: 'false' }, values: [1, 2] },
      { metric: 'order_fulfilled_ms', tags: { scenario: 'probe' }, values: [1500] },
    ],
    [
      { metric: 'http_req_duration', tags: ok, values: slow },
      { metric: 'http_req_duration', tags: { name: 'probe-place-order', expected_response: 'true', scenario: 'probe' }, values: [5000] },
    ],
  ]);
  const logged = histogramsFromLog(text);
  if (!logged) return t.fail('no histogram read');
  t.is(logged.latency.count, 1000, 'both intervals of the main load');
  t.true(Math.abs((logged.latency.quantile(0.5) ?? 0) - 14.5) < 1, `p50 ${logged.latency.quantile(0.5)}`);
  t.true(Math.abs((logged.latency.quantile(0.99) ?? 0) - 250) < 1.5, `p99 ${logged.latency.quantile(0.99)}`);
  t.is(logged.failedLatency.count, 2);
  t.is(logged.latencyByEndpoint.get('probe-place-order')?.count, 1);
  t.is(logged.orderFulfilled.count, 1);
  t.is(logged.badLines, 0);
  t.is(histogramsFromLog('#[just a header]\n'), null, 'no interval: the samples stay the source');
  // Custom trends are whatever the run's metric facts call custom (no names known in advance).
  t.deepEqual([...(histogramsFromLog(text, (m) => m === 'order_fulfilled_ms')?.customTrends.keys() ?? [])], ['order_fulfilled_ms']);
  t.deepEqual(
    metricFactsOf({ engine_metrics_info: { a: { type: 'trend', unit: 'time', better: 'lower', custom: true }, b: { type: 'histogram' } } }),
    { a: { type: 'trend', unit: 'time', better: 'lower', custom: true } },
    'entries that do not fit are left out',
  );
});

test('the generator is behind when iterations were dropped, started late at p99, or later and later', async (t) => {
  const summary = (metrics: Record<string, Record<string, number>>) => JSON.stringify({ metrics });
  t.deepEqual(behindReasons(summary({ dropped_iterations: { count: 0, rate: 0 }, iteration_start_lag: { 'p(99)': 2 } }), null), []);
  t.deepEqual(behindReasons(summary({ dropped_iterations: { count: 7, rate: 1 } }), null), ['7 iteration(s) dropped (no free VU at their start time)']);
  t.deepEqual(behindReasons(summary({ iteration_start_lag: { 'p(99)': 42 } }), null), ['iterations started 42.0 ms late at p99']);
  const lag = (ms: number) => [{ metric: 'iteration_start_lag', tags: { scenario: 'browse' }, values: [ms] }];
  const growing = await engineLog(t, [lag(1), lag(2), lag(1), lag(30), lag(60), lag(90)]);
  t.deepEqual(
    lagMaxima(growing).map((v) => Math.round(v)),
    [1, 2, 1, 30, 60, 90],
  );
  t.regex(behindReasons(summary({}), growing).join(), /the start lag grew from 1\.5 ms to 75\.\d ms/);
  t.deepEqual(behindReasons(summary({}), await engineLog(t, [lag(20), lag(20), lag(20), lag(20)])), [], 'a steady lag is not growing');
  t.deepEqual(behindReasons(null, null), [], 'nothing to judge: no flag');
});
