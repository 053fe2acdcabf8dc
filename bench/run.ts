import { resolve } from 'node:path';
import { assertPortFree } from '../shop/server.ts';
import type { BenchConfig } from './config.ts';
import { UsageError } from '../kernel/errors.ts';
import { assertWritableDir } from '../kernel/files.ts';
import { onInterrupt } from '../kernel/interrupt.ts';
import { resolveGenerator, type GeneratorChoice } from './load/generator.ts';
import { remoteGenerator } from './load/remote.ts';
import type { Logger } from '../kernel/log.ts';
import { runBench, type BenchOutcome } from './pipeline.ts';
import { validateScenarioEnv } from './scenario-env.ts';
import type { RunDir } from '../rundir/writer.ts';
import { influxSinkFrom } from './influx/sink.ts';
import { planBuild } from '../shop/gocoffee/build.ts';
import { localGoCoffeeTarget } from './target/local-go-coffee.ts';
import { localTarget } from './target/local.ts';
import { stateResetFor } from './state/reset.ts';
import { shopMetricsSampler } from './state/sampler.ts';
import type { Target } from './target/target.ts';

/**
 * Everything `bench run`, `bench resume` and `bench nightly` share: checks that need no cluster,
 * the target, the generator, the InfluxDB copy, signal handling and the report.
 */

export interface RunOptions {
  config: BenchConfig;
  /** Inventory file, required when the config's target is a swarm. */
  cluster?: string;
  results: string;
  loadGenerator: GeneratorChoice;
  influxUrl?: string;
  logger: Logger;
  resume?: RunDir;
  /** Accept and record SSH host keys seen for the first time (a changed key is always refused). */
  acceptNewHostKeys?: boolean;
}

/** Checks that need no target, so bad input fails in one line before anything starts. */
export async function preflight(config: BenchConfig, cluster: string | undefined, options: { dryRun?: boolean } = {}): Promise<void> {
  await validateScenarioEnv(config);
  const target = config.target;
  if (target.kind === 'local-shop' || target.kind === 'local-go-coffee') {
    if (cluster) throw new UsageError(`--cluster was given, but the config's target.kind is ${target.kind}: set target.kind: swarm to run on a cluster`);
    // A fixed port that is taken fails here, before a run directory exists.
    if (target.port !== 0) await assertPortFree('127.0.0.1', target.port);
    // A missing source or Go toolchain is one line now, not a failed first point.
    if (target.kind === 'local-go-coffee') await planBuild({ arch: target.arch, src: target.src });
  } else if (target.kind === 'swarm' && !cluster && !options.dryRun) throw new UsageError("the config's target is a swarm: pass --cluster <inventory file>");
  else if (target.kind === 'url' && target.shop && !cluster && !options.dryRun)
    throw new UsageError("the config's target.shop names swarm services: pass --cluster <inventory file> to reach them");
}

/** Opens the config's target; `preflight` has checked the input already. */
async function openTarget(config: BenchConfig, cluster: string | undefined, logger: Logger, acceptNewHostKeys = false): Promise<Target> {
  if (config.target.kind === 'local-shop') return localTarget(config.target);
  if (config.target.kind === 'local-go-coffee') return localGoCoffeeTarget(config.target, logger);
  if (config.target.kind === 'url') {
    const { urlTarget } = await import('./target/url.ts');
    return urlTarget(config.target, cluster, logger, { acceptNewHostKeys });
  }
  if (!cluster) throw new UsageError("the config's target is a swarm: pass --cluster <inventory file>");
  const { swarmTarget } = await import('./target/swarm.ts');
  return swarmTarget(config, resolve(cluster), logger, { acceptNewHostKeys });
}

export async function executeRun(options: RunOptions): Promise<BenchOutcome> {
  const { config, logger } = options;
  await preflight(config, options.cluster);
  if (!options.resume) await assertWritableDir(resolve(options.results), '--results');
  const generator = await resolveGenerator(options.loadGenerator);
  if (generator.info.name === 'engine' && options.loadGenerator === 'auto') {
    logger.info("no k6 2.x found (K6_BIN, PATH): the scenario runs in this project's k6-compatible engine");
  }
  // Ctrl-C, SIGTERM and SIGHUP, to this process alone or to its whole group: one graceful stop
  // (the children run in groups of their own and get one forwarded signal), a later second one
  // forces it; copies a wrapper re-sends within REPEAT_MS do not count.
  const interrupts = onInterrupt({
    onStop: (name) => logger.warn(`${name}: stopping gracefully, keeping every result so far (again to stop at once)`),
    onForce: (name) => logger.warn(`${name} again: stopping at once; the running point is still recorded`),
  });
  try {
    const sink = influxSinkFrom(options.influxUrl);
    const target = await openTarget(config, options.cluster, logger, options.acceptNewHostKeys);
    const { writeRunReport } = await import('../reports/run-report.ts');
    return await runBench(config, {
      generator,
      target,
      resultsRoot: resolve(options.results),
      logger,
      signal: interrupts.stopping,
      force: interrupts.forced,
      commandLine: process.argv.slice(1),
      writeReport: (dir, signal) => writeRunReport(dir, { signal }),
      sink,
      remoteGenerators: target.generators().map((spec) => ({ name: spec.name, generator: remoteGenerator(spec) })),
      stateReset: stateResetFor(target, { mode: config.state, drainTimeoutS: config.drainTimeoutS, restartsEachPoint: config.target.kind === 'local-shop' }),
      pointSamplers: config.shopMetrics ? [shopMetricsSampler(target, sink)] : [],
      ...(options.resume ? { resume: options.resume } : {}),
    });
  } finally {
    interrupts.dispose();
  }
}
