import type { CompareModel, ComparePair } from '../model/compare-model.ts';
import type { Warning } from '../model/warnings.ts';
import type { ChartSpec } from './chart-specs.ts';
import { VERDICT_TEXT, changeText, deltaText, metricName, pText, valueText } from './compare-text.ts';
import { escapeHtml } from './escape.ts';
import { chartFigure, page, table } from './page.ts';
import { warningsHtml } from './run-html.ts';

function verdictCell(verdict: keyof typeof VERDICT_TEXT) {
  return { html: `<span class="verdict-${escapeHtml(verdict)}">${escapeHtml(VERDICT_TEXT[verdict])}</span>` };
}

function pairSection(pair: ComparePair, model: CompareModel): string {
  const counts = `${pair.counts.regressed} regressed, ${pair.counts.improved} improved, ${pair.counts['no-change']} without change`;
  const rows = pair.metrics.map((m) => [
    m.configLabel,
    metricName(m),
    valueText(m.baseline, m),
    valueText(m.candidate, m),
    changeText(m),
    pText(m.pValue),
    deltaText(m),
    m.basis,
    verdictCell(m.verdict),
  ]);
  const unmatched = pair.unmatched.length > 0 ? `<p>Not compared: ${escapeHtml(pair.unmatched.join('; '))}</p>` : '';
  const differences = pair.differences.map((d) => `<p class="warn">The runs differ: ${escapeHtml(d)}; changes may come from that.</p>`).join('\n');
  return `<h2>${escapeHtml(pair.baseline.runId)} → ${escapeHtml(pair.candidate.runId)}: <span class="verdict-${escapeHtml(pair.verdict)}">${escapeHtml(VERDICT_TEXT[pair.verdict])}</span></h2>
<p>${escapeHtml(counts)} at a threshold of ±${escapeHtml(model.thresholdPct)} % (error rate ±${escapeHtml(model.errorThresholdPp)} pp), significance level ${escapeHtml(model.alpha)}.</p>
${table(['Configuration', 'Metric', 'Baseline', 'Candidate', 'Change [95% CI]', 'p (Mann–Whitney / two-proportion)', "Cliff's δ", 'Basis', 'Verdict'], rows, 'compare')}
${unmatched}
${differences}`;
}

function trendSection(model: CompareModel): string {
  if (model.trends.length === 0) return '';
  const changes = model.trends.flatMap((s) =>
    s.changePoints.map((run) => {
      const seg = s.segments.findIndex((x) => x.start === run);
      const before = s.segments[seg - 1]?.mean ?? null;
      const after = s.segments[seg]?.mean ?? null;
      return [
        s.configLabel,
        s.metric,
        model.runs[run]?.runId ?? String(run),
        before === null ? '–' : `${before.toFixed(1)} ${s.unit}`,
        after === null ? '–' : `${after.toFixed(1)} ${s.unit}`,
      ];
    }),
  );
  return `<h2>Trend across ${model.runs.length} runs</h2>
${changes.length > 0 ? table(['Configuration', 'Metric', 'Changed at run', 'Mean before', 'Mean after'], changes) : '<p>No change points: every metric stayed level across the runs.</p>'}`;
}

export function compareHtml(model: CompareModel, charts: ChartSpec[], pngs: Map<string, Buffer>, warnings: Warning[], summary: unknown): string {
  const runs = table(
    ['Run', 'Git commit', 'Started', 'Role'],
    model.runs.map((r, i) => [r.runId, r.gitCommit ?? '–', r.startedAt, i === 0 ? 'baseline' : 'candidate']),
  );
  const body = `
<h1>Comparison: <span class="verdict-${escapeHtml(model.verdict)}">${escapeHtml(VERDICT_TEXT[model.verdict])}</span></h1>
${runs}
<p>Each candidate is compared with the baseline, configuration by configuration. Basis “repetitions”: each repetition is one observation (bootstrap CI of the change of medians); “samples”: every request is one (percentiles from merged histograms, Mann–Whitney U over all latencies). A verdict needs the change beyond the threshold and significant.</p>
<h2>Warnings</h2>
${warningsHtml(warnings)}
${model.pairs.map((p) => pairSection(p, model)).join('\n')}
${trendSection(model)}
<h2>Charts</h2>
${charts.map((c) => chartFigure(c, pngs.get(c.id))).join('\n')}
`;
  return page(`Comparison ${model.runs.map((r) => r.runId).join(' → ')}`, body, charts, { summary });
}
