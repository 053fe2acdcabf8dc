/**
 * The reports in a real browser (Debian's chromium): they render without console errors, every
 * chart is drawn, nothing is fetched from the network, and script or markup in data stays text.
 * Screenshots are kept in test-artifacts/reports/ (git-ignored).
 */
import test from 'ava';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { writeCompareReport } from '../../../reports/compare-report.ts';
import { writeRunReport } from '../../../reports/run-report.ts';
import { openChromium } from '../../helpers/chromium.ts';
import { buildRunDir, type SyntheticPoint } from '../../helpers/synthetic-run.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'reports');
const HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';

const points = (latencyMs: number): SyntheticPoint[] =>
  [1, 2].flatMap((replicas) =>
    [0, 1].map((rep) => ({
      pointId: `b${replicas}-r${rep}`,
      replicas: { barista: replicas },
      rateRps: 20,
      repetition: rep,
      latencyMs: latencyMs / replicas,
      tempC: replicas === 2 ? 74 : 50,
      throttled: replicas === 2 && rep === 1,
    })),
  );

/**
 * Number of canvases, and how many of them have painted pixels. Browser code is passed as source
 * text: the project's TypeScript has no DOM types, on purpose (the harness runs on Node).
 */
const COUNT_DRAWN = `(() => {
  const canvases = [...document.querySelectorAll('canvas')];
  const drawn = canvases.filter((canvas) => {
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
    return painted > 1000;
  }).length;
  return { canvases: canvases.length, drawn, declared: document.body.getAttribute('data-charts-drawn') };
})()`;

async function drawnCharts(page: Page): Promise<{ canvases: number; drawn: number; declared: string | null }> {
  return page.evaluate(COUNT_DRAWN);
}

test('run, compare and history reports render in Chromium: charts drawn, no console errors, no network, data stays text', async (t) => {
  const root = await tempDir(t);
  const a = await buildRunDir(root, { runId: 'run-a', seed: 1, nodes: ['local', 'pixel-2'], hostileText: HOSTILE, points: points(20) });
  const b = await buildRunDir(root, { runId: 'run-b', seed: 2, nodes: ['local', 'pixel-2'], hostileText: HOSTILE, points: points(28) });
  const run = await writeRunReport(a, { outDir: join(root, 'run-report') });
  const c = await buildRunDir(root, { runId: 'run-c', seed: 3, nodes: ['local', 'pixel-2'], hostileText: HOSTILE, points: points(28) });
  const compare = await writeCompareReport([a, b], { outDir: join(root, 'compare-report') });
  const history = await writeCompareReport([a, b, c], { outDir: join(root, 'history-report') });
  const open = await openChromium(t);
  await mkdir(ARTIFACTS, { recursive: true });

  for (const [name, htmlPath] of [
    ['run-report', run.htmlPath],
    ['compare-report', compare.htmlPath],
    ['history-report', history.htmlPath],
  ] as const) {
    const { page, consoleErrors, blockedRequests } = await open(pathToFileURL(htmlPath).href);
    await page.waitForSelector('body[data-charts-drawn]');
    const charts = await drawnCharts(page);
    t.true(charts.canvases >= 2, `${name}: ${charts.canvases} canvases`);
    t.is(charts.drawn, charts.canvases, `${name}: every chart has pixels`);
    t.is(charts.declared, String(charts.canvases));
    t.deepEqual(consoleErrors, [], `${name}: console errors`);
    t.deepEqual(blockedRequests, [], `${name}: network requests`);
    t.is(await page.evaluate('window.__pwned'), undefined, `${name}: no injected script ran`);
    t.is(await page.locator('img[src="x"]').count(), 0, `${name}: no injected element`);
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    if (name === 'run-report') {
      const cellTexts = await page.locator('td').allTextContents();
      t.true(cellTexts.includes(`item-types${HOSTILE}`), 'the hostile tag value is shown as plain text');
      const facts = await page.locator('dd').allTextContents();
      t.true(
        facts.some((text) => text.includes(`note=${HOSTILE}`)),
        'the hostile node label is shown as plain text',
      );
      t.true((await page.locator('li.warn[data-code="thermal"]').count()) > 0);
    } else {
      t.true((await page.locator('.verdict-regressed').count()) > 0);
    }
    if (name === 'history-report') t.is(await page.locator('canvas#chart-trend-p95').count(), 1);
    await page.close();
  }
});
