import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScenarioEnv, ScenarioEnvError } from '../scenarios/lib/env.ts';
import type { BenchConfig } from './config.ts';
import { UsageError, errorMessage } from './errors.ts';
import type { LoadGenerator } from './load/generator.ts';
import type { Logger } from './log.ts';
import { gitCommit, localSnapshot, TOOL_VERSION } from './manifest.ts';
import type { SamplerHandle } from './nodes/local.ts';
import { openNdjsonWriter } from './nodes/writer.ts';
import { estimateDurationS, planPoints } from './plan.ts';
import { RunDir, newRunId } from './rundir/store.ts';
import type { Manifest, NodeSample, PointResult, PointSpec, RunEvent, RunStatus } from './rundir/types.ts';
import type { RunningShop } from './target/local-shop.ts';

/**
 * The bench, visible in one place: plan → for each point (scale → converge → warm-up → load with
 * the host sampler → persist) → report. Teardown lives in `finally`; a point is on disk the moment
 * it ends, so a crash or Ctrl-C keeps every point before it.
 */

export const SCENARIOS_DIR = fileURLToPath(new URL('../scenarios/', import.meta.url));

export interface BenchDeps {
  generator: LoadGenerator;
  resultsRoot: string;
  logger: Logger;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  startTarget(replicas: number): Promise<RunningShop>;
  startSampler(onSample: (sample: NodeSample) => void): Promise<SamplerHandle>;
  /** Writes the run's report; its failure is a warning, never a lost run. */
  writeReport?(runDir: string): Promise<{ htmlPath: string }>;
  commandLine: string[];
  /** Generator files and tags are keyed by this; tests pass a fixed one. */
  runId?: string;
}

export interface BenchOutcome {
  runDir: string;
  status: RunStatus;
  points: { spec: PointSpec; result: PointResult }[];
  reportPath: string | null;
}

/** The scenario variables of one point; checked before anything starts. */
export function pointEnv(config: BenchConfig, spec: Pick<PointSpec, 'rateRps' | 'durationS'>, baseUrl: string): Record<string, string> {
  return {
    ...config.scenarioEnv,
    BASE_URL: baseUrl,
    PROFILE: config.profile,
    RATE: String(spec.rateRps),
    DURATION: `${spec.durationS}s`,
  };
}

/** Set per point from the config; a user value would be silently overridden, so it is refused. */
export const RESERVED_SCENARIO_ENV: Record<string, string> = {
  BASE_URL: 'the target (the bench starts it)',
  PROFILE: 'profile',
  RATE: 'matrix.ratesRps',
  DURATION: 'durationS',
};

export function validateScenarioEnv(config: BenchConfig): void {
  const reserved = Object.keys(config.scenarioEnv).filter((key) => key in RESERVED_SCENARIO_ENV);
  if (reserved.length > 0) {
    throw new UsageError(reserved.map((key) => `scenario environment: ${key} is set by the bench config's ${RESERVED_SCENARIO_ENV[key]}; set it there instead`).join('\n'));
  }
  try {
    for (const rateRps of config.matrix.ratesRps) parseScenarioEnv(pointEnv(config, { rateRps, durationS: config.durationS }, 'http://127.0.0.1:1'));
  } catch (error) {
    if (error instanceof ScenarioEnvError) throw new UsageError(`scenario environment: ${error.message}`, { cause: error });
    throw error;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    if (signal.aborted || ms <= 0) return done();
    const timer = setTimeout(finish, ms);
    function finish() {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      done();
    }
    signal.addEventListener('abort', finish, { once: true });
  });
}

export async function runBench(config: BenchConfig, deps: BenchDeps): Promise<BenchOutcome> {
  const { logger, signal } = deps;
  validateScenarioEnv(config);
  const points = planPoints(config);
  const runId = deps.runId ?? newRunId();
  const manifest: Manifest = {
    schemaVersion: 1,
    toolVersion: TOOL_VERSION,
    gitCommit: await gitCommit(),
    commandLine: deps.commandLine,
    runId,
    config,
    inventory: null,
    cluster: localSnapshot(),
    images: [],
    loadGenerator: deps.generator.info,
    startedAt: new Date().toISOString(),
    endedAt: null,
    status: 'running',
    plannedPoints: points.map((p) => p.pointId),
  };
  const run = await RunDir.create(resolve(deps.resultsRoot), manifest);
  logger.info(`run ${runId}: ${points.length} points, about ${Math.ceil(estimateDurationS(config, points))} s, load by ${deps.generator.info.name} ${deps.generator.info.version}; results in ${run.dir}`);
  const done: BenchOutcome['points'] = [];
  let status: RunStatus = 'complete';
  let failure: unknown = null;
  const runStarted = Date.now();
  try {
    for (const spec of points) {
      if (signal.aborted) break;
      if (spec.index > 0 && config.cooldownS > 0) {
        logger.progress(`cooling down ${config.cooldownS} s`);
        await sleep(config.cooldownS * 1000, signal);
        if (signal.aborted) break;
      }
      const elapsedS = (Date.now() - runStarted) / 1000;
      const leftS = estimateDurationS(config, points.slice(spec.index));
      logger.info(`[${spec.index + 1}/${points.length}] ${spec.pointId}: ${spec.replicas.shop} replica(s), ${spec.rateRps} rps for ${spec.durationS} s (elapsed ${Math.round(elapsedS)} s, about ${Math.round(leftS)} s left)`);
      const result = await runPoint(config, spec, run, deps);
      done.push({ spec, result });
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
    await run.updateManifest({ status, endedAt: new Date().toISOString(), ...(failure ? { error: errorMessage(failure) } : {}) });
  }
  let reportPath: string | null = null;
  if (deps.writeReport && done.length > 0) {
    try {
      reportPath = (await deps.writeReport(run.dir)).htmlPath;
    } catch (error) {
      logger.warn(`the report could not be written (${errorMessage(error)}); every result is in ${run.dir}; rebuild it with: npm run bench -- report ${run.dir}`);
    }
  }
  if (failure) throw failure;
  return { runDir: run.dir, status, points: done, reportPath };
}

async function runPoint(config: BenchConfig, spec: PointSpec, run: RunDir, deps: BenchDeps): Promise<PointResult> {
  const { logger, signal } = deps;
  const dir = await run.startPoint(spec);
  const events = await openNdjsonWriter<RunEvent>(join(dir, 'events.ndjson'));
  const nodes = await openNdjsonWriter<NodeSample>(join(dir, 'nodes.ndjson'));
  const event = (type: string, fields: Record<string, unknown> = {}) => events.append({ timeMs: Date.now(), pointId: spec.pointId, type, ...fields });
  const result: PointResult = { pointId: spec.pointId, status: 'complete', startedAt: new Date().toISOString(), endedAt: '', loadExitCode: null, thresholdsPassed: null, flags: [] };
  let shop: RunningShop | null = null;
  let sampler: SamplerHandle | null = null;
  try {
    event('scale', { replicas: spec.replicas });
    shop = await deps.startTarget(spec.replicas.shop ?? 1);
    event('converged', { convergenceMs: Math.round(shop.readyMs), url: shop.url });
    await run.startPoint({ ...spec, baseUrl: shop.url });
    sampler = await deps.startSampler((sample) => nodes.append({ ...sample, pointId: spec.pointId }));
    if (spec.warmupS > 0) {
      event('warmup-start');
      logger.progress(`  warm-up ${spec.warmupS} s`);
      await deps.generator.run({
        script: join(SCENARIOS_DIR, config.scenario),
        env: { ...pointEnv(config, { ...spec, durationS: spec.warmupS }, shop.url), PROBE: 'off' },
        tags: { run: run.manifest.runId, point: spec.pointId, phase: 'warmup' },
        summaryPath: null, samplesPath: null, logPath: join(dir, 'load.log'), signal,
      });
      event('warmup-end');
    }
    if (!signal.aborted) {
      event('load-start', { rateRps: spec.rateRps, durationS: spec.durationS });
      const loadStarted = Date.now();
      const ticker = setInterval(() => {
        const s = Math.round((Date.now() - loadStarted) / 1000);
        logger.progress(s <= spec.durationS ? `  load ${spec.rateRps} rps: ${s}/${spec.durationS} s` : `  load ${spec.rateRps} rps: finishing in-flight requests (${s - spec.durationS} s)`);
      }, 1000);
      try {
        const load = await deps.generator.run({
          script: join(SCENARIOS_DIR, config.scenario),
          env: pointEnv(config, spec, shop.url),
          tags: { run: run.manifest.runId, point: spec.pointId },
          summaryPath: join(dir, 'k6-summary.json'), samplesPath: join(dir, 'k6-samples.ndjson.gz'), logPath: join(dir, 'load.log'), signal,
        });
        result.loadExitCode = load.exitCode;
        result.thresholdsPassed = load.thresholdsPassed;
        event('load-end', { exitCode: load.exitCode, thresholdsPassed: load.thresholdsPassed, durationMs: load.durationMs });
        if (load.interrupted) result.status = 'interrupted';
        else if (!load.thresholdsPassed && load.exitCode !== 99) {
          result.status = 'failed';
          result.flags.push({ code: 'load-failed', message: `the load generator exited with code ${load.exitCode}; see ${join(dir, 'load.log')}` });
        } else if (!load.thresholdsPassed) {
          result.flags.push({ code: 'thresholds-crossed', message: `thresholds crossed at ${spec.rateRps} rps with ${spec.replicas.shop} replica(s); k6-summary.json names them` });
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
    result.flags.push({ code: 'point-error', message: errorMessage(error) });
    event('error', { message: errorMessage(error) });
    throw error;
  } finally {
    await sampler?.stop().catch(() => undefined);
    await shop?.stop().catch(() => undefined);
    await nodes.close().catch(() => undefined);
    await events.close().catch(() => undefined);
    result.endedAt = new Date().toISOString();
    await run.finishPoint(spec, result);
  }
  return result;
}
