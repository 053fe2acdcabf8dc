import test from 'ava';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { UsageError } from '../../../kernel/errors.ts';
import { markdownWithCode } from '../../../reports/render/escape.ts';
import { writeRunReport } from '../../../reports/run-report.ts';
import { buildRunDir, ITEM_TYPES_TAGS, k6PointLine } from '../../helpers/synthetic-run.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';

async function run(t: Parameters<typeof tempDir>[0]) {
  const root = await tempDir(t);
  const dir = await buildRunDir(root, {
    runId: 'run-a',
    nodes: ['local', 'pixel-2'],
    hostileText: HOSTILE,
    points: [
      { pointId: 'p0', replicas: { barista: 1 }, rateRps: 20 },
      { pointId: 'p1', replicas: { barista: 2 }, rateRps: 20, tempC: 78, throttled: true },
      { pointId: 'p2', replicas: { barista: 1 }, rateRps: 20, repetition: 1, cpuPct: 92 },
      {
        pointId: 'p3',
        replicas: { barista: 2 },
        rateRps: 20,
        repetition: 1,
        flags: [{ code: 'cooldown-timeout', message: 'nodes stayed hot' }],
        nodeLost: 'pixel-2',
      },
    ],
  });
  const paths = await writeRunReport(dir, { outDir: join(root, 'out') });
  return { root, dir, paths, summary: JSON.parse(await readFile(paths.summaryJsonPath, 'utf8')), html: await readFile(paths.htmlPath, 'utf8') };
}

test('a run report has the per-point numbers from raw samples, warm-up excluded', async (t) => {
  const { summary } = await run(t);
  t.is(summary.points.length, 4);
  const p0 = summary.points[0];
  t.is(p0.pointId, 'p0');
  t.is(p0.targetRps, 20);
  t.is(p0.requests, 20 * 5 * 4, 'rate × duration × 4 endpoints; warm-up requests are not counted');
  t.true(Math.abs(p0.achievedRps - 20) < 0.5);
  t.deepEqual(p0.endpoints.map((e: { endpoint: string }) => e.endpoint).sort(), [
    'fulfillment-orders',
    `item-types${HOSTILE}`,
    'items-by-types',
    'place-order',
  ]);
  for (const e of p0.endpoints) {
    t.true(e.latency.p50Ms < e.latency.p95Ms && e.latency.p95Ms <= e.latency.p99Ms);
    t.true(e.latency.ci.p95.low <= e.latency.p95Ms && e.latency.p95Ms <= e.latency.ci.p95.high);
  }
  t.is(p0.orderFulfilled.count, 100);
  t.is(p0.convergenceMs, 1200);
  t.is(summary.groups.length, 2);
  t.deepEqual(summary.groups[0].pointIds, ['p0', 'p2']);
  // Two repetitions give a bootstrap interval: resampling two values, the median is the lower, their
  // mean or the higher, so the 95 % interval spans exactly the two repetitions' p95s.
  const p95s = [summary.points[0].latency.p95Ms, summary.points[2].latency.p95Ms] as number[];
  t.deepEqual(summary.groups[0].p95Ms.values, p95s);
  t.is(summary.groups[0].p95Ms.median, (p95s[0]! + p95s[1]!) / 2);
  t.deepEqual(summary.groups[0].p95Ms.ci, { low: Math.min(...p95s), high: Math.max(...p95s) });
});

test('warnings name the node or point and say what to do', async (t) => {
  const { summary } = await run(t);
  const codes = summary.warnings.map((w: { code: string }) => w.code);
  for (const code of ['thermal', 'throttled', 'generator-saturated', 'flagged', 'few-repetitions']) t.true(codes.includes(code), code);
  const thermal = summary.warnings.find((w: { code: string }) => w.code === 'thermal');
  t.is(thermal.pointId, 'p1');
  t.is(thermal.node, 'local');
  t.regex(thermal.message, /78\.0 °C/);
  t.true(summary.warnings.every((w: { hint: string }) => w.hint.length > 10));
  t.true(summary.warnings.some((w: { message: string }) => w.message === 'a node was lost during point p3 (pixel-2)'));
});

test('the HTML is self-contained, embeds charts and escapes every data value', async (t) => {
  const { html, root } = await run(t);
  t.false(/<(script|link|img)[^>]+(src|href)="(https?:)?\/\//i.test(html), 'nothing is loaded from the network');
  t.regex(html, /Content-Security-Policy/);
  t.regex(html, /<img alt="p95 latency and throughput per point"[^>]+src="data:image\/png;base64,iVBOR/);
  t.false(html.includes('<script>window.__pwned'), 'a script in a tag value is not markup');
  t.false(html.includes('<img src=x'), 'an element in a tag value is not markup');
  t.true(html.includes('&lt;script&gt;window.__pwned=1&lt;/script&gt;'));
  const data = html.slice(html.indexOf('id="report-data">'), html.indexOf('</script>', html.indexOf('id="report-data">')));
  t.false(data.slice(20).includes('<'), 'the embedded JSON holds no raw <');
  const png = await readFile(join(root, 'out', 'charts', 'points.png'));
  t.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
});

test('summary.md is a table that fits a job summary, with warnings', async (t) => {
  const { paths } = await run(t);
  const md = await readFile(paths.summaryMdPath, 'utf8');
  t.regex(md, /^## Benchmark run-a/m);
  t.regex(md, /^\| p0 \| barista×1 @ 20\/s \| 20\.0 \| 20\.0 \|/m);
  t.regex(md, /### Warnings/);
  t.false(md.includes('<script>'));
  t.is(markdownWithCode('rerun it with `bench resume`; a_b'), 'rerun it with `bench resume`; a\\_b');
  t.is(markdownWithCode('an odd ` backtick'), 'an odd \\` backtick');
});

test('summary.md keeps the code spans of its own hints (and still escapes data)', async (t) => {
  const root = await tempDir(t);
  const dir = await buildRunDir(root, { runId: 'r', points: [{ pointId: 'p_0', replicas: { shop: 1 }, rateRps: 5, durationS: 2 }] });
  const resultPath = join(dir, 'points', 'p_0', 'result.json');
  await writeFile(resultPath, JSON.stringify({ ...JSON.parse(await readFile(resultPath, 'utf8')), status: 'interrupted' }));
  const md = await readFile((await writeRunReport(dir, { outDir: join(root, 'out') })).summaryMdPath, 'utf8');
  t.regex(md, /point p\\_0 is interrupted\. \*its numbers cover only part of the window: rerun it with `bench resume`\*/);
  t.false(md.includes('\\`'));
});

test('junit.xml has a test case per point with its warnings', async (t) => {
  const { paths } = await run(t);
  const xml = await readFile(paths.junitPath, 'utf8');
  t.is((xml.match(/<testcase /g) ?? []).length, 4);
  t.regex(xml, /reached 78\.0 °C during point p1/);
  t.false(xml.includes('<script>'));
});

test('a directory that is not a run directory is a usage error', async (t) => {
  const root = await tempDir(t);
  const error = await t.throwsAsync(writeRunReport(root), { instanceOf: UsageError });
  t.regex(error!.message, /no manifest\.json/);
});

test('a point left .partial by a crash and planned points never run are warnings, not report rows', async (t) => {
  const root = await tempDir(t);
  const dir = await buildRunDir(root, {
    runId: 'crashed',
    points: [
      { pointId: 'p0', replicas: { shop: 1 }, rateRps: 10, durationS: 2 },
      { pointId: 'p1', replicas: { shop: 2 }, rateRps: 10, durationS: 2 },
    ],
  });
  await rename(join(dir, 'points', 'p1'), join(dir, 'points', 'p1.partial'));
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  await writeFile(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, status: 'interrupted', plannedPoints: ['p0', 'p1', 'p2'] }));
  const paths = await writeRunReport(dir, { outDir: join(root, 'out') });
  const summary = JSON.parse(await readFile(paths.summaryJsonPath, 'utf8'));
  t.deepEqual(
    summary.points.map((p: { pointId: string }) => p.pointId),
    ['p0'],
  );
  const messages = summary.warnings.filter((w: { code: string }) => w.code === 'missing-data').map((w: { message: string }) => w.message);
  t.true(messages.some((m: string) => m.startsWith('point p1 never finished')));
  t.true(messages.some((m: string) => m.startsWith('1 planned point(s) were not run (p2)')));
});

test('the probe scenario is kept per endpoint but left out of the achieved rate and overall latency', async (t) => {
  const root = await tempDir(t);
  const dir = await buildRunDir(root, { runId: 'probed', points: [{ pointId: 'p0', replicas: { shop: 1 }, rateRps: 10, durationS: 4, probe: true }] });
  const paths = await writeRunReport(dir, { outDir: join(root, 'out') });
  const [point] = JSON.parse(await readFile(paths.summaryJsonPath, 'utf8')).points;
  t.is(point.achievedRps, 10, 'iterations of the main load over the scheduled 4 s, not until load-end');
  t.is(point.requestsPerS, 40);
  t.is(point.latency.count, 160);
  t.true(point.latency.p99Ms < 900, 'the 900 ms probe polls are not in the overall percentiles');
  const probe = point.endpoints.find((e: { endpoint: string }) => e.endpoint === 'probe-fulfillment-orders');
  t.is(probe.requests, 12);
  t.is(point.requests, 172, 'errors are counted over every request');
});

test('a repetition far from the others is a MAD outlier warning', async (t) => {
  const root = await tempDir(t);
  const reps = [20, 20, 20, 20, 60].map((latencyMs, repetition) => ({
    pointId: `r${repetition}`,
    replicas: { shop: 1 },
    rateRps: 20,
    durationS: 3,
    repetition,
    latencyMs,
  }));
  const dir = await buildRunDir(root, { runId: 'outlier', points: reps });
  const summary = JSON.parse(await readFile((await writeRunReport(dir, { outDir: join(root, 'out') })).summaryJsonPath, 'utf8'));
  const outliers = summary.warnings.filter((w: { code: string }) => w.code === 'outlier');
  t.deepEqual(
    outliers.map((w: { pointId: string }) => w.pointId),
    ['r4'],
  );
  t.false(summary.warnings.some((w: { code: string }) => w.code === 'few-repetitions'));
});

test('a k6-samples.ndjson.gz cut short keeps the samples before the cut and warns', async (t) => {
  const root = await tempDir(t);
  const dir = await buildRunDir(root, { runId: 'cut', points: [{ pointId: 'p0', replicas: { shop: 1 }, rateRps: 50, durationS: 10 }] });
  const gz = join(dir, 'points', 'p0', 'k6-samples.ndjson.gz');
  const bytes = await readFile(gz);
  await writeFile(gz, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  const summary = JSON.parse(await readFile((await writeRunReport(dir, { outDir: join(root, 'out') })).summaryJsonPath, 'utf8'));
  t.true(summary.points[0].latency.count > 100, String(summary.points[0].latency.count));
  t.true(summary.points[0].latency.count < 2000);
  t.true(summary.warnings.some((w: { code: string; message: string }) => w.code === 'missing-data' && /is cut short after \d+ line/.test(w.message)));
});

test('the thermal warning counts the battery, as the cooldown gate does', async (t) => {
  const root = await tempDir(t);
  const dir = await buildRunDir(root, { runId: 'hot-battery', points: [{ pointId: 'p0', replicas: { shop: 1 }, rateRps: 10, tempC: 45, batteryTempC: 75 }] });
  const summary = JSON.parse(await readFile((await writeRunReport(dir)).summaryJsonPath, 'utf8'));
  const thermal = summary.warnings.find((w: { code: string }) => w.code === 'thermal');
  t.truthy(thermal, JSON.stringify(summary.warnings));
  t.regex(thermal.message, /75\.0 °C/);
});

test('failed requests (a target refusing connections) are kept out of the latency percentiles and shown apart', async (t) => {
  const root = await tempDir(t);
  const dir = await buildRunDir(root, { runId: 'r', points: [{ pointId: 'p0', replicas: { shop: 1 }, rateRps: 5, durationS: 2 }] });
  const t0 = Date.UTC(2026, 10, 25, 2, 0, 3);
  const refused = { ...ITEM_TYPES_TAGS, status: '0', expected_response: 'false', error_code: '1212' };
  const ok = { ...ITEM_TYPES_TAGS };
  const lines = [
    ...Array.from({ length: 100 }, (_, i) => k6PointLine('http_req_duration', t0 + i, 0.2, refused)),
    ...Array.from({ length: 100 }, (_, i) => k6PointLine('http_reqs', t0 + i, 1, refused)),
    ...Array.from({ length: 100 }, (_, i) => k6PointLine('http_req_failed', t0 + i, 1, refused)),
    ...Array.from({ length: 20 }, (_, i) => k6PointLine('http_req_duration', t0 + i, 25, ok)),
    ...Array.from({ length: 20 }, (_, i) => k6PointLine('http_reqs', t0 + i, 1, ok)),
  ];
  await writeFile(join(dir, 'points', 'p0', 'k6-samples.ndjson.gz'), gzipSync(`${lines.join('\n')}\n`));
  const summary = JSON.parse(await readFile((await writeRunReport(dir, { outDir: join(root, 'out') })).summaryJsonPath, 'utf8'));
  const point = summary.points[0];
  t.is(point.latency.count, 20);
  t.is(point.latency.p50Ms, 25, 'refused connections do not make the target look fast');
  t.is(point.failedLatency.count, 100);
  t.true(point.errorPct > 80);
  t.regex(await readFile(join(root, 'out', 'report.html'), 'utf8'), /Failed requests \(not in the percentiles above\)/);
});

test("the shop's own metrics: fulfilment per configuration with its interval, the backlog chart, and a warning for the point above capacity", async (t) => {
  const root = await tempDir(t);
  const dir = await buildRunDir(root, {
    runId: 'run-shop',
    points: [
      { pointId: 'k1', replicas: { kitchen: 1 }, rateRps: 2, durationS: 30, shop: { ordersPerS: 0.7, fulfilledPerS: 0.45 } },
      { pointId: 'k2', replicas: { kitchen: 2 }, rateRps: 2, durationS: 30, shop: { ordersPerS: 0.7, fulfilledPerS: 0.7 } },
    ],
  });
  const paths = await writeRunReport(dir, { outDir: join(root, 'out') });
  const summary = JSON.parse(await readFile(paths.summaryJsonPath, 'utf8'));
  const [one, two] = summary.groups as { replicas: { kitchen: number }; fulfilment: { fulfilledPerS: { value: number; ci: { low: number; high: number } } } }[];
  t.true(Math.abs(one!.fulfilment.fulfilledPerS.value - 0.45) < 0.05, JSON.stringify(one!.fulfilment));
  t.true(Math.abs(two!.fulfilment.fulfilledPerS.value - 0.7) < 0.05);
  t.truthy(one!.fulfilment.fulfilledPerS.ci);
  t.deepEqual(
    summary.warnings.filter((w: { code: string }) => w.code === 'backlog-growing').map((w: { pointId: string }) => w.pointId),
    ['k1'],
  );
  t.regex(
    summary.warnings.find((w: { code: string }) => w.code === 'backlog-growing').message,
    /the load is above what the shop fulfils; the latency you see is queueing/,
  );
  t.is(summary.shopSeries.length > 60, true);
  const html = await readFile(paths.htmlPath, 'utf8');
  t.regex(html, /<h2>Fulfilment<\/h2>/);
  t.regex(html, /Fulfilled orders \/s \[95% CI\]/);
  await readFile(join(root, 'out', 'charts', 'shop-backlog.png'));
  await readFile(join(root, 'out', 'charts', 'fulfilment-0.png'));
});
