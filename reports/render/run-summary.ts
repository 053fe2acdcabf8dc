/** summary.json and summary.md of one run. */
import type { RunModel } from '../model/run-model.ts';
import { escapeMarkdown } from './escape.ts';
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
    ...model.points.map((p) => `| ${escapeMarkdown(p.pointId)} | ${escapeMarkdown(p.configLabel)} | ${num(p.targetRps)} | ${num(p.achievedRps)} | ${num(p.errorPct, 2)} | ${num(p.latency.p50Ms)} | ${num(p.latency.p95Ms)} | ${num(p.latency.p99Ms)} |`),
    '',
  ];
  if (model.warnings.length > 0) {
    lines.push(`### Warnings (${model.warnings.length})`, '');
    for (const w of model.warnings) lines.push(`- ${escapeMarkdown(w.message)}. *${escapeMarkdown(w.hint)}*`);
    lines.push('');
  }
  return lines.join('\n');
}
