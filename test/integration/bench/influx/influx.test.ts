// The InfluxDB copy against a real influxd (test/helpers/influxd.ts): the embedded default's host
// samples and k6 samples land under the run's tag; influxd stopped mid-run loses nothing, and
// `bench backfill` restores it.
import test from 'ava';
import { Command } from 'commander';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../../kernel/cli.ts';
import { backfillCommand } from '../../../../bench/commands/backfill.ts';
import { startLocalSampler } from '../../../../bench/nodes/local.ts';
import { createSampleWriter, type SampleWriter } from '../../../../bench/nodes/sample-writer.ts';
import { openInflux, parseInfluxUrl } from '../../../../bench/influx/client.ts';
import { createInfluxSink, describeSinkReport, type InfluxSink } from '../../../../bench/influx/sink.ts';
import { pointFilePath, pointPath } from '../../../../rundir/layout.ts';
import { startInfluxd, type TestInfluxd } from '../../../helpers/influxd.ts';
import { writeK6Samples } from '../../../helpers/k6-samples.ts';
import { waitFor } from '../../../helpers/poll.ts';
import { requireBinary } from '../../../helpers/binaries.ts';
import { fixturePath } from '../../../helpers/fixtures.ts';

let influxd: TestInfluxd;
test.before(async () => {
  influxd = await startInfluxd();
});
test.after.always(async () => {
  await influxd?.stop();
});

async function tempRunDir(t: { teardown(fn: () => Promise<void>): void }, runId: string): Promise<string> {
  const parent = await mkdtemp(join(tmpdir(), 'cloudlet-run-'));
  t.teardown(() => rm(parent, { recursive: true, force: true }));
  return join(parent, runId);
}

/** What the pipeline does for one point: host samples into the run dir and the sink, then k6 samples. */
async function runPoint(
  recorder: SampleWriter,
  sink: InfluxSink,
  runDir: string,
  runId: string,
  pointId: string,
  samples: number,
  withPhone = false,
): Promise<number> {
  await recorder.beginPoint(pointId, pointFilePath(pointPath(runDir, pointId), 'nodes'));
  const handles = [await startLocalSampler({ node: 'local', intervalMs: 50, onSample: (s) => recorder.record(s) })];
  if (withPhone) {
    // A phone-like node beside the host: the fixture tree gives thermal zones, cpufreq and a battery.
    const phone = fixturePath('nodes', 'pixel4');
    handles.push(
      await startLocalSampler({
        node: 'pixel-fixture',
        intervalMs: 50,
        shell: [requireBinary('busybox', 'busybox'), 'sh'],
        procRoot: join(phone, 'proc'),
        sysRoot: join(phone, 'sys'),
        onSample: (s) => recorder.record(s),
      }),
    );
  }
  await waitFor(`${samples} samples`, () => recorder.count >= samples * handles.length);
  await Promise.all(handles.map((h) => h.stop()));
  await recorder.endPoint();
  const k6Points = await writeK6Samples(join(runDir, 'points', pointId, 'k6-samples.ndjson.gz'), {
    startMs: Date.now() - 1000,
    count: 40,
    tags: { run: runId },
  });
  await sink.addK6Samples(pointPath(runDir, pointId), runId, pointId);
  return k6Points;
}

async function count(measurement: string, field: string, runId: string, pointId?: string): Promise<number> {
  const where = pointId ? ` AND point = '${pointId}'` : '';
  const rows = await influxd.query(`SELECT count("${field}") FROM "${measurement}" WHERE run = '${runId}'${where}`);
  return Number(rows[0]?.count ?? 0);
}

async function lines(path: string): Promise<number> {
  return (await readFile(path, 'utf8')).trim().split('\n').length;
}

async function backfill(runDir: string, ...flags: string[]): Promise<{ exitCode: number; stdout: string }> {
  let stdout = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => {
    stdout += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    await runCli(new Command('bench').addCommand(backfillCommand()), ['node', 'bench', 'backfill', runDir, '--quiet', ...flags]);
  } finally {
    process.stdout.write = write;
  }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { exitCode, stdout };
}

test.serial('the embedded default: host samples in the run directory, host and k6 series in InfluxDB under the run tag', async (t) => {
  const runId = 'run-embedded';
  const runDir = await tempRunDir(t, runId);
  const sink = createInfluxSink(openInflux(parseInfluxUrl(influxd.url)));
  const recorder = createSampleWriter({ runId, sink });
  const k6Points = await runPoint(recorder, sink, runDir, runId, 'p01', 3, true);
  const report = await sink.close();
  t.is(report.missing, 0, report.errors.join('; '));
  t.is(describeSinkReport(report, runDir), null);

  const nodeLines = await lines(join(runDir, 'points/p01/nodes.ndjson'));
  t.true(nodeLines >= 3);
  // Both samplers append to the one file, in whatever order their records arrive.
  const samples = (await readFile(join(runDir, 'points/p01/nodes.ndjson'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { pointId: string; node: string });
  t.true(samples.every((s) => s.pointId === 'p01'));
  t.deepEqual([...new Set(samples.map((s) => s.node))].sort(), ['local', 'pixel-fixture']);
  t.is(await count('node', 'load1', runId, 'p01'), nodeLines);
  t.true((await count('node_thermal', 'tempC', runId, 'p01')) > 0);
  t.true((await count('node_cpu', 'online', runId, 'p01')) >= nodeLines);
  t.is((await count('http_reqs', 'value', runId, 'p01')) + (await count('http_req_duration', 'value', runId, 'p01')), k6Points);
  // k6's schema: url, vu and iter are fields, the rest tags.
  const [row] = await influxd.query(`SELECT "value", "url", "vu", "status" FROM "http_req_duration" WHERE run = '${runId}' LIMIT 1`);
  t.like(row, { status: '200' });
  t.regex(String(row?.url), /item-types/);

  // Every query of the Grafana dashboard runs against this data; those with data here return rows.
  const dashboard = JSON.parse(await readFile(new URL('../../../../grafana/cloudlet-bench.json', import.meta.url), 'utf8')) as {
    panels: { title: string; targets?: { query: string }[] }[];
  };
  const withRows: string[] = [];
  for (const panel of dashboard.panels) {
    for (const target of panel.targets ?? []) {
      const influxql = target.query
        .replaceAll('$timeFilter', 'time > now() - 1h')
        .replaceAll('$__interval_ms', '1000')
        .replaceAll('$__interval', '1s')
        .replaceAll('$run', runId)
        .replaceAll('$node', '.*');
      if ((await influxd.query(influxql)).length > 0) withRows.push(panel.title);
    }
  }
  for (const title of [
    'Request rate',
    'Latency p50 / p95 / p99',
    'CPU busy per node',
    'CPU busy per core',
    'CPU frequency per core',
    'Throttling',
    'Thermal zones',
    'Battery temperature',
    'Load average (1 min)',
    'Memory available',
  ]) {
    t.true(withRows.includes(title), `dashboard panel "${title}" shows data`);
  }
});

test.serial('influxd stopped mid-run: the run goes on and loses nothing; backfill restores InfluxDB, idempotently', async (t) => {
  const runId = 'run-outage';
  const runDir = await tempRunDir(t, runId);
  const sink = createInfluxSink(openInflux(parseInfluxUrl(influxd.url), { timeoutMs: 2000 }));
  const recorder = createSampleWriter({ runId, sink });

  const k6p1 = await runPoint(recorder, sink, runDir, runId, 'p01', 2);
  t.is(sink.report().missing, 0);

  await influxd.kill();
  const k6p2 = await runPoint(recorder, sink, runDir, runId, 'p02', 2);
  const report = await sink.close();
  t.true(report.missing > 0, 'the sink knows what InfluxDB missed');
  t.regex(describeSinkReport(report, runDir)!, /InfluxDB is missing \d+ points .*ECONNREFUSED.*backfill/);

  // The run directory has every sample of both points.
  const nodesP1 = await lines(join(runDir, 'points/p01/nodes.ndjson'));
  const nodesP2 = await lines(join(runDir, 'points/p02/nodes.ndjson'));
  t.true(nodesP2 >= 2);

  await influxd.start();
  t.is(await count('node', 'load1', runId, 'p01'), nodesP1, 'written before the outage');
  t.is(await count('node', 'load1', runId, 'p02'), 0, 'missed during the outage');

  for (let i = 0; i < 2; i++) {
    const result = await backfill(runDir, '--influx-url', influxd.url);
    t.is(result.exitCode, 0);
    t.regex(result.stdout, /backfilled run run-outage: 2 points/);
  }
  t.is(await count('node', 'load1', runId, 'p01'), nodesP1);
  t.is(await count('node', 'load1', runId, 'p02'), nodesP2);
  t.is((await count('http_reqs', 'value', runId)) + (await count('http_req_duration', 'value', runId)), k6p1 + k6p2, 'every k6 sample once, none twice');
});

test.serial('a sink keeps what failed and writes it when InfluxDB comes back during the run', async (t) => {
  const runId = 'run-blip';
  const runDir = await tempRunDir(t, runId);
  const sink = createInfluxSink(openInflux(parseInfluxUrl(influxd.url), { timeoutMs: 2000 }));
  await influxd.kill();
  const k6 = await writeK6Samples(join(runDir, 'points/p01/k6-samples.ndjson.gz'), { startMs: Date.now(), count: 10 });
  t.is((await sink.addK6Samples(pointPath(runDir, 'p01'), runId, 'p01')).missing, k6);
  await influxd.start();
  const report = await sink.close();
  t.is(report.missing, 0);
  t.is(report.written, k6);
  t.is(await count('http_reqs', 'value', runId), k6 / 2);
});

test.serial('backfill: no URL, a bad URL, a missing run dir and a down server each exit 2 with one line', async (t) => {
  const runDir = await tempRunDir(t, 'run-cli');
  const saved = process.env.CLOUDLET_INFLUX_URL;
  delete process.env.CLOUDLET_INFLUX_URL;
  t.teardown(() => {
    if (saved !== undefined) process.env.CLOUDLET_INFLUX_URL = saved;
  });
  const stderr: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => {
    stderr.push(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    t.is((await backfill(runDir)).exitCode, 2);
    t.is((await backfill(runDir, '--influx-url', 'http://127.0.0.1:1')).exitCode, 2);
    t.is((await backfill(join(runDir, 'nope'), '--influx-url', influxd.url)).exitCode, 2);
    await writeK6Samples(join(runDir, 'points/p01/k6-samples.ndjson.gz'), { startMs: Date.now(), count: 1 });
    t.is((await backfill(runDir, '--influx-url', 'http://127.0.0.1:1/cloudlet')).exitCode, 2);
  } finally {
    process.stderr.write = write;
  }
  t.regex(stderr[0]!, /^error: backfill: no InfluxDB given; pass --influx-url/);
  t.regex(stderr[1]!, /name the database/);
  t.regex(stderr[2]!, /backfill: run .* is not a directory; give a run directory/);
  t.regex(stderr[3]!, /^error: InfluxDB at http:\/\/127\.0\.0\.1:1\/cloudlet: .*ECONNREFUSED/);
  t.is(stderr.length, 4);
});

test.serial('a server that hangs: the sink gives up after its timeout and does not retry at every flush', async (t) => {
  let connections = 0;
  const sockets: Socket[] = [];
  // Accepts and never answers, as a wedged InfluxDB or a black-holed route would.
  const silent = createServer((socket) => {
    connections++;
    sockets.push(socket);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    silent.close();
  });
  const port = (silent.address() as AddressInfo).port;
  const sink = createInfluxSink(openInflux(parseInfluxUrl(`http://127.0.0.1:${port}/cloudlet`), { timeoutMs: 200 }));
  sink.addPoints([{ measurement: 'm', tags: { run: 'r' }, fields: { value: 1 }, timestamp: '1' }]);
  const first = await sink.flush();
  t.is(first.missing, 1);
  t.regex(first.errors[0]!, /InfluxDB at http:\/\/127\.0\.0\.1:\d+\/cloudlet/);
  const tried = connections;
  for (let i = 0; i < 5; i++) await sink.flush();
  t.is(connections, tried, 'no new attempt while the retry time has not come');
  t.is((await sink.close()).missing, 1);
  t.true(connections > tried, 'close() tries once more');
});
