/**
 * The one place report code writes files: charts/*.png, then the documents, into an output directory.
 * Each file is written whole or not at all (kernel/files.ts), so a full disk or a crash leaves the
 * previous report's file or none, never half of one; a file that cannot be written is an OutputError
 * naming it. `signal` (a second Ctrl-C) stops between files.
 */
import { join } from 'node:path';
import { makeDir, writeFileAtomic } from '../kernel/files.ts';
import { CHARTS_DIR, REPORT_FILES } from '../rundir/layout.ts';
import type { ChartSpec } from './render/chart-specs.ts';
import { renderPng } from './render/png.ts';

/** Draws every chart to `<outDir>/charts/<id>.png` and returns the bytes by chart id (for embedding). */
export async function writeCharts(outDir: string, charts: ChartSpec[], signal?: AbortSignal): Promise<Map<string, Buffer>> {
  const dir = join(outDir, CHARTS_DIR);
  await makeDir(outDir);
  await makeDir(dir);
  const pngs = new Map<string, Buffer>();
  for (const spec of charts) {
    signal?.throwIfAborted();
    const png = await renderPng(spec);
    await writeFileAtomic(join(dir, `${spec.id}.png`), png);
    pngs.set(spec.id, png);
  }
  return pngs;
}

/** Where a report's documents went. */
export interface ReportPaths {
  htmlPath: string;
  summaryMdPath: string;
  summaryJsonPath: string;
  junitPath: string;
}

/** Writes report.html, summary.md, summary.json and junit.xml (rundir/layout.ts REPORT_FILES) into `outDir`. */
export async function writeDocuments(outDir: string, texts: Record<keyof typeof REPORT_FILES, string>, signal?: AbortSignal): Promise<ReportPaths> {
  await makeDir(outDir);
  const path = (file: keyof typeof REPORT_FILES) => join(outDir, REPORT_FILES[file]);
  for (const file of Object.keys(REPORT_FILES) as (keyof typeof REPORT_FILES)[]) {
    signal?.throwIfAborted();
    await writeFileAtomic(path(file), texts[file]);
  }
  return { htmlPath: path('html'), summaryMdPath: path('summaryMd'), summaryJsonPath: path('summaryJson'), junitPath: path('junit') };
}
