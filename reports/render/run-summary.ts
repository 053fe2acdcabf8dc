/** summary.json and summary.md of one run. */
import type { RunModel } from '../model/run-model.ts';
import { escapeMarkdown, escapeXml, markdownWithCode } from './escape.ts';
import { num } from './page.ts';

/** Everything in the model except histograms: stable, diffable, for other tools. */
export function runSummaryJson(model: RunModel): Record<string, unknown> {
  const { pooled: _pooled, dir: _dir, ...rest } = model;
  return { kind: 'run-report', schemaVersion: 1, ...rest };
}

export function runSummaryMarkdown(model: RunModel): string {
  const lines = [
    `## Benchmark ${escapeMarkdown(model.runId)} (${escapeMarkdown(model.status)})`,
    '',
    `Commit \`${escapeMarkdown(model.gitCommit ?? 'unknown')}\`, ${escapeMarkdown(model.loadGenerator)}, ${model.points.length} point(s).`,
    '',
    '| Point | Configuration | Target /s | Achieved /s | Errors % | p50 ms | p95 ms | p99 ms |',
    '|---|---|--:|--:|--:|--:|--:|--:|',
    ...model.points.map(
      (p) =>
        `| ${escapeMarkdown(p.pointId)} | ${escapeMarkdown(p.configLabel)} | ${num(p.targetRps)} | ${num(p.achievedRps)} | ${num(p.errorPct, 2)} | ${num(p.latency.p50Ms)} | ${num(p.latency.p95Ms)} | ${num(p.latency.p99Ms)} |`,
    ),
    '',
  ];
  if (model.warnings.length > 0) {
    lines.push(`### Warnings (${model.warnings.length})`, '');
    for (const w of model.warnings) lines.push(`- ${escapeMarkdown(w.message)}. *${markdownWithCode(w.hint)}*`);
    lines.push('');
  }
  return lines.join('\n');
}

/**
 * One test case per point: it fails when the load generator's thresholds failed or the point did not
 * complete; the point's warnings are its system-out, so CI shows them next to it.
 */
export function runJunit(model: RunModel, thresholdsPassed: Map<string, boolean | null>): string {
  let failures = 0;
  const cases = model.points.map((p) => {
    const warnings = model.warnings.filter((w) => w.pointId === p.pointId).map((w) => `${w.message} (${w.hint})`);
    const out = [`achieved ${num(p.achievedRps)}/s of ${num(p.targetRps)}/s, p95 ${num(p.latency.p95Ms)} ms, errors ${num(p.errorPct, 2)} %`, ...warnings].join(
      '\n',
    );
    const problems = [...(thresholdsPassed.get(p.pointId) === false ? ['thresholds crossed'] : []), ...(p.status !== 'complete' ? [`point ${p.status}`] : [])];
    if (problems.length > 0) failures++;
    const failure = problems.length > 0 ? `<failure message="${escapeXml(problems.join(', '))}" type="point"/>` : '';
    return `    <testcase classname="${escapeXml(`bench.run.${model.runId}`)}" name="${escapeXml(`${p.pointId} ${p.configLabel} rep ${p.repetition}`)}" time="${((p.windowEndMs ?? 0) - (p.windowStartMs ?? 0)) / 1000}">${failure}<system-out>${escapeXml(out)}</system-out></testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="bench run" tests="${cases.length}" failures="${failures}">\n  <testsuite name="${escapeXml(model.runId)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}
