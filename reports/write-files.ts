/** The one place report code writes files: charts/*.png, then the documents, into an output directory. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CHARTS_DIR, REPORT_FILES } from '../rundir/layout.ts';
import type { ChartSpec } from './render/chart-specs.ts';
import { renderPng } from './render/png.ts';

/** Draws every chart to `<outDir>/charts/<id>.png` and returns the bytes by chart id (for embedding). */
export async function writeCharts(outDir: string, charts: ChartSpec[]): Promise<Map<string, Buffer>> {
  const dir = join(outDir, CHARTS_DIR);
  await mkdir(dir, { recursive: true });
  const pngs = new Map<string, Buffer>();
  for (const spec of charts) {
    const png = await renderPng(spec);
    await writeFile(join(dir, `${spec.id}.png`), png);
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
export async function writeDocuments(outDir: string, texts: Record<keyof typeof REPORT_FILES, string>): Promise<ReportPaths> {
  await mkdir(outDir, { recursive: true });
  const path = (file: keyof typeof REPORT_FILES) => join(outDir, REPORT_FILES[file]);
  for (const file of Object.keys(REPORT_FILES) as (keyof typeof REPORT_FILES)[]) await writeFile(path(file), texts[file]);
  return { htmlPath: path('html'), summaryMdPath: path('summaryMd'), summaryJsonPath: path('summaryJson'), junitPath: path('junit') };
}
