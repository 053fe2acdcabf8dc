import test, { type ExecutionContext } from 'ava';
import { readFile } from 'node:fs/promises';
import { writeCompareReport } from '../../../reports/compare-report.ts';
import { readRunDir } from '../../../reports/ingest/rundir.ts';
import { buildCompareModel, comparePair, verdictOf } from '../../../reports/model/compare-model.ts';
import { buildRunModel, type RunModel } from '../../../reports/model/run-model.ts';
import { Histogram } from '../../../reports/stats/histogram.ts';
import { MARKDOWN_LIMIT, compareSummaryMarkdown } from '../../../reports/render/compare-summary.ts';
import { buildRunDir, type SyntheticPoint } from '../../helpers/synthetic-run.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

function points(options: { reps?: number; latencyMs?: number; errorRate?: number; services?: number[] } = {}): SyntheticPoint[] {
  return (options.services ?? [1, 2]).flatMap((replicas) =>
    Array.from({ length: options.reps ?? 1 }, (_, rep) => ({
      pointId: `b${replicas}-r${rep}`,
      replicas: { barista: replicas },
      rateRps: 30,
      repetition: rep,
      latencyMs: (options.latencyMs ?? 20) / replicas,
      errorRate: options.errorRate ?? 0,
    })),
  );
}

async function runModel(t: ExecutionContext, runId: string, seed: number, pts: SyntheticPoint[]): Promise<RunModel> {
  const root = await tempDir(t);
  return buildRunModel(await readRunDir(await buildRunDir(root, { runId, seed, points: pts })));
}

test('verdict needs significance and a change beyond the threshold, in the worse direction to regress', (t) => {
  const ci = { low: 0.1, high: 0.3 };
  t.is(verdictOf(0.2, ci, 0.001, 0.05, 'lower', 0.05), 'regressed');
  t.is(verdictOf(0.2, ci, 0.001, 0.05, 'higher', 0.05), 'improved');
  t.is(verdictOf(0.2, ci, 0.2, 0.05, 'lower', 0.05), 'no-change', 'not significant');
  t.is(verdictOf(0.03, { low: 0.01, high: 0.05 }, 0.001, 0.05, 'lower', 0.05), 'no-change', 'below threshold');
  t.is(verdictOf(0.2, { low: -0.1, high: 0.4 }, 0.001, 0.05, 'lower', 0.05), 'no-change', 'interval spans zero');
  t.is(verdictOf(0.2, ci, null, 0.05, 'lower', 0.05), 'regressed', 'interval alone when no test applies');
  t.is(verdictOf(null, null, null, 0.05, 'lower', 0.05), 'no-change');
});

test('two runs of the same system: no change anywhere', async (t) => {
  const pair = comparePair(await runModel(t, 'a', 1, points()), await runModel(t, 'b', 2, points()));
  t.is(pair.verdict, 'no-change', JSON.stringify(pair.metrics.filter((m) => m.verdict !== 'no-change')));
  t.is(pair.metrics.length, 2 * (3 + 4 + 1 + 1 + 1), 'p50/p95/p99, 4 endpoints, order→fulfilled, throughput, errors per configuration');
  t.true(pair.metrics.every((m) => m.basis === 'samples'));
});

test('30 % slower latency regresses the latency metrics but not throughput', async (t) => {
  const pair = comparePair(await runModel(t, 'a', 1, points()), await runModel(t, 'b', 2, points({ latencyMs: 26 })));
  t.is(pair.verdict, 'regressed');
  const p95 = pair.metrics.find((m) => m.metric === 'p95 latency' && m.endpoint === '' && m.configLabel.startsWith('barista×1'))!;
  t.is(p95.verdict, 'regressed');
  t.true(p95.change! > 0.15 && p95.change! < 0.45, String(p95.change));
  t.true(p95.ci!.low > 0);
  t.true(p95.pValue! < 0.001);
  t.true(p95.cliffsDelta! > 0.147);
  t.is(pair.metrics.find((m) => m.metric === 'throughput')!.verdict, 'no-change');
});

test('faster latency improves; more errors regress the error rate', async (t) => {
  const faster = comparePair(await runModel(t, 'a', 1, points()), await runModel(t, 'b', 2, points({ latencyMs: 14 })));
  t.is(faster.verdict, 'improved');
  const errors = comparePair(await runModel(t, 'a', 1, points()), await runModel(t, 'b', 2, points({ errorRate: 0.1 })));
  const rate = errors.metrics.find((m) => m.metric === 'error rate')!;
  t.is(rate.verdict, 'regressed');
  t.is(rate.test, 'two-proportion');
  t.true(rate.change! > 5 && rate.change! < 15, 'percentage points');
});

test('with enough repetitions the test runs on repetitions, with a bootstrap interval', async (t) => {
  const pair = comparePair(
    await runModel(t, 'a', 1, points({ reps: 5, services: [1] })),
    await runModel(t, 'b', 2, points({ reps: 5, services: [1], latencyMs: 30 })),
  );
  const p50 = pair.metrics.find((m) => m.metric === 'p50 latency')!;
  t.is(p50.basis, 'repetitions');
  t.is(p50.verdict, 'regressed');
  t.true(p50.pValue! < 0.05);
  t.is(p50.cliffsDelta, 1);
  t.true(p50.ci!.low > 0.2);
});

test('fulfilment throughput is a metric with its own verdict: fewer orders made is a regression although HTTP is unchanged', async (t) => {
  const shop = (fulfilledPerS: number): SyntheticPoint[] =>
    points({ services: [1] }).map((p) => ({ ...p, durationS: 30, shop: { ordersPerS: 0.6, fulfilledPerS } }));
  const pair = comparePair(await runModel(t, 'a', 1, shop(0.45)), await runModel(t, 'b', 2, shop(0.2)));
  const fulfilment = pair.metrics.find((m) => m.metric === 'fulfilment throughput')!;
  t.like(fulfilment, { unit: '/s', better: 'higher', basis: 'samples', verdict: 'regressed' });
  t.true(fulfilment.change! < -0.4, String(fulfilment.change));
  t.is(pair.metrics.find((m) => m.metric === 'throughput')!.verdict, 'no-change');
  // Runs without the shop's metrics have no such row.
  t.false((await runModel(t, 'c', 3, points({ services: [1] }))).groups.some((g) => g.fulfilment));
});

test('configurations measured by one run only are listed, not compared', async (t) => {
  const pair = comparePair(await runModel(t, 'a', 1, points({ services: [1, 2] })), await runModel(t, 'b', 2, points({ services: [1, 3] })));
  t.deepEqual(pair.unmatched, ['barista×2 @ 30/s (only in a)', 'barista×3 @ 30/s (only in b)']);
  t.true(pair.metrics.every((m) => m.configLabel.startsWith('barista×1')));
});

test('a nightly history gets a trend with the change point where latency stepped up', async (t) => {
  const runs: RunModel[] = [];
  for (const [i, latencyMs] of [20, 20, 20, 28, 28].entries()) runs.push(await runModel(t, `night-${i}`, i + 1, points({ services: [1], latencyMs })));
  const model = buildCompareModel(runs);
  t.is(model.pairs.length, 4);
  const p95 = model.trends.find((s) => s.metric === 'p95 latency')!;
  t.deepEqual(p95.changePoints, [3]);
  t.deepEqual(model.trends.find((s) => s.metric === 'throughput')!.changePoints, []);
  t.is(model.verdict, 'regressed');
  t.throws(() => buildCompareModel(runs.slice(0, 1)));
});

test('bench compare files: HTML, PNG charts, summary.md with a verdict per metric, JUnit', async (t) => {
  const root = await tempDir(t);
  const a = await buildRunDir(root, { runId: 'a', seed: 1, points: points() });
  const b = await buildRunDir(root, { runId: 'b', seed: 2, points: points({ latencyMs: 30 }) });
  const result = await writeCompareReport([a, b], { outDir: `${root}/out` });
  t.is(result.verdict, 'regressed');
  const md = await readFile(result.summaryMdPath, 'utf8');
  const summary = JSON.parse(await readFile(result.summaryJsonPath, 'utf8'));
  const rows = md.split('\n').filter((l) => l.startsWith('| barista'));
  t.is(rows.length, summary.pairs[0].metrics.length);
  t.true(rows.every((r) => /(regressed|improved|no change) \|$/.test(r)));
  const junit = await readFile(result.junitPath, 'utf8');
  t.is((junit.match(/<testcase /g) ?? []).length, rows.length);
  t.is((junit.match(/<failure /g) ?? []).length, result.regressions);
  const html = await readFile(result.htmlPath, 'utf8');
  t.regex(html, /src="data:image\/png;base64,/);
  t.regex(html, /class="verdict-regressed"/);
  await readFile(`${root}/out/charts/compare-0-p95-latency.png`);
});

test('summary.md is cut to fit a PR comment', async (t) => {
  const pair = comparePair(await runModel(t, 'a', 1, points()), await runModel(t, 'b', 2, points()));
  const many = { ...pair, metrics: Array.from({ length: 800 }, () => pair.metrics).flat() };
  const md = compareSummaryMarkdown(
    { runs: [pair.baseline, pair.candidate], thresholdPct: 5, errorThresholdPp: 1, alpha: 0.05, pairs: [many], trends: [], verdict: 'no-change' },
    [],
  );
  t.true(md.length < MARKDOWN_LIMIT + 200);
  t.regex(md, /more line\(s\) cut to fit a comment/);
});

test('custom trends are compared in the direction the run recorded for each, with no table of metric names', async (t) => {
  const a = await runModel(t, 'a', 1, points());
  const b = await runModel(t, 'b', 2, points());
  const trend = (values: number[]) => {
    const h = new Histogram();
    for (const v of values) h.record(v);
    return h;
  };
  const many = (v: number) => Array.from({ length: 500 }, (_, i) => v + (i % 7));
  for (const [model, scale] of [
    [a, 1],
    [b, 0.5],
  ] as const) {
    for (const pooled of model.pooled.values()) {
      // The candidate's values are half the baseline's: better where higher is better, a regression.
      pooled.customTrends.set('beans_per_cup', { histogram: trend(many(100 * scale)), facts: { type: 'trend', unit: 'none', better: 'higher', custom: true } });
      pooled.customTrends.set('grind_ms', { histogram: trend(many(100 * scale)), facts: { type: 'trend', unit: 'time', better: 'lower', custom: true } });
      pooled.customTrends.set('cups', { histogram: trend(many(100 * scale)), facts: { type: 'trend', unit: 'none', better: 'none', custom: true } });
    }
  }
  const rows = comparePair(a, b).metrics.filter((m) => m.metric.endsWith(' p95') && !m.metric.startsWith('latency'));
  const verdicts = Object.fromEntries(rows.filter((r) => r.endpoint === '').map((r) => [`${r.metric} ${r.unit}`, r.verdict]));
  t.like(verdicts, { 'beans_per_cup p95 ': 'regressed', 'grind_ms p95 ms': 'improved' });
  t.false(
    rows.some((r) => r.metric.startsWith('cups')),
    'no better direction: not compared',
  );
});
