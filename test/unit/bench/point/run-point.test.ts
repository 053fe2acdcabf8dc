// A point's phases against the dry-run fakes: the journal's events in phase order, spec.json written
// once with the target's URLs, and the two slots (state reset, a sampler beside the node samplers)
// called where their interfaces say.
import { readFile, writeFile } from 'node:fs/promises';
import test from 'ava';
import { outcomeExitCode } from '../../../../bench/commands/options.ts';
import { parseBenchConfig } from '../../../../bench/config.ts';
import type { LoadGenerator } from '../../../../bench/load/generator.ts';
import { EXIT } from '../../../../kernel/errors.ts';
import { fakeGenerator, fakeTarget } from '../../../../bench/dry-run.ts';
import { runBench } from '../../../../bench/pipeline.ts';
import type { PointSampler, StateReset } from '../../../../bench/point/slots.ts';
import { silentLogger } from '../../../../kernel/log.ts';
import type { RunEvent } from '../../../../rundir/events.ts';
import { pointFilePath, pointPath } from '../../../../rundir/layout.ts';
import { readRecords } from '../../../../rundir/reader.ts';
import { tempDir } from '../../../helpers/temp-dir.ts';

test('prepare → sample → reset → cool down → warm up → load → persist, with both slots plugged in', async (t) => {
  const root = await tempDir(t);
  const config = parseBenchConfig({ matrix: { replicas: [1], ratesRps: [5] }, durationS: 1, warmupS: 1, pauseS: 0 }, 'test');
  const calls: string[] = [];
  const stateReset: StateReset = {
    name: 'test-reset',
    async reset(point) {
      calls.push(`reset ${point.pointId} ${point.baseUrls.join(',')}`);
    },
  };
  const shopMetrics: PointSampler = {
    name: 'shop-metrics',
    async start(point) {
      calls.push(`sampler start ${point.pointId}`);
      await writeFile(`${point.dir}/shop-metrics.ndjson`, '{"queue":0}\n');
      return { stop: async () => void calls.push('sampler stop') };
    },
  };
  const outcome = await runBench(config, {
    generator: fakeGenerator,
    target: fakeTarget(config),
    resultsRoot: root,
    logger: silentLogger,
    signal: new AbortController().signal,
    commandLine: ['test'],
    runId: 'slots',
    stateReset,
    pointSamplers: [shopMetrics],
  });
  t.is(outcome.status, 'complete');
  const [{ spec }] = outcome.points as [(typeof outcome.points)[number]];
  const dir = pointPath(outcome.runDir, spec.pointId);
  t.deepEqual(calls, [`sampler start ${spec.pointId}`, `reset ${spec.pointId} http://dry-run.invalid:5000`, 'sampler stop']);
  t.is(await readFile(`${dir}/shop-metrics.ndjson`, 'utf8'), '{"queue":0}\n', "the slot's sampler wrote its own file into the point");
  const events: RunEvent[] = [];
  for await (const event of readRecords<RunEvent>(pointFilePath(dir, 'events'))) events.push(event);
  t.deepEqual(
    events.map((e) => e.type),
    ['scale', 'converged', 'cooldown', 'warmup-start', 'warmup-end', 'load-start', 'load-end'],
  );
  t.true(events.every((e) => e.pointId === spec.pointId));
  const written = JSON.parse(await readFile(pointFilePath(dir, 'spec'), 'utf8'));
  t.is(written.baseUrl, 'http://dry-run.invalid:5000');
  t.is(JSON.parse(await readFile(pointFilePath(dir, 'result'), 'utf8')).status, 'complete');
});

test('a slot that fails fails its point, which is still written, flagged and journaled', async (t) => {
  const root = await tempDir(t);
  const config = parseBenchConfig({ matrix: { replicas: [1], ratesRps: [5] }, durationS: 1, warmupS: 0, pauseS: 0 }, 'test');
  const failing: StateReset = {
    name: 'drain',
    reset: async () => {
      throw new Error('queues never drained');
    },
  };
  const deps = {
    generator: fakeGenerator,
    target: fakeTarget(config),
    resultsRoot: root,
    logger: silentLogger,
    signal: new AbortController().signal,
    commandLine: [],
  };
  await t.throwsAsync(runBench(config, { ...deps, runId: 'failing', stateReset: failing }), { message: 'queues never drained' });
  const dir = pointPath(`${root}/failing`, 'p01-shop1-5rps-rep1');
  const result = JSON.parse(await readFile(pointFilePath(dir, 'result'), 'utf8'));
  t.is(result.status, 'failed');
  t.deepEqual(result.flags, [{ code: 'point-error', message: 'queues never drained' }]);
  const events: RunEvent[] = [];
  for await (const event of readRecords<RunEvent>(pointFilePath(dir, 'events'))) events.push(event);
  t.deepEqual(events.at(-1), { ...events.at(-1)!, type: 'error', message: 'queues never drained' });
});

test.serial('a generator that crashes or writes nothing fails its point; the run goes on and ends with exit code 3', async (t) => {
  const root = await tempDir(t);
  const config = parseBenchConfig({ matrix: { replicas: [1], ratesRps: [5, 6, 7] }, durationS: 1, warmupS: 0, pauseS: 0 }, 'test');
  let call = 0;
  // First point: exit 0 but no files; second: exit 1 (a crash) with files; third: fine.
  const generator: LoadGenerator = {
    info: fakeGenerator.info,
    async run(options) {
      call++;
      if (call === 1) return { exitCode: 0, thresholdsPassed: true, interrupted: false, durationMs: 1 };
      const result = await fakeGenerator.run(options);
      return call === 2 ? { ...result, exitCode: 1, thresholdsPassed: false } : result;
    },
  };
  const outcome = await runBench(config, {
    generator,
    target: fakeTarget(config),
    resultsRoot: root,
    logger: silentLogger,
    signal: new AbortController().signal,
    commandLine: [],
    runId: 'failing-points',
    targetHealth: false,
  });
  t.is(outcome.status, 'complete');
  t.deepEqual(
    outcome.points.map((p) => [p.result.status, p.result.flags.map((f) => f.code)]),
    [
      ['failed', ['no-load-data']],
      ['failed', ['load-failed']],
      ['complete', []],
    ],
  );
  t.is(outcome.failedPoints.length, 2);
  t.is(outcomeExitCode(outcome), EXIT.failedPoints);
  // The flag's load.log is where the point ended up, not its .partial folder.
  const loadLog = /see (\S+load\.log)/.exec(outcome.points[1]!.result.flags[0]!.message)?.[1];
  t.truthy(loadLog);
  t.false(loadLog!.includes('.partial'), loadLog);
  const manifest = JSON.parse(await readFile(`${outcome.runDir}/manifest.json`, 'utf8'));
  t.deepEqual(manifest.failedPoints, outcome.failedPoints);
  t.is(manifest.status, 'complete');
});
