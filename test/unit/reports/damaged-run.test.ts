// A damaged run directory never crashes a reader: each file, line or layout that breaks the contract
// is a warning naming the file, and the report is built from the rest. Extreme values neither
// overflow the stack nor allocate per unit of value; implausible ones are kept out and warned about.
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import test from 'ava';
import { readRunDir } from '../../../reports/ingest/rundir.ts';
import { buildRunModel } from '../../../reports/model/run-model.ts';
import { runCharts } from '../../../reports/render/chart-specs.ts';
import { renderPng } from '../../../reports/render/png.ts';
import { writeRunReport } from '../../../reports/run-report.ts';
import { manifestPath, pointFilePath, pointPath, pointsPath } from '../../../rundir/layout.ts';
import type { NodeSample } from '../../../rundir/types.ts';
import { buildRunDir, ITEM_TYPES_TAGS, k6PointLine } from '../../helpers/synthetic-run.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

async function twoPointRun(root: string, runId = 'damaged') {
  const dir = await buildRunDir(root, {
    runId,
    points: [
      { pointId: 'p01', replicas: { shop: 1 }, rateRps: 10, durationS: 3 },
      { pointId: 'p02', replicas: { shop: 2 }, rateRps: 10, durationS: 3 },
    ],
  });
  return { dir, p1: pointPath(dir, 'p01'), p2: pointPath(dir, 'p02') };
}

const messages = (model: ReturnType<typeof buildRunModel>) => model.warnings.map((w) => w.message).join('\n');

test('null, non-JSON and wrongly shaped lines in events.ndjson and nodes.ndjson are skipped, named with their line', async (t) => {
  const root = await tempDir(t);
  const { dir, p1 } = await twoPointRun(root);
  await appendFile(pointFilePath(p1, 'events'), 'null\n[1,2]\n{"type":"load-start","timeMs":"soon"}\n{cut');
  await appendFile(pointFilePath(p1, 'nodes'), 'null\n{"node":"local","timeMs":1,"cores":"many"}\n');
  const model = buildRunModel(await readRunDir(dir));
  t.is(model.points.length, 2);
  const text = messages(model);
  t.regex(
    text,
    /events\.ndjson: 4 line\(s\) skipped \(line \d+: expected an event object, found null; line \d+: expected an event object, found a list; line \d+: timeMs/,
  );
  t.regex(text, /nodes\.ndjson: 2 line\(s\) skipped \(line \d+: expected a node sample object, found null; line \d+: cores: not a list of objects\)/);
  // The report is written from the rest.
  const paths = await writeRunReport(dir, { outDir: join(root, 'out') });
  t.regex(await readFile(paths.summaryMdPath, 'utf8'), /p01/);
});

test('a manifest that is null, not JSON, or a folder: a warning, and the points are read all the same', async (t) => {
  const root = await tempDir(t);
  for (const [name, damage] of [
    ['null', async (d: string) => writeFile(manifestPath(d), 'null')],
    ['cut', async (d: string) => writeFile(manifestPath(d), '{"runId": "x", "sta')],
    [
      'folder',
      async (d: string) => {
        await rm(manifestPath(d));
        await mkdir(manifestPath(d));
      },
    ],
    ['missing', async (d: string) => rm(manifestPath(d))],
  ] as const) {
    const { dir } = await twoPointRun(root, name);
    await damage(dir);
    const model = buildRunModel(await readRunDir(dir));
    t.is(model.points.length, 2, name);
    t.is(model.runId, name, `${name}: the run id comes from the folder`);
    t.regex(messages(model), /manifest\.json.*(expected object|not valid JSON|a folder|missing)|missing .*manifest\.json/, name);
    t.regex(messages(model), /the run's details are unknown/, name);
  }
});

test('points/ as a file, a spec.json that is not a spec, a result.json that is null: warnings, never a TypeError', async (t) => {
  const root = await tempDir(t);
  const a = await twoPointRun(root, 'points-file');
  await rm(pointsPath(a.dir), { recursive: true });
  await writeFile(pointsPath(a.dir), 'not a folder');
  const noPoints = buildRunModel(await readRunDir(a.dir));
  t.is(noPoints.points.length, 0);
  t.regex(messages(noPoints), /points cannot be listed \(it is a file, not a folder\)/);
  await writeRunReport(a.dir, { outDir: join(root, 'out-a') });

  const b = await twoPointRun(root, 'bad-spec');
  await writeFile(pointFilePath(b.p1, 'spec'), '{"pointId": 7}');
  await writeFile(pointFilePath(b.p2, 'result'), 'null');
  const model = buildRunModel(await readRunDir(b.dir));
  t.deepEqual(
    model.points.map((p) => p.pointId),
    ['p02'],
  );
  t.regex(messages(model), /p01\/spec\.json: pointId: .*point p01 is not in this report/);
  t.regex(messages(model), /p02\/result\.json is not a point result/);
});

test('a samples file cut short, damaged, or a folder: what was readable is kept and the file is named', async (t) => {
  const root = await tempDir(t);
  const { dir, p1, p2 } = await twoPointRun(root);
  const gz = await readFile(pointFilePath(p1, 'k6Samples'));
  await writeFile(pointFilePath(p1, 'k6Samples'), Buffer.concat([gz.subarray(0, 20), Buffer.from('garbage that is not deflate at all')]));
  await rm(pointFilePath(p2, 'k6Samples'));
  await mkdir(pointFilePath(p2, 'k6Samples'));
  const model = buildRunModel(await readRunDir(dir));
  t.is(model.points.length, 2);
  t.regex(messages(model), /p01\/k6-samples\.ndjson\.gz is cut short/);
  t.regex(messages(model), /p02\/k6-samples\.ndjson\.gz cannot be read \(EISDIR\)/);
});

test('200,000 s of node samples in one point: no spread into Math.min, a report in bounded time', async (t) => {
  const root = await tempDir(t);
  const { dir, p1 } = await twoPointRun(root);
  const start = Date.UTC(2026, 10, 25, 2, 0, 0);
  const sample = (i: number): NodeSample => ({
    node: 'local',
    timeMs: start + i * 1000,
    nodeTimeMs: start + i * 1000,
    clockOffsetMs: 0,
    pointId: 'p01',
    cpuPct: 50,
    cores: [],
    load1: 1,
    memTotalKB: 1,
    memAvailableKB: 1,
    thermal: [],
    batteryTempC: null,
    throttled: false,
  });
  const lines: string[] = [];
  for (let i = 0; i < 200_000; i++) lines.push(JSON.stringify(sample(i)));
  await writeFile(pointFilePath(p1, 'nodes'), `${lines.join('\n')}\n`);
  const model = buildRunModel(await readRunDir(dir));
  t.true((model.nodeSeries[0]?.samples.length ?? 0) >= 200_000);
});

test('latencies of 1.7e308, negative counts and absurd temperatures are left out and warned about; the charts draw', async (t) => {
  const root = await tempDir(t);
  const { dir, p1 } = await twoPointRun(root);
  const t0 = Date.UTC(2026, 10, 25, 2, 0, 2);
  const lines = [
    ...Array.from({ length: 50 }, (_, i) => k6PointLine('http_req_duration', t0 + i * 10, 1.7e308, ITEM_TYPES_TAGS)),
    k6PointLine('http_reqs', t0, -5, ITEM_TYPES_TAGS),
    k6PointLine('http_req_duration', t0, -3, ITEM_TYPES_TAGS),
  ];
  await writeFile(pointFilePath(p1, 'k6Samples'), gzipSync(`${lines.join('\n')}\n`));
  await appendFile(
    pointFilePath(p1, 'nodes'),
    `${JSON.stringify({ node: 'local', timeMs: t0, cpuPct: 250, cores: [], thermal: [{ zone: 'thermal_zone0', type: 'cpu', tempC: 4000 }], batteryTempC: null })}\n`,
  );
  const model = buildRunModel(await readRunDir(dir));
  const p01 = model.points.find((p) => p.pointId === 'p01')!;
  t.is(p01.latency.count, 0, 'no latency of 1.7e308 ms is a measurement');
  t.regex(messages(model), /http_req_duration value\(s\) outside 0 ms to 1 day/);
  t.regex(messages(model), /http_reqs value\(s\) negative or not finite/);
  t.regex(messages(model), /node local cpuPct out of range in 1 sample\(s\) \(e\.g\. 250\)/);
  t.regex(messages(model), /thermal thermal_zone0 tempC out of range .*4000/);
  t.true(model.warnings.filter((w) => w.code === 'implausible').every((w) => w.pointId === 'p01'));
  for (const spec of runCharts(model).slice(0, 2)) t.true((await renderPng(spec)).length > 1000, spec.id);
});
