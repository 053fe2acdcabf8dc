/** The one place report code writes files: charts/*.png, then the documents, into an output directory. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChartSpec } from './render/chart-specs.ts';
import { renderPng } from './render/png.ts';

/** Draws every chart to `<outDir>/charts/<id>.png` and returns the bytes by chart id (for embedding). */
export async function writeCharts(outDir: string, charts: ChartSpec[]): Promise<Map<string, Buffer>> {
  const dir = join(outDir, 'charts');
  await mkdir(dir, { recursive: true });
  const pngs = new Map<string, Buffer>();
  for (const spec of charts) {
    const png = await renderPng(spec);
    await writeFile(join(dir, `${spec.id}.png`), png);
    pngs.set(spec.id, png);
  }
  return pngs;
}

export async function writeDocuments(outDir: string, files: Record<string, string>): Promise<Record<string, string>> {
  await mkdir(outDir, { recursive: true });
  const paths: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    paths[name] = join(outDir, name);
    await writeFile(paths[name], text);
  }
  return paths;
}
