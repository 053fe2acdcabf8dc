/** The HTML of one run's report (returns a string; the caller writes it). */
import type { PointRow, RunModel } from '../model/run-model.ts';
import type { Warning } from '../model/warnings.ts';
import type { ChartSpec } from './chart-specs.ts';
import { escapeHtml } from './escape.ts';
import { chartFigure, num, page, table, withCi, type Cell } from './page.ts';

export function warningsHtml(warnings: Warning[]): string {
  if (warnings.length === 0) return '<p>No warnings.</p>';
  return `<ul class="warnings">${warnings
    .map(
      (w) =>
        `<li class="warn" data-code="${escapeHtml(w.code)}"><strong>${escapeHtml(w.message)}</strong><br><span class="hint">What to do: ${escapeHtml(w.hint)}</span></li>`,
    )
    .join('\n')}</ul>`;
}

const latencyCells = (l: PointRow['latency']): Cell[] => [
  withCi(l.p50Ms, l.ci.p50),
  withCi(l.p90Ms, l.ci.p90),
  withCi(l.p95Ms, l.ci.p95),
  withCi(l.p99Ms, l.ci.p99),
];

function pointsTable(points: PointRow[]): string {
  return table(
    [
      'Point',
      'Configuration',
      'Rep',
      'Target /s',
      'Achieved /s',
      'Requests',
      'Errors %',
      'Checks ✓/✗',
      'Dropped',
      'p50 ms',
      'p90 ms',
      'p95 ms',
      'p99 ms',
      'Converged ms',
      'Status',
    ],
    points.map((p) => {
      const passes = p.checks.reduce((a, c) => a + c.passes, 0);
      const fails = p.checks.reduce((a, c) => a + c.fails, 0);
      return [
        p.pointId,
        p.configLabel,
        p.repetition,
        num(p.targetRps),
        num(p.achievedRps),
        p.requests,
        num(p.errorPct, 2),
        `${passes}/${fails}`,
        p.droppedIterations,
        ...latencyCells(p.latency),
        num(p.convergenceMs, 0),
        p.flags.length > 0 ? `${p.status} (${p.flags.map((f) => f.code).join(', ')})` : p.status,
      ];
    }),
    'points',
  );
}

function pointDetails(p: PointRow): string {
  const endpoints = table(
    ['Endpoint', 'Requests', 'Failed', 'p50 ms', 'p90 ms', 'p95 ms', 'p99 ms'],
    p.endpoints.map((e) => [e.endpoint, e.requests, e.failed, ...latencyCells(e.latency)]),
  );
  const checks =
    p.checks.length > 0
      ? table(
          ['Check', 'Passes', 'Fails'],
          p.checks.map((c) => [c.check, c.passes, c.fails]),
        )
      : '<p>No checks.</p>';
  const order =
    p.orderFulfilled.count > 0
      ? table(['Order→fulfilled', 'Count', 'p50 ms', 'p90 ms', 'p95 ms', 'p99 ms'], [['all orders', p.orderFulfilled.count, ...latencyCells(p.orderFulfilled)]])
      : '';
  // Failed requests are not in the percentiles (a refused connection fails in a millisecond): apart here.
  const failed =
    p.failedLatency.count > 0
      ? table(
          ['Failed requests (not in the percentiles above)', 'Count', 'p50 ms', 'p90 ms', 'p95 ms', 'p99 ms'],
          [['main load', p.failedLatency.count, ...latencyCells(p.failedLatency)]],
        )
      : '';
  return `<details><summary>Point ${escapeHtml(p.pointId)} — ${escapeHtml(p.configLabel)}, repetition ${escapeHtml(p.repetition)}</summary>${endpoints}${failed}${order}${checks}</details>`;
}

function groupsTable(model: RunModel): string {
  return table(
    ['Configuration', 'Repetitions', 'Achieved /s (median [95% CI])', 'p50 ms', 'p95 ms', 'p99 ms', 'Errors %'],
    model.groups.map((g) => [
      g.configLabel,
      g.pointIds.length,
      withCi(g.achievedRps.median, g.achievedRps.ci),
      withCi(g.p50Ms.median, g.p50Ms.ci),
      withCi(g.p95Ms.median, g.p95Ms.ci),
      withCi(g.p99Ms.median, g.p99Ms.ci),
      withCi(g.errorPct.median, g.errorPct.ci, 2),
    ]),
  );
}

function facts(model: RunModel): string {
  const rows: [string, string][] = [
    ['Run', model.runId],
    ['Status', model.status],
    ['Started', model.startedAt],
    ['Ended', model.endedAt ?? '–'],
    ['Git commit', model.gitCommit ?? '–'],
    ['Tool version', model.toolVersion],
    ['Load generator', model.loadGenerator],
    ['Nodes', model.nodes.map((n) => `${n.name} (${[n.role, n.arch, ...Object.entries(n.labels).map(([k, v]) => `${k}=${v}`)].join(', ')})`).join('; ') || '–'],
  ];
  return `<dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

export function runHtml(model: RunModel, charts: ChartSpec[], pngs: Map<string, Buffer>, summary: unknown): string {
  const figures = charts.map((c) => chartFigure(c, pngs.get(c.id))).join('\n');
  const body = `
<h1>Benchmark report: ${escapeHtml(model.runId)}</h1>
${facts(model)}
<h2>Warnings</h2>
${warningsHtml(model.warnings)}
<h2>Points</h2>
<p>Latency percentiles come from histograms of every raw sample (warm-up excluded); brackets are 95 % confidence intervals of the percentile. Rates and overall percentiles cover the main load over the scheduled window; the order-to-fulfilled probe's requests are listed per endpoint (probe-…) and counted in errors.</p>
${pointsTable(model.points)}
${model.points.map(pointDetails).join('\n')}
<h2>Repetitions</h2>
<p>Median over the repetitions of each configuration, with a 95 % bootstrap confidence interval (needs 2 or more repetitions).</p>
${groupsTable(model)}
<h2>Charts</h2>
${figures}
`;
  return page(`Benchmark report ${model.runId}`, body, charts, { summary });
}
