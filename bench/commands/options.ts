import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, Option } from 'commander';
import { ENV_DOC } from '../../scenarios/lib/env.ts';
import { keyValueArg, repeatable } from '../../kernel/args.ts';
import { EXIT, InterruptedError, UsageError } from '../../kernel/errors.ts';
import { assertWritableDir } from '../../kernel/files.ts';
import { onInterrupt } from '../../kernel/interrupt.ts';
import type { Logger } from '../../kernel/log.ts';
import { RESULTS_DIR } from '../../rundir/layout.ts';
import { liveWriter } from '../../rundir/lock.ts';
import { type BenchConfig, loadBenchConfig } from '../config.ts';
import { INFLUX_URL_ENV } from '../influx/client.ts';
import { GENERATOR_CHOICES, type GeneratorChoice } from '../load/generator.ts';
import type { BenchOutcome } from '../pipeline.ts';

/** What the `bench` commands share: their options, the config they load, how they print a run's outcome. */

const DEFAULT_CONFIG = fileURLToPath(new URL('../configs/default.yml', import.meta.url));
export const NIGHTLY_CONFIG = fileURLToPath(new URL('../configs/nightly.yml', import.meta.url));

export const configOption = () => new Option('--config <file>', 'bench config (YAML); default bench/configs/default.yml');
export const envOption = () =>
  repeatable(new Option('-e, --env <KEY=VALUE>', 'scenario variable, repeatable (listed below)').argParser(keyValueArg).default({}));
export const resultsOption = () => new Option('--results <dir>', 'where run directories are created').default(RESULTS_DIR);
export const generatorOption = () =>
  new Option('--load-generator <name>', "engine (this project's k6-compatible engine), k6 (your own: K6_BIN or PATH), or auto: k6 when found, else the engine")
    .choices(GENERATOR_CHOICES)
    .default('auto');
export const influxOption = () =>
  new Option(
    '--influx-url <url>',
    `also stream node and k6 series to InfluxDB 1.x, http://host:8086/<database> (default: $${INFLUX_URL_ENV}; none when unset)`,
  );
export const clusterOption = () =>
  new Option('--cluster <inventory>', 'inventory of the swarm (cluster/*.yml): required for target.kind swarm; with target.kind url, the nodes to sample');
export const hostKeysOption = () =>
  new Option('--accept-new-host-keys', 'record SSH host keys seen for the first time in known_hosts (a changed key is always refused)');

/** `--help` of the commands that take `-e`: every scenario variable and what it takes. */
export function withScenarioVariables(command: Command): Command {
  const width = Math.max(...Object.keys(ENV_DOC).map((key) => key.length));
  const rows = Object.entries(ENV_DOC).map(([key, doc]) => `  ${key.padEnd(width)}  ${doc}`);
  return command.addHelpText(
    'after',
    `\nScenario variables (-e KEY=VALUE or the config's scenarioEnv; BASE_URL, PROFILE, RATE and DURATION come from the config):\n${rows.join('\n')}`,
  );
}

export interface CommonRunFlags {
  cluster?: string;
  results: string;
  loadGenerator: GeneratorChoice;
  influxUrl?: string;
  acceptNewHostKeys?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/** The bench config of a command: `--config` or `fallback`, with `-e` variables over its scenarioEnv. */
export async function configFrom(options: { config?: string; env?: Record<string, string> }, logger: Logger, fallback = DEFAULT_CONFIG): Promise<BenchConfig> {
  const config = await loadBenchConfig(options.config ?? fallback, (message) => logger.warn(message));
  return { ...config, scenarioEnv: { ...config.scenarioEnv, ...options.env } };
}

/** Prints the outcome: JSON, or the point list on stderr and the report path on stdout. */
export function printOutcome(outcome: BenchOutcome, json: boolean, logger: Logger): void {
  if (json)
    process.stdout.write(
      `${JSON.stringify({ runDir: outcome.runDir, status: outcome.status, report: outcome.reportPath, failedPoints: outcome.failedPoints, points: outcome.points.map((p) => p.result) }, null, 2)}\n`,
    );
  else {
    for (const { spec, result } of outcome.points)
      logger.info(`  ${spec.pointId}: ${result.status}${result.flags.length ? ` (${result.flags.map((f) => f.code).join(', ')})` : ''}`);
    logger.info(`run ${outcome.status}${outcome.failedPoints.length > 0 ? ` with ${outcome.failedPoints.length} failed point(s)` : ''}: ${outcome.runDir}`);
    process.stdout.write(`${outcome.reportPath ?? outcome.runDir}\n`);
  }
  process.exitCode = outcomeExitCode(outcome);
  if (process.exitCode === EXIT.failedPoints) process.stderr.write(`${failedPointsLine(outcome)}\n`);
}

/**
 * 130 when interrupted (also after the last point, while the report was written: the run stays
 * complete, its report is finished), 3 when a point failed (the run completed), else 0.
 */
export function outcomeExitCode(outcome: Pick<BenchOutcome, 'status' | 'failedPoints'> & { interrupted?: boolean }): number {
  if (outcome.status === 'interrupted' || outcome.interrupted) return EXIT.interrupted;
  return outcome.failedPoints.length > 0 ? EXIT.failedPoints : EXIT.ok;
}

export function failedPointsLine(outcome: Pick<BenchOutcome, 'failedPoints' | 'runDir'>): string {
  return `run completed with ${outcome.failedPoints.length} failed point(s): ${outcome.failedPoints.join(', ')}; their flags and load.log say why; run them again with: npm run bench -- resume ${outcome.runDir}`;
}

/** A run directory argument must at least be a directory. */
export async function requireDirectory(path: string, what: string): Promise<void> {
  const info = await stat(path).catch(() => null);
  if (!info?.isDirectory()) throw new UsageError(`${what} ${path} is not a directory; give a run directory (results/<runId>/)`);
}

/**
 * Where a report of `runDir` may go: `out`, or `fallback` (inside the run directory). A run directory
 * a live `bench run`/`resume` is writing is never written into (rundir/lock.ts): without `--out` the
 * report goes to a fresh folder under the system's temporary folder, and the user is told; an
 * `--out` inside it is refused.
 */
export async function reportOutDir(runDir: string, out: string | undefined, fallback: string, logger: Logger): Promise<string> {
  const writer = await liveWriter(runDir);
  if (!writer) {
    // Checked before the runs are read: a folder that cannot take the report fails in one line now.
    if (out !== undefined) await assertWritableDir(out, '--out');
    return out ?? fallback;
  }
  const inside = (path: string) => {
    const rel = relative(resolve(runDir), resolve(path));
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  const holder = `pid ${writer.pid} on ${writer.host} since ${writer.startedAt}`;
  if (out !== undefined) {
    if (inside(out))
      throw new UsageError(`--out ${out} is inside ${runDir}, which ${holder} is still writing: choose a folder outside it, or wait until the run ends`);
    return out;
  }
  const dir = await mkdtemp(join(tmpdir(), `cloudlet-bench-${basename(resolve(runDir))}-`));
  logger.warn(
    `${runDir} is still being written (${holder}): reading its finished points, and writing this report to ${dir} instead; the run writes its own when it ends`,
  );
  return dir;
}

/**
 * Runs a command that only writes files (report, compare) so that Ctrl-C stops it between two
 * files: each file written is whole, no temporary file stays, and the exit code is 130.
 */
export async function stoppableBetweenFiles<T>(what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const interrupts = onInterrupt();
  try {
    return await work(interrupts.stopping);
  } catch (error) {
    if (interrupts.stopping.aborted)
      throw new InterruptedError(`${what}: interrupted; the files written so far are whole; run it again to write the rest`, { cause: error });
    throw error;
  } finally {
    interrupts.dispose();
  }
}
