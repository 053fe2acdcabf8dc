import { stat } from 'node:fs/promises';
import { errorMessage } from '../../kernel/errors.ts';
import { OutputError } from '../../kernel/files.ts';
import { sleep } from '../../kernel/sleep.ts';
import { K6_EXIT } from '../../rundir/k6.ts';
import { POINT_FILES } from '../../rundir/layout.ts';
import type { PointResult, PointSpec } from '../../rundir/types.ts';
import type { PointWriter, RunDir } from '../../rundir/writer.ts';
import type { BenchConfig } from '../config.ts';
import { CooldownGate } from '../cooldown.ts';
import type { LoadGenerator } from '../load/generator.ts';
import { runSplitLoad } from '../load/split.ts';
import { startSamplers } from '../nodes/group.ts';
import type { SamplerHandle } from '../nodes/local.ts';
import type { SampleWriter } from '../nodes/sample-writer.ts';
import type { BenchDeps } from '../pipeline.ts';
import { generatorBehind } from '../load/behind.ts';
import { pointEnv, scriptPath, warmupEnv } from '../scenario-env.ts';
import type { PreparedPoint } from '../target/target.ts';
import { PointEmitter } from './emitter.ts';
import { journal } from './journal.ts';
import { nodeHealth } from './node-health.ts';
import { noStateReset, type PointSlotContext } from './slots.ts';
import { type TargetWatch, watchTarget } from './target-health.ts';

/**
 * One point, as its phases:
 *
 *   prepare    scale to the point's replica counts and wait for convergence (the target)
 *   sample     start every node's sampler, and any sampler beside them (slot: BenchDeps.pointSamplers)
 *   reset      the per-point state reset or drain (slot: BenchDeps.stateReset; none by default)
 *   cool down  the pause between points, then the cooldown gate (every node below cooldown.maxTempC)
 *   warm up    the load at the point's rate for warmupS, excluded from results
 *   load       the measured window, split over every generator
 *   persist    stop the samplers, let go of the target, write spec.json and result.json, commit the folder
 *
 * The phases only act and emit (./emitter.ts); the journal (events, flags) and node health (silent
 * and throttled nodes) are observers. A point is on disk the moment it ends, whatever happened.
 */

interface PointRun {
  config: BenchConfig;
  spec: PointSpec;
  deps: BenchDeps;
  point: PointWriter;
  emit: PointEmitter;
  result: PointResult;
  /** Pause before the gate: every point but the first. */
  pause: boolean;
}

export async function runPoint(
  config: BenchConfig,
  spec: PointSpec,
  run: RunDir,
  samples: SampleWriter,
  deps: BenchDeps,
  pause: boolean,
): Promise<PointResult> {
  const { logger, signal, target } = deps;
  const point = await run.startPoint(spec.pointId);
  await samples.beginPoint(spec.pointId, point.path('nodes'));
  const result: PointResult = {
    pointId: spec.pointId,
    status: 'complete',
    startedAt: new Date().toISOString(),
    endedAt: '',
    loadExitCode: null,
    thresholdsPassed: null,
    flags: [],
  };
  const gate = new CooldownGate(target.nodeNames(), config.cooldown.maxTempC);
  const emit = new PointEmitter();
  emit.observe(
    journal(point, result),
    { onSample: (sample) => samples.record(sample) },
    { onSample: (sample) => gate.update(sample) },
    nodeHealth(emit, spec.pointId, logger),
  );
  const ctx: PointRun = { config, spec, deps, point, emit, result, pause };
  let prepared: PreparedPoint | null = null;
  let sampling: SamplerHandle | null = null;
  let watch: TargetWatch | null = null;
  try {
    prepared = await prepare(ctx);
    const slot: PointSlotContext = {
      runId: point.runId,
      pointId: spec.pointId,
      dir: point.dir,
      baseUrls: prepared.baseUrls,
      logger,
      signal,
      event: (body) => emit.event(body),
      flag: (code, message) => emit.flag(code, message),
    };
    sampling = await sample(ctx, slot);
    const state = deps.stateReset ?? noStateReset;
    const start = await state.reset(slot);
    if (start) emit.event({ type: 'shop-state', at: 'start', state: start });
    if (start || state.mode !== 'none') result.state = { mode: state.mode, start, end: null };
    await coolDown(ctx, gate);
    if (!signal.aborted && deps.targetHealth !== false) watch = watchTarget(prepared.baseUrls, emit, deps.targetHealth);
    if (!signal.aborted) await warmUp(ctx, prepared.baseUrls);
    if (!signal.aborted) await load(ctx, prepared.baseUrls);
    watch?.stop();
    if (result.state) {
      const end = await state.snapshot(slot);
      result.state.end = end;
      if (end) emit.event({ type: 'shop-state', at: 'end', state: end });
    }
    // Requests to a target that was down failed fast: the point measured an outage.
    if (watch && watch.wentDown.length > 0) result.status = 'failed';
    if (signal.aborted) {
      result.status = 'interrupted';
      emit.event({
        type: 'interrupted',
        ...(typeof signal.reason === 'string' ? { signal: signal.reason } : {}),
        ...(deps.force?.aborted ? { forced: true } : {}),
      });
    }
  } catch (error) {
    result.status = 'failed';
    emit.flag('point-error', errorMessage(error));
    emit.event({ type: 'error', message: errorMessage(error) });
    throw error;
  } finally {
    watch?.stop();
    await persist(ctx, samples, sampling, prepared);
  }
  return result;
}

async function prepare({ spec, deps, emit }: PointRun): Promise<PreparedPoint> {
  emit.event({ type: 'scale', replicas: spec.replicas });
  deps.logger.progress(`  scaling to ${JSON.stringify(spec.replicas)}`);
  const prepared = await deps.target.prepare(spec);
  emit.event({ type: 'converged', convergenceMs: prepared.convergenceMs, baseUrls: prepared.baseUrls });
  return prepared;
}

/** The node samplers and the samplers beside them start together, all or none. */
async function sample({ deps, emit }: PointRun, slot: PointSlotContext): Promise<SamplerHandle> {
  return startSamplers([
    () =>
      deps.target.startSampler(
        (sample) => emit.sample(sample),
        (event) => emit.samplerEvent(event),
      ),
    ...(deps.pointSamplers ?? []).map((sampler) => () => sampler.start(slot)),
  ]);
}

/** The pause between points, then the gate, fed by the point's node samples. */
async function coolDown({ config, deps, emit, pause }: PointRun, gate: CooldownGate): Promise<void> {
  const { logger, signal } = deps;
  const started = Date.now();
  if (pause && config.pauseS > 0) {
    logger.progress(`  pausing ${config.pauseS} s between points`);
    await sleep(config.pauseS * 1000, signal);
  }
  const since = Date.now();
  const { maxTempC, maxWaitS } = config.cooldown;
  for (;;) {
    const verdict = gate.verdict(since);
    const waitedS = (Date.now() - since) / 1000;
    const timedOut = !verdict.open && !signal.aborted && waitedS >= maxWaitS;
    if (verdict.open || signal.aborted || timedOut) {
      const hottest = timedOut ? verdict.hottest : null;
      emit.event({ type: 'cooldown', waitedMs: Date.now() - started, timedOut, maxTempC, ...(hottest ? { hottest } : {}) });
      if (hottest) {
        emit.flag(
          'cooldown-timeout',
          `node ${hottest.node} was still at ${hottest.tempC} °C (limit ${maxTempC} °C) after ${maxWaitS} s; its results may reflect heat`,
        );
      }
      return;
    }
    logger.progress(
      verdict.hottest
        ? `  waiting for ${verdict.hottest.node} to cool below ${maxTempC} °C (now ${verdict.hottest.tempC} °C, ${Math.round(waitedS)}/${maxWaitS} s)`
        : `  waiting for node samples from ${verdict.waitingFor.join(', ')}`,
    );
    await sleep(250, signal);
  }
}

async function warmUp({ config, spec, deps, point, emit, result }: PointRun, baseUrls: string[]): Promise<void> {
  if (spec.warmupS <= 0) return;
  emit.event({ type: 'warmup-start' });
  deps.logger.progress(`  warm-up ${spec.warmupS} s`);
  const warm = await deps.generator.run({
    script: scriptPath(config),
    env: warmupEnv(scriptPath(config), pointEnv(config, { ...spec, durationS: spec.warmupS }, baseUrls)),
    tags: { run: point.runId, point: spec.pointId, phase: 'warmup' },
    summaryPath: null,
    samplesPath: null,
    logPath: point.path('loadLog'),
    signal: deps.signal,
    force: deps.force,
  });
  // Stopped during the warm-up: the point's exit code is the warm-up's (105, interrupted).
  if (warm.interrupted) result.loadExitCode = warm.exitCode;
  emit.event({ type: 'warmup-end' });
}

async function load({ config, spec, deps, point, emit, result }: PointRun, baseUrls: string[]): Promise<void> {
  const { logger } = deps;
  emit.event({ type: 'load-start', rateRps: spec.rateRps, durationS: spec.durationS });
  const started = Date.now();
  const ticker = setInterval(() => {
    const s = Math.round((Date.now() - started) / 1000);
    logger.progress(
      s <= spec.durationS
        ? `  load ${spec.rateRps} rps: ${s}/${spec.durationS} s`
        : `  load ${spec.rateRps} rps: finishing in-flight requests (${s - spec.durationS} s)`,
    );
  }, 1000);
  try {
    const generators: { name: string; generator: LoadGenerator }[] = [{ name: 'local', generator: deps.generator }, ...(deps.remoteGenerators ?? [])];
    const outcome = await runSplitLoad(generators, {
      script: scriptPath(config),
      env: pointEnv(config, spec, baseUrls),
      tags: { run: point.runId, point: spec.pointId },
      summaryPath: point.path('k6Summary'),
      samplesPath: point.path('k6Samples'),
      hdrPath: point.path('hdrLog'),
      logPath: point.path('loadLog'),
      signal: deps.signal,
      force: deps.force,
    });
    result.loadExitCode = outcome.exitCode;
    result.thresholdsPassed = outcome.thresholdsPassed;
    emit.event({ type: 'load-end', exitCode: outcome.exitCode, thresholdsPassed: outcome.thresholdsPassed, durationMs: outcome.durationMs });
    const unwritten = await missingLoadFiles(point);
    if (unwritten.length > 0) {
      emit.flag(
        'no-load-data',
        `the load generator exited with code ${outcome.exitCode} but left no ${unwritten.join(' and no ')}: this point has no load results; see ${point.finalPath('loadLog')}`,
      );
      if (!outcome.interrupted) result.status = 'failed';
    }
    if (outcome.interrupted) result.status = 'interrupted';
    else if (!outcome.thresholdsPassed && outcome.exitCode !== K6_EXIT.thresholdsCrossed) {
      result.status = 'failed';
      emit.flag('load-failed', `the load generator exited with code ${outcome.exitCode}; see ${point.finalPath('loadLog')}`);
    } else if (unwritten.length > 0) {
      // Flagged above: no thresholds to speak of without results.
    } else if (!outcome.thresholdsPassed) {
      emit.flag('thresholds-crossed', `thresholds crossed at ${spec.rateRps} rps with replicas ${JSON.stringify(spec.replicas)}; k6-summary.json names them`);
      logger.warn(`${spec.pointId}: thresholds crossed (a result, not an error)`);
    }
    const behind = unwritten.length > 0 ? null : await generatorBehind(point.path('k6Summary'), point.path('hdrLog'));
    if (behind) {
      emit.flag('generator-behind', behind);
      logger.warn(`${spec.pointId}: ${behind}`);
    }
  } finally {
    clearInterval(ticker);
    logger.done();
  }
}

/** The point files a generator must leave: missing or empty ones, by name. */
async function missingLoadFiles(point: PointWriter): Promise<string[]> {
  const missing: string[] = [];
  for (const file of ['k6Summary', 'k6Samples'] as const) {
    const info = await stat(point.path(file)).catch(() => null);
    if (!info?.isFile() || info.size === 0) missing.push(POINT_FILES[file]);
  }
  return missing;
}

/**
 * Whatever happened: samplers stopped, the target let go, the samples synced, the folder committed.
 * A file that could not be written (a full disk) fails the run, once the point is on disk.
 */
async function persist(
  { spec, emit, point, result }: PointRun,
  samples: SampleWriter,
  sampling: SamplerHandle | null,
  prepared: PreparedPoint | null,
): Promise<void> {
  emit.close();
  await sampling?.stop().catch(() => undefined);
  await prepared?.release().catch(() => undefined);
  let unwritten: unknown = null;
  await samples.endPoint().catch((error: unknown) => {
    if (error instanceof OutputError) unwritten = error;
  });
  result.endedAt = new Date().toISOString();
  await point.finish({ ...spec, baseUrl: prepared ? prepared.baseUrls.join(',') : spec.baseUrl }, result);
  if (unwritten) throw unwritten;
}
