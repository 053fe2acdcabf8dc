import { errorMessage } from '../kernel/errors.ts';
import { isDiskFull, OutputError } from '../kernel/files.ts';
import type { Logger } from '../kernel/log.ts';
import type { Manifest, PointResult, PointSpec, RunStatus } from '../rundir/types.ts';
import { pointPath } from '../rundir/layout.ts';
import { newRunId, RunDir } from '../rundir/writer.ts';
import type { BenchConfig } from './config.ts';
import { describeSinkReport, type InfluxSink } from './influx/sink.ts';
import type { LoadGenerator } from './load/generator.ts';
import type { NamedGenerator } from './load/split.ts';
import { gitCommit, TOOL_VERSION } from './manifest.ts';
import { createSampleWriter } from './nodes/sample-writer.ts';
import { estimateDurationS, planPoints, remainingEstimateS } from './plan.ts';
import { runPoint } from './point/run-point.ts';
import type { PointSampler, StateReset } from './point/slots.ts';
import type { TargetHealthOptions } from './point/target-health.ts';
import { validateScenarioEnv } from './scenario-env.ts';
import type { Target } from './target/target.ts';

/**
 * The bench, visible in one place: plan → open the run directory → each point in the shuffled order
 * (./point/run-point.ts: prepare → sample → reset → cool down → warm up → load → persist) → restore
 * the target → report. Teardown lives in `finally`; a point is on disk the moment it ends, so a
 * crash or Ctrl-C keeps every point before it.
 */

export interface BenchDeps {
  generator: LoadGenerator;
  target: Target;
  resultsRoot: string;
  logger: Logger;
  /** Aborted at the first Ctrl-C, SIGTERM or SIGHUP: stop gracefully, keep everything. */
  signal: AbortSignal;
  /** Aborted at a second one: stop the generators at once, skip the report; the point is still written. */
  force?: AbortSignal;
  /** The run's InfluxDB copy (node samples live, k6 samples at each point's end); null for none. */
  sink?: InfluxSink | null;
  /**
   * Writes the run's report, while the run still holds its directory; a failure is a warning, never
   * a lost run, except a file that cannot be written (a full disk), which fails the run. `signal`
   * (a second Ctrl-C) cuts it short: what is written stays whole.
   */
  writeReport?(runDir: string, signal?: AbortSignal): Promise<{ htmlPath: string }>;
  commandLine: string[];
  /** Tests pass a fixed one. */
  runId?: string;
  /** Resume this run: points already complete are kept and skipped. */
  resume?: RunDir;
  /** Generators on other machines that share each point's load with `generator`. */
  remoteGenerators?: NamedGenerator[];
  /** Slot: a per-point state reset or drain after scaling (./point/slots.ts); none by default. */
  stateReset?: StateReset;
  /** How the gateways are watched for an outage during the load (./point/target-health.ts); false: not at all (fakes). */
  targetHealth?: TargetHealthOptions | false;
  /** Slot: samplers beside the node samplers, e.g. of the shop's own metrics (./point/slots.ts); none by default. */
  pointSamplers?: PointSampler[];
}

export interface BenchOutcome {
  runDir: string;
  status: RunStatus;
  /** The points run by this invocation (a resume runs only what was left). */
  points: { spec: PointSpec; result: PointResult }[];
  /** Points of this invocation that failed (their generator crashed or wrote nothing, or the target went down). */
  failedPoints: string[];
  /** A stop signal came, even after the last point (while the report was written): exit 130. */
  interrupted: boolean;
  reportPath: string | null;
}

async function openRun(config: BenchConfig, points: PointSpec[], deps: BenchDeps): Promise<RunDir> {
  if (deps.resume) {
    await deps.resume.updateManifest({ status: 'running', endedAt: null, resumes: [...(deps.resume.manifest.resumes ?? []), new Date().toISOString()] });
    return deps.resume;
  }
  const described = await deps.target.describe();
  const runId = deps.runId ?? newRunId();
  return RunDir.create(
    deps.resultsRoot,
    {
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
    },
    { warn: (message) => deps.logger.warn(message), command: deps.commandLine.join(' ') },
  );
}

export async function runBench(config: BenchConfig, deps: BenchDeps): Promise<BenchOutcome> {
  const { logger, signal, target } = deps;
  await validateScenarioEnv(config);
  const planned = planPoints(config);
  let run: RunDir | null = deps.resume ?? null;
  const done: BenchOutcome['points'] = [];
  const failedPoints: string[] = [];
  let status: RunStatus = 'complete';
  let failure: unknown = null;
  try {
    run = await openRun(config, planned, deps);
    const finished = deps.resume ? await run.setAsideUnfinished() : new Set<string>();
    const points = planned.filter((p) => !finished.has(p.pointId));
    const runId = run.manifest.runId;
    logger.info(
      `run ${runId}: ${points.length} point(s)${finished.size ? ` left of ${planned.length}` : ''}, about ${Math.ceil(estimateDurationS(config, points))} s, load by ${deps.generator.info.name} ${deps.generator.info.version}; results in ${run.dir}`,
    );
    const samples = createSampleWriter({ runId, sink: deps.sink });
    const runStarted = Date.now();
    for (const [i, spec] of points.entries()) {
      if (signal.aborted) break;
      const elapsedS = (Date.now() - runStarted) / 1000;
      const leftS = remainingEstimateS(estimateDurationS(config, points.slice(0, i)), elapsedS, estimateDurationS(config, points.slice(i)));
      logger.info(
        `[${i + 1}/${points.length}] ${spec.pointId}: replicas ${JSON.stringify(spec.replicas)}, ${spec.rateRps} rps for ${spec.durationS} s (elapsed ${Math.round(elapsedS)} s, about ${Math.round(leftS)} s left)`,
      );
      const result = await runPoint(config, spec, run, samples, deps, i > 0);
      done.push({ spec, result });
      // The disk filled up while the point ended: it is recorded, nothing more can be.
      if (run.diskFull) throw run.diskFull;
      await deps.sink?.addK6Samples(pointPath(run.dir, spec.pointId), runId, spec.pointId);
      if (result.status === 'interrupted') status = 'interrupted';
      // A failed point is a result too: the run goes on, and ends with exit code 3 (bench/commands/options.ts).
      if (result.status === 'failed') {
        failedPoints.push(spec.pointId);
        logger.warn(`${spec.pointId} failed (${result.flags.map((f) => f.code).join(', ') || 'see its events'}); going on with the next point`);
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
    }
  }
  if (!run) throw failure;
  // The report is written while the run still holds its directory, after its status is recorded (so
  // the report says "complete", not "running"), and before the lock is let go.
  const endedAt = new Date().toISOString();
  const final = (): Partial<Manifest> => ({
    status,
    endedAt,
    ...(failure ? { error: errorMessage(failure) } : {}),
    ...(failedPoints.length > 0 || deps.resume ? { failedPoints } : {}),
  });
  try {
    await run.updateManifest(final());
  } catch (error) {
    failure ??= error;
  }
  let reportPath: string | null = null;
  if (deps.writeReport && (done.length > 0 || deps.resume) && !isDiskFull(failure)) {
    if (deps.force?.aborted) logger.warn(`stopped at once: no report; build it with: npm run bench -- report ${run.dir}`);
    else {
      try {
        reportPath = (await deps.writeReport(run.dir, deps.force)).htmlPath;
      } catch (error) {
        if (error instanceof OutputError) {
          status = 'failed';
          failure ??= error;
        } else if (deps.force?.aborted) logger.warn(`stopped at once: the report was cut short; build it with: npm run bench -- report ${run.dir}`);
        else
          logger.warn(
            `the report could not be written (${errorMessage(error)}); every result is in ${run.dir}; rebuild it with: npm run bench -- report ${run.dir}`,
          );
      }
    }
  }
  try {
    await run.finish(final());
  } catch (error) {
    failure ??= error;
  }
  if (failure) throw failure;
  return { runDir: run.dir, status, points: done, failedPoints, reportPath, interrupted: signal.aborted };
}
