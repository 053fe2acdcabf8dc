/**
 * `bench compare <runA> <runB> [...]`: the first run is the baseline, every other run is compared with
 * it; with three or more runs (a nightly history, oldest first) the trend and its change points too.
 * Writes report.html, charts/*.png, summary.md, summary.json and junit.xml into outDir.
 */
import { readRunDir } from './ingest/rundir.ts';
import { buildCompareModel, type CompareOptions, type Verdict } from './model/compare-model.ts';
import { buildRunModel, type RunModel } from './model/run-model.ts';
import type { Warning, WarningOptions } from './model/warnings.ts';
import { compareCharts } from './render/compare-charts.ts';
import { compareHtml } from './render/compare-html.ts';
import { compareJunit, compareSummaryJson, compareSummaryMarkdown } from './render/compare-summary.ts';
import { changeText, metricName } from './render/compare-text.ts';
import { type ReportPaths, writeCharts, writeDocuments } from './write-files.ts';

export interface CompareReportOptions extends CompareOptions {
  outDir: string;
  warnings?: WarningOptions;
  /** Stops between files (Ctrl-C); every file written is whole. */
  signal?: AbortSignal;
}

export interface CompareReportResult extends ReportPaths {
  /** Overall: regressed when any metric of any candidate regressed. */
  verdict: Verdict;
  regressions: number;
  /** Each regressed metric in words, e.g. "shop×2 @ 10/s p95 latency +12.3 % [+8.1, +16.0]". */
  regressedMetrics: string[];
  /** What the user should hear on the terminal: nothing comparable and why, differing configs or generators. */
  notes: string[];
}

function runWarnings(runs: RunModel[]): Warning[] {
  // Each run's own warnings still matter when comparing; say which run they belong to.
  return runs.flatMap((run) => run.warnings.map((w) => ({ ...w, message: `${run.runId}: ${w.message}` })));
}

export async function writeCompareReport(runDirs: string[], opts: CompareReportOptions): Promise<CompareReportResult> {
  const runs: RunModel[] = [];
  for (const dir of runDirs) runs.push(buildRunModel(await readRunDir(dir), opts.warnings));
  const model = buildCompareModel(runs, opts);
  const warnings = runWarnings(runs);
  const charts = compareCharts(model);
  const pngs = await writeCharts(opts.outDir, charts, opts.signal);
  const notes = model.pairs.flatMap((pair) => [
    ...(pair.verdict === 'not-comparable'
      ? [
          `nothing comparable between ${pair.baseline.runId} and ${pair.candidate.runId}: ${pair.unmatched.length > 0 ? pair.unmatched.join('; ') : 'neither run has a configuration'}`,
        ]
      : []),
    ...pair.differences.map((d) => `the runs differ: ${d}; changes may come from that`),
  ]);
  const summary = compareSummaryJson(model, warnings);
  const paths = await writeDocuments(
    opts.outDir,
    {
      html: compareHtml(model, charts, pngs, warnings, summary),
      summaryMd: compareSummaryMarkdown(model, warnings),
      summaryJson: `${JSON.stringify(summary, null, 2)}\n`,
      junit: compareJunit(model),
    },
    opts.signal,
  );
  return {
    ...paths,
    notes,
    verdict: model.verdict,
    regressions: model.pairs.reduce((a, p) => a + p.counts.regressed, 0),
    regressedMetrics: model.pairs.flatMap((p) =>
      p.metrics.filter((m) => m.verdict === 'regressed').map((m) => `${m.configLabel} ${metricName(m)} ${changeText(m)}`),
    ),
  };
}
