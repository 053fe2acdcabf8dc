/**
 * `bench report <run>`: one run directory → report.html (self-contained), charts/*.png, summary.md,
 * summary.json and junit.xml, by default inside the run directory itself (ARCHITECTURE.md, "The run directory").
 */
import { readRunDir } from './ingest/rundir.ts';
import { buildRunModel } from './model/run-model.ts';
import type { WarningOptions } from './model/warnings.ts';
import { runCharts } from './render/chart-specs.ts';
import { runHtml } from './render/run-html.ts';
import { runJunit, runSummaryJson, runSummaryMarkdown } from './render/run-summary.ts';
import { type ReportPaths, writeCharts, writeDocuments } from './write-files.ts';

export interface RunReportOptions {
  /** Where to write; default the run directory. */
  outDir?: string;
  warnings?: WarningOptions;
  /** Stops between files (a second Ctrl-C); every file written is whole. */
  signal?: AbortSignal;
}

export async function writeRunReport(runDir: string, opts: RunReportOptions = {}): Promise<ReportPaths> {
  const outDir = opts.outDir ?? runDir;
  const run = await readRunDir(runDir);
  const model = buildRunModel(run, opts.warnings);
  const charts = runCharts(model);
  const pngs = await writeCharts(outDir, charts, opts.signal);
  const summary = runSummaryJson(model);
  return writeDocuments(
    outDir,
    {
      html: runHtml(model, charts, pngs, summary),
      summaryMd: runSummaryMarkdown(model),
      summaryJson: `${JSON.stringify(summary, null, 2)}\n`,
      junit: runJunit(model, new Map(run.points.map((p) => [p.spec.pointId, p.result?.thresholdsPassed ?? null]))),
    },
    opts.signal,
  );
}
