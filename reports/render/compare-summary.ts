/** summary.md (GitHub job summary / PR comment), summary.json and JUnit XML of a comparison. */
import type { CompareModel } from '../model/compare-model.ts';
import type { Warning } from '../model/warnings.ts';
import { VERDICT_TEXT, changeText, deltaText, metricName, pText, valueText } from './compare-text.ts';
import { escapeMarkdown, escapeXml, markdownWithCode } from './escape.ts';

/** GitHub caps a PR comment at 65 536 characters; stay under it with room for a footer. */
export const MARKDOWN_LIMIT = 60_000;

const ICON = { regressed: '🔴', improved: '🟢', 'no-change': '⚪', 'not-comparable': '⚠️' } as const;

export function compareSummaryJson(model: CompareModel, warnings: Warning[]): Record<string, unknown> {
  return { kind: 'compare-report', schemaVersion: 1, ...model, warnings };
}

export function compareSummaryMarkdown(model: CompareModel, warnings: Warning[]): string {
  const head = [
    `## Benchmark comparison: ${ICON[model.verdict]} ${VERDICT_TEXT[model.verdict]}`,
    '',
    `Threshold ±${model.thresholdPct} % (error rate ±${model.errorThresholdPp} pp), α = ${model.alpha}. Baseline \`${escapeMarkdown(model.runs[0]?.runId ?? '')}\`.`,
    '',
  ];
  const body: string[] = [];
  for (const pair of model.pairs) {
    body.push(
      `### ${escapeMarkdown(pair.baseline.runId)} → ${escapeMarkdown(pair.candidate.runId)}: ${ICON[pair.verdict]} ${VERDICT_TEXT[pair.verdict]} (${pair.counts.regressed} regressed, ${pair.counts.improved} improved, ${pair.counts['no-change']} no change)`,
      '',
      "| Configuration | Metric | Baseline | Candidate | Change [95% CI] | p | Cliff's δ | Verdict |",
      '|---|---|--:|--:|--:|--:|--:|---|',
    );
    for (const m of pair.metrics)
      body.push(
        `| ${escapeMarkdown(m.configLabel)} | ${escapeMarkdown(metricName(m))} | ${valueText(m.baseline, m)} | ${valueText(m.candidate, m)} | ${changeText(m)} | ${pText(m.pValue)} | ${deltaText(m)} | ${ICON[m.verdict]} ${VERDICT_TEXT[m.verdict]} |`,
      );
    if (pair.unmatched.length > 0) body.push('', `Not compared: ${pair.unmatched.map(escapeMarkdown).join('; ')}`);
    for (const difference of pair.differences) body.push('', `Differs: ${escapeMarkdown(difference)}`);
    body.push('');
  }
  const changes = model.trends.flatMap((s) =>
    s.changePoints.map(
      (run) => `- ${escapeMarkdown(s.configLabel)} ${escapeMarkdown(s.metric)} changed at run \`${escapeMarkdown(model.runs[run]?.runId ?? '')}\``,
    ),
  );
  if (model.trends.length > 0) body.push(`### Trend across ${model.runs.length} runs`, '', ...(changes.length > 0 ? changes : ['No change points.']), '');
  if (warnings.length > 0) {
    body.push(`### Warnings (${warnings.length})`, '');
    for (const w of warnings) body.push(`- ${escapeMarkdown(w.message)}. *${markdownWithCode(w.hint)}*`);
    body.push('');
  }
  const lines = [...head];
  let size = head.join('\n').length;
  for (const [i, line] of body.entries()) {
    if (size + line.length + 1 > MARKDOWN_LIMIT) {
      lines.push('', `… ${body.length - i} more line(s) cut to fit a comment; see summary.json and report.html.`);
      break;
    }
    lines.push(line);
    size += line.length + 1;
  }
  return `${lines.join('\n')}\n`;
}

/** One test case per metric and configuration; a regression is a failure, so CI shows it as one. */
export function compareJunit(model: CompareModel): string {
  const suites = model.pairs.map((pair) => {
    const cases = pair.metrics.map((m) => {
      const name = `${m.configLabel} ${metricName(m)}`;
      const detail = `${valueText(m.baseline, m)} → ${valueText(m.candidate, m)}, change ${changeText(m)}, p ${pText(m.pValue)}, Cliff's δ ${deltaText(m)}, basis ${m.basis}`;
      const failure =
        m.verdict === 'regressed'
          ? `<failure message="${escapeXml(`regressed: ${detail}`)}" type="regression">${escapeXml(detail)}</failure>`
          : `<system-out>${escapeXml(`${VERDICT_TEXT[m.verdict]}: ${detail}`)}</system-out>`;
      return `    <testcase classname="${escapeXml(`bench.compare.${pair.candidate.runId}`)}" name="${escapeXml(name)}" time="0">${failure}</testcase>`;
    });
    return `  <testsuite name="${escapeXml(`${pair.baseline.runId} → ${pair.candidate.runId}`)}" tests="${pair.metrics.length}" failures="${pair.counts.regressed}" errors="0" skipped="0">\n${cases.join('\n')}\n  </testsuite>`;
  });
  const tests = model.pairs.reduce((a, p) => a + p.metrics.length, 0);
  const failures = model.pairs.reduce((a, p) => a + p.counts.regressed, 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="bench compare" tests="${tests}" failures="${failures}">\n${suites.join('\n')}\n</testsuites>\n`;
}
