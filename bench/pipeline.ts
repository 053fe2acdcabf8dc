import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScenarioEnv, ScenarioEnvError } from '../scenarios/lib/env.ts';
import { k6Options, SUMMARY_TREND_STATS } from '../scenarios/lib/profiles.ts';
import type { BenchConfig } from './config.ts';
import { CooldownGate } from './cooldown.ts';
import { UsageError, errorMessage } from '../kernel/errors.ts';
import { K6_THRESHOLDS_CROSSED, type LoadGenerator, type LoadRunOptions, type LoadRunResult } from './load/generator.ts';
import { mergeGeneratorFiles } from './load/merge.ts';
import type { Logger } from '../kernel/log.ts';
import { gitCommit, TOOL_VERSION } from './manifest.ts';
import type { SamplerHandle } from './nodes/local.ts';
import { createNodeRecorder, type NodeRecorder } from './nodes/sample-writer.ts';
import { openNdjsonWriter } from '../rundir/ndjson.ts';
import { estimateDurationS, planPoints } from './plan.ts';
import { RunDir, newRunId } from '../rundir/writer.ts';
import { writeJsonAtomic } from '../kernel/files.ts';
import { sleep } from '../kernel/sleep.ts';
import type { Manifest, NodeSample, PointResult, PointSpec, RunEvent, RunStatus } from '../rundir/types.ts';
import { describeSinkReport, type InfluxSink } from './influx/client.ts';
import type { PreparedPoint, Target } from './target/target.ts';

/**
 * The bench, visible in one place: plan → for each point (scale → converge → cooldown gate →
 * warm-up → load with the node samplers → persist) → restore → report. Teardown lives in
 * `finally`; a point is on disk the moment it ends, so a crash or Ctrl-C keeps every point before it.
 */

export const SCENARIOS_DIR = fileURLToPath(new URL('../scenarios/', import.meta.url));

/** Samples come once a second; this long without one marks a node lost (a gap in its series). */
export const NODE_SILENCE_MS = 3500;

export interface BenchDeps {
  generator: LoadGenerator;
  target: Target;
  resultsRoot: string;
  logger: Logger;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** The run's InfluxDB copy (node samples live, k6 samples at each point's end); null for none. */
  sink?: InfluxSink | null;
  /** Writes the run's report; its failure is a warning, never a lost run. */
  writeReport?(runDir: string): Promise<{ htmlPath: string }>;
  commandLine: string[];
  /** Tests pass a fixed one. */
  runId?: string;
  /** Resume this run: points already complete are kept and skipped. */
  resume?: RunDir;
  /** Generators on other machines that share each point's load with `generator`. */
  remoteGenerators?: { name: string; generator: LoadGenerator }[];
}

export interface BenchOutcome {
  runDir: string;
  status: RunStatus;
  /** The points run by this invocation (a resume runs only what was left). */
  points: { spec: PointSpec; result: PointResult }[];
  reportPath: string | null;
}

/** Set per point from the config; a user value would be silently overridden, so it is refused. */
export const RESERVED_SCENARIO_ENV: Record<string, string> = {
  BASE_URL: 'target (the bench finds the gateways)',
  PROFILE: 'profile',
  RATE: 'matrix.ratesRps',
  DURATION: 'durationS',
};

/** The scenario variables of one point; checked before anything starts. */
export function pointEnv(config: BenchConfig, spec: Pick<PointSpec, 'rateRps' | 'durationS'>, baseUrls: string[]): Record<string, string> {
  return { ...config.scenarioEnv, BASE_URL: baseUrls.join(','), PROFILE: config.profile, RATE: String(spec.rateRps), DURATION: `${spec.durationS}s` };
}

export function validateScenarioEnv(config: BenchConfig): void {
  const reserved = Object.keys(config.scenarioEnv).filter((key) => key in RESERVED_SCENARIO_ENV);
  if (reserved.length > 0) {
    throw new UsageError(
      reserved.map((key) => `scenario environment: ${key} is set by the bench config's ${RESERVED_SCENARIO_ENV[key]}; set it there instead`).join('\n'),
    );
  }
  try {
    for (const rateRps of config.matrix.ratesRps) parseScenarioEnv(pointEnv(config, { rateRps, durationS: config.durationS }, ['http://127.0.0.1:1']));
  } catch (error) {
    if (error instanceof ScenarioEnvError) throw new UsageError(`scenario environment: ${error.message}`, { cause: error });
    throw error;
  }
}

async function openRun(config: BenchConfig, points: PointSpec[], deps: BenchDeps): Promise<RunDir> {
  const described = await deps.target.describe();
  if (deps.resume) {
    await deps.resume.updateManifest({ status: 'running', endedAt: null, resumes: [...(deps.resume.manifest.resumes ?? []), new Date().toISOString()] });
    return deps.resume;
  }
  const runId = deps.runId ?? newRunId();
  const manifest: Manifest = {
    schemaVersion: 1,
    toolVersion: TOOL_VERSION,
    gitCommit: await gitCommit(),
    commandLine: deps.commandLine,
    runId,
    config,
    inventory: described.inventory,
    cluster: described.cluster,
    images: described.images,
    loadGenerator: deps.generator.info,
    startedAt: new Date().toISOString(),
    endedAt: null,
    status: 'running',
    plannedPoints: points.map((p) => p.pointId),
  };
  return RunDir.create(deps.resultsRoot, manifest);
}

export async function runBench(config: BenchConfig, deps: BenchDeps): Promise<BenchOutcome> {
  const { logger, signal, target } = deps;
  validateScenarioEnv(config);
  const planned = planPoints(config);
  let run: RunDir | null = null;
  const done: BenchOutcome['points'] = [];
  let status: RunStatus = 'complete';
  let failure: unknown = null;
  try {
    run = await openRun(config, planned, deps);
    const finished = deps.resume ? await run.completedPoints() : new Set<string>();
    const points = planned.filter((p) => !finished.has(p.pointId));
    const runId = run.manifest.runId;
    logger.info(
      `run ${runId}: ${points.length} point(s)${finished.size ? ` left of ${planned.length}` : ''}, about ${Math.ceil(estimateDurationS(config, points))} s, load by ${deps.generator.info.name} ${deps.generator.info.version}; results in ${run.dir}`,
    );
    const recorder = createNodeRecorder({ runDir: run.dir, runId, sink: deps.sink });
    const runStarted = Date.now();
    for (const [i, spec] of points.entries()) {
      if (signal.aborted) break;
      const leftS = estimateDurationS(config, points.slice(i));
      logger.info(
        `[${i + 1}/${points.length}] ${spec.pointId}: replicas ${JSON.stringify(spec.replicas)}, ${spec.rateRps} rps for ${spec.durationS} s (elapsed ${Math.round((Date.now() - runStarted) / 1000)} s, about ${Math.round(leftS)} s left)`,
      );
      const result = await runPoint(config, spec, run, recorder, deps, i > 0);
      done.push({ spec, result });
      await deps.sink?.addK6Samples(run.dir, runId, spec.pointId);
      if (result.status === 'interrupted') status = 'interrupted';
      if (result.status === 'failed') {
        status = 'failed';
        break;
      }
    }
    if (signal.aborted) status = 'interrupted';
  } catch (error) {
    status = 'failed';
    failure = error;
  } finally {
    logger.done();
    // Replicas back to the stack's declared counts, even after Ctrl-C or a failure.
    await target.close().catch((error: unknown) => logger.warn(`could not restore the target: ${errorMessage(error)}`));
    const sinkReport = await deps.sink?.close();
    if (run) {
      const missing = sinkReport && describeSinkReport(sinkReport, run.dir);
      if (missing) logger.warn(missing);
      await run.updateManifest({ status, endedAt: new Date().toISOString(), ...(failure ? { error: errorMessage(failure) } : {}) });
    }
  }
  if (!run) throw failure;
  let reportPath: string | null = null;
  if (deps.writeReport && (done.length > 0 || deps.resume)) {
    try {
      reportPath = (await deps.writeReport(run.dir)).htmlPath;
    } catch (error) {
      logger.warn(
        `the report could not be written (${errorMessage(error)}); every result is in ${run.dir}; rebuild it with: npm run bench -- report ${run.dir}`,
      );
    }
  }
  if (failure) throw failure;
  return { runDir: run.dir, status, points: done, reportPath };
}

/** Waits for the cooldown gate, fed by the point's node samples; returns how long it took. */
async function coolDown(
  config: BenchConfig,
  gate: CooldownGate,
  deps: BenchDeps,
  pause: boolean,
): Promise<{ waitedMs: number; timedOut: boolean; hottest: { node: string; tempC: number } | null }> {
  const started = Date.now();
  if (pause && config.cooldownS > 0) {
    deps.logger.progress(`  cooling down ${config.cooldownS} s`);
    await sleep(config.cooldownS * 1000, deps.signal);
  }
  const since = Date.now();
  for (;;) {
    const verdict = gate.verdict(since);
    if (verdict.open || deps.signal.aborted) return { waitedMs: Date.now() - started, timedOut: false, hottest: null };
    const waitedS = (Date.now() - since) / 1000;
    if (waitedS >= config.cooldown.maxWaitS) return { waitedMs: Date.now() - started, timedOut: true, hottest: verdict.hottest };
    deps.logger.progress(
      verdict.hottest
        ? `  waiting for ${verdict.hottest.node} to cool below ${config.cooldown.maxTempC} °C (now ${verdict.hottest.tempC} °C, ${Math.round(waitedS)}/${config.cooldown.maxWaitS} s)`
        : `  waiting for node samples from ${verdict.waitingFor.join(', ')}`,
    );
    await sleep(250, deps.signal);
  }
}

/**
 * The measured load of a point. With extra generators each runs an equal execution segment at the
 * same time, into generators/<name>/, tagged `generator`; their files are then merged into the
 * point's k6-summary.json and k6-samples.ndjson.gz.
 */
async function runLoad(deps: BenchDeps, options: LoadRunOptions): Promise<LoadRunResult> {
  const extras = deps.remoteGenerators ?? [];
  if (extras.length === 0 || !options.summaryPath || !options.samplesPath) return deps.generator.run(options);
  const all = [{ name: 'local', generator: deps.generator }, ...extras];
  const pointDir = dirname(options.summaryPath);
  const parts = await Promise.all(
    all.map(async ({ name, generator }, i) => {
      const dir = join(pointDir, 'generators', name);
      await mkdir(dir, { recursive: true });
      const files = { summaryPath: join(dir, 'k6-summary.json'), samplesPath: join(dir, 'k6-samples.ndjson.gz') };
      const result = await generator.run({
        ...options,
        ...files,
        logPath: join(dir, 'load.log'),
        tags: { ...options.tags, generator: name },
        segment: `${i}/${all.length}:${i + 1}/${all.length}`,
      });
      return { files, result };
    }),
  );
  const thresholds = k6Options(parseScenarioEnv(options.env)).thresholds;
  const merged = await mergeGeneratorFiles(
    parts.map((p) => p.files),
    { summaryPath: options.summaryPath, samplesPath: options.samplesPath },
    thresholds,
    SUMMARY_TREND_STATS,
  );
  const crashed = parts.find((p) => p.result.exitCode !== 0 && p.result.exitCode !== K6_THRESHOLDS_CROSSED && !p.result.interrupted);
  return {
    exitCode: crashed ? crashed.result.exitCode : merged.thresholdsPassed ? 0 : K6_THRESHOLDS_CROSSED,
    thresholdsPassed: !crashed && merged.thresholdsPassed,
    interrupted: parts.some((p) => p.result.interrupted),
    durationMs: Math.max(...parts.map((p) => p.result.durationMs)),
  };
}

async function runPoint(config: BenchConfig, spec: PointSpec, run: RunDir, recorder: NodeRecorder, deps: BenchDeps, pause: boolean): Promise<PointResult> {
  const { logger, signal, target } = deps;
  const dir = await run.startPoint(spec);
  const events = await openNdjsonWriter<RunEvent>(join(dir, 'events.ndjson'));
  await recorder.beginPoint(spec.pointId, dir);
  const event = (type: string, fields: Record<string, unknown> = {}) => events.append({ timeMs: Date.now(), pointId: spec.pointId, type, ...fields });
  const result: PointResult = {
    pointId: spec.pointId,
    status: 'complete',
    startedAt: new Date().toISOString(),
    endedAt: '',
    loadExitCode: null,
    thresholdsPassed: null,
    flags: [],
  };
  const flag = (code: string, message: string) => {
    if (!result.flags.some((f) => f.code === code)) result.flags.push({ code, message });
  };
  const gate = new CooldownGate(target.nodeNames(), config.cooldown.maxTempC);
  const throttled = new Set<string>();
  // A node whose samples stop for a few intervals is lost, whatever the transport says: the gap
  // in its series is marked with node-lost and node-back events, and the point is flagged.
  const lastSampleMs = new Map<string, number>();
  const silent = new Set<string>();
  const nodeLost = (node: string, fields: Record<string, unknown>) => {
    event('node-lost', { node, ...fields });
    flag('node-lost', `node ${node} was lost during the point; its samples have a gap (see events.ndjson)`);
    logger.warn(`${spec.pointId}: node ${node} lost`);
  };
  const watchdog = setInterval(() => {
    const now = Date.now();
    for (const [node, last] of lastSampleMs) {
      if (!silent.has(node) && now - last > NODE_SILENCE_MS) {
        silent.add(node);
        nodeLost(node, { lastSampleMs: last, reason: `no sample for ${NODE_SILENCE_MS / 1000} s` });
      }
    }
  }, 500);
  let prepared: PreparedPoint | null = null;
  let sampler: SamplerHandle | null = null;
  try {
    event('scale', { replicas: spec.replicas });
    logger.progress(`  scaling to ${JSON.stringify(spec.replicas)}`);
    prepared = await target.prepare(spec);
    event('converged', { convergenceMs: prepared.convergenceMs, baseUrls: prepared.baseUrls });
    await writeJsonAtomic(join(dir, 'spec.json'), { ...spec, baseUrl: prepared.baseUrls.join(',') });
    sampler = await target.startSampler(
      (sample: NodeSample) => {
        recorder.record(sample);
        gate.update(sample);
        if (silent.delete(sample.node)) event('node-back', { node: sample.node, gapMs: Date.now() - (lastSampleMs.get(sample.node) ?? Date.now()) });
        lastSampleMs.set(sample.node, Date.now());
        if (sample.throttled && !throttled.has(sample.node)) {
          throttled.add(sample.node);
          event('throttling', { node: sample.node, cpuPct: sample.cpuPct });
        }
      },
      (connection) => {
        const node = String(connection.node);
        if (connection.type === 'node-lost') {
          if (!silent.has(node)) {
            silent.add(node);
            nodeLost(node, { reason: String(connection.message ?? 'connection lost') });
          }
        } else if (connection.type !== 'node-back') events.append({ ...connection, pointId: spec.pointId });
      },
    );
    const cooled = await coolDown(config, gate, deps, pause);
    event('cooldown', {
      waitedMs: cooled.waitedMs,
      timedOut: cooled.timedOut,
      maxTempC: config.cooldown.maxTempC,
      ...(cooled.hottest ? { hottest: cooled.hottest } : {}),
    });
    if (cooled.timedOut && cooled.hottest) {
      flag(
        'cooldown-timeout',
        `node ${cooled.hottest.node} was still at ${cooled.hottest.tempC} °C (limit ${config.cooldown.maxTempC} °C) after ${config.cooldown.maxWaitS} s; its results may reflect heat`,
      );
    }
    const script = join(SCENARIOS_DIR, config.scenario);
    if (spec.warmupS > 0 && !signal.aborted) {
      event('warmup-start');
      logger.progress(`  warm-up ${spec.warmupS} s`);
      await deps.generator.run({
        script,
        env: { ...pointEnv(config, { ...spec, durationS: spec.warmupS }, prepared.baseUrls), PROBE: 'off' },
        tags: { run: run.manifest.runId, point: spec.pointId, phase: 'warmup' },
        summaryPath: null,
        samplesPath: null,
        logPath: join(dir, 'load.log'),
        signal,
      });
      event('warmup-end');
    }
    if (!signal.aborted) {
      event('load-start', { rateRps: spec.rateRps, durationS: spec.durationS });
      const loadStarted = Date.now();
      const ticker = setInterval(() => {
        const s = Math.round((Date.now() - loadStarted) / 1000);
        logger.progress(
          s <= spec.durationS
            ? `  load ${spec.rateRps} rps: ${s}/${spec.durationS} s`
            : `  load ${spec.rateRps} rps: finishing in-flight requests (${s - spec.durationS} s)`,
        );
      }, 1000);
      try {
        const load = await runLoad(deps, {
          script,
          env: pointEnv(config, spec, prepared.baseUrls),
          tags: { run: run.manifest.runId, point: spec.pointId },
          summaryPath: join(dir, 'k6-summary.json'),
          samplesPath: join(dir, 'k6-samples.ndjson.gz'),
          logPath: join(dir, 'load.log'),
          signal,
        });
        result.loadExitCode = load.exitCode;
        result.thresholdsPassed = load.thresholdsPassed;
        event('load-end', { exitCode: load.exitCode, thresholdsPassed: load.thresholdsPassed, durationMs: load.durationMs });
        if (load.interrupted) result.status = 'interrupted';
        else if (!load.thresholdsPassed && load.exitCode !== 99) {
          result.status = 'failed';
          flag('load-failed', `the load generator exited with code ${load.exitCode}; see ${join(dir, 'load.log')}`);
        } else if (!load.thresholdsPassed) {
          flag('thresholds-crossed', `thresholds crossed at ${spec.rateRps} rps with replicas ${JSON.stringify(spec.replicas)}; k6-summary.json names them`);
          logger.warn(`${spec.pointId}: thresholds crossed (a result, not an error)`);
        }
      } finally {
        clearInterval(ticker);
        logger.done();
      }
    }
    if (signal.aborted) {
      result.status = 'interrupted';
      event('interrupted');
    }
  } catch (error) {
    result.status = 'failed';
    flag('point-error', errorMessage(error));
    event('error', { message: errorMessage(error) });
    throw error;
  } finally {
    clearInterval(watchdog);
    await sampler?.stop().catch(() => undefined);
    await prepared?.release().catch(() => undefined);
    await recorder.endPoint().catch(() => undefined);
    await events.close().catch(() => undefined);
    result.endedAt = new Date().toISOString();
    await run.finishPoint(spec, result);
  }
  return result;
}
