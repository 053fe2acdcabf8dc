/**
 * The reports in a real browser (Debian's chromium): they render without console errors, every
 * chart is drawn, nothing is fetched from the network, and script or markup in data stays text.
 * Screenshots are kept in test-artifacts/reports/ (git-ignored).
 */
import test from 'ava';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { writeCompareReport } from '../../../reports/compare-report.ts';
import { writeRunReport } from '../../../reports/run-report.ts';
import { openChromium } from '../../helpers/chromium.ts';
import { buildRunDir, type SyntheticPoint } from '../../helpers/synthetic-run.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'reports');
// Free text a user or a node controls: it must stay text. `</script>` first, to try to end the
// embedded JSON block; then a script, an element with an event handler.
const HOSTILE = '</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';
// For what is also a file or folder name (run and point ids) and names that go into ids and labels
// (service and node names, flag codes): no slash, a quote to leave an attribute, two handlers.
const NAME = `"'><img src=x onerror="window.__pwned=3"><svg onload="window.__pwned=4">`;
const SERVICE = `barista${NAME}`;

const points = (latencyMs: number): SyntheticPoint[] =>
  [1, 2].flatMap((replicas) =>
    [0, 1].map((rep) => ({
      pointId: `b${replicas}-r${rep}${NAME}`,
      replicas: { [SERVICE]: replicas },
      // A flag as the harness writes it, with a node's name in its message.
      flags: rep === 1 ? [{ code: `node-lost${NAME}`, message: `node pixel-2${NAME} was lost ${HOSTILE}` }] : [],
      rateRps: 20,
      repetition: rep,
      latencyMs: latencyMs / replicas,
      tempC: replicas === 2 ? 74 : 50,
      throttled: replicas === 2 && rep === 1,
      // The shop's own metrics: the Fulfilment section, the backlog and fulfilment charts.
      shop: { ordersPerS: 0.6, fulfilledPerS: replicas === 1 ? 0.4 : 0.6 },
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

const WITH_HANDLERS = `[...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length`;

async function drawnCharts(page: Page): Promise<{ canvases: number; drawn: number; declared: string | null }> {
  return page.evaluate(COUNT_DRAWN);
}

test('run, compare and history reports render in Chromium: charts drawn, no console errors, no network, data stays text', async (t) => {
  const root = await tempDir(t);
  const nodes = ['local', `pixel-2${NAME}`];
  const a = await buildRunDir(root, { runId: `run-a${NAME}`, seed: 1, nodes, hostileText: HOSTILE, points: points(20) });
  const b = await buildRunDir(root, { runId: `run-b${NAME}`, seed: 2, nodes, hostileText: HOSTILE, points: points(28) });
  const run = await writeRunReport(a, { outDir: join(root, 'run-report') });
  const c = await buildRunDir(root, { runId: `run-c${NAME}`, seed: 3, nodes, hostileText: HOSTILE, points: points(28) });
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
    t.is(await page.locator('img[src="x"], svg').count(), 0, `${name}: no injected element`);
    t.is(await page.evaluate(WITH_HANDLERS), 0, `${name}: no element with an event handler`);
    t.is(await page.locator('script').count(), 3, `${name}: the page's own scripts only (data, Chart.js, boot)`);
    // Every hostile string is on the page as text: the run ids, and (run report) the point ids, the
    // service's label, the node's name and label, the flag; the config name is in the embedded data.
    const text = (await page.locator('body').textContent()) ?? '';
    for (const shown of name === 'run-report'
      ? [`run-a${NAME}`, `b1-r1${NAME}`, `${SERVICE}×1`, `pixel-2${NAME}`, `note=${HOSTILE}`, `node-lost${NAME}`]
      : [`run-a${NAME}`, `run-b${NAME}`, `${SERVICE}×1`])
      t.true(text.includes(shown), `${name}: ${shown} shown as text`);
    const embedded = (await page.evaluate(`JSON.parse(document.getElementById('report-data').textContent)`)) as { summary?: { config?: { name?: string } } };
    if (name === 'run-report') t.is(embedded.summary?.config?.name, `nightly${HOSTILE}`, 'the config name survives the JSON block intact');
    else
      t.true(
        text.includes(`scenarioEnv.NOTE ${JSON.stringify(`run-a${NAME}${HOSTILE}`)} → ${JSON.stringify(`run-b${NAME}${HOSTILE}`)}`),
        `${name}: the scenario variable that differs is shown as text`,
      );
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

test("the page's Content-Security-Policy runs its own scripts only: a script or event handler that reached the markup is refused", async (t) => {
  const root = await tempDir(t);
  const dir = await buildRunDir(root, { runId: 'run-csp', seed: 1, nodes: ['local'], points: points(20) });
  const { htmlPath } = await writeRunReport(dir, { outDir: join(root, 'report') });
  const html = await readFile(htmlPath, 'utf8');
  // As if escaping had missed a value: markup with an inline script and an event handler.
  const injected = html.replace('</body>', '<script>window.__pwned=1</script><img alt="x" src="data:image/png;base64,AAAA" onerror="window.__pwned=2"></body>');
  const withPolicy = join(root, 'injected.html');
  await writeFile(withPolicy, injected);
  // The same page under the old policy (any inline script): the injection does run there, so the
  // check below is one that can fail.
  const oldPolicy = join(root, 'injected-old-policy.html');
  await writeFile(oldPolicy, injected.replace(/script-src [^"]*/, "script-src 'unsafe-inline'"));
  const open = await openChromium(t);

  const guarded = await open(pathToFileURL(withPolicy).href);
  await guarded.page.waitForSelector('body[data-charts-drawn]');
  const charts = await drawnCharts(guarded.page);
  t.is(charts.drawn, charts.canvases, 'the page’s own scripts ran: every chart drawn');
  t.is(await guarded.page.evaluate('window.__pwned'), undefined, 'the injected script and handler did not run');
  t.true(
    guarded.consoleErrors.some((e) => /Content Security Policy/.test(e)),
    guarded.consoleErrors.join('\n'),
  );
  await guarded.page.close();

  const unguarded = await open(pathToFileURL(oldPolicy).href);
  await unguarded.page.waitForSelector('body[data-charts-drawn]');
  await unguarded.page.waitForFunction('window.__pwned === 2');
  t.is(await unguarded.page.evaluate('window.__pwned'), 2, "under 'unsafe-inline' the injection runs");
  await unguarded.page.close();
});
