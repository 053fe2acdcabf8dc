import { appendFile, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { backfillCommand } from './commands/backfill.ts';
import { compareCommand } from './commands/compare.ts';
import { runCli } from '../kernel/cli.ts';
import { reportCommand } from './commands/report.ts';
import { benchConfigJsonSchema, loadBenchConfig, parseBenchConfig, type BenchConfig } from './config.ts';
import { writeCompareReport } from '../reports/compare-report.ts';
import { numberArg } from '../kernel/args.ts';
import { EnvironmentError, EXIT, UsageError, errorMessage } from '../kernel/errors.ts';
import { appendHistory, LATEST_GOOD, resolveBaseline, type NightlyEntry } from './nightly.ts';
import { resolveGenerator, type GeneratorChoice } from './load/generator.ts';
import { createLogger, type Logger } from '../kernel/log.ts';
import { estimateDurationS, planPoints } from './plan.ts';
import type { BenchOutcome } from './pipeline.ts';
import { pointEnv, validateScenarioEnv } from './scenario-env.ts';
import { dryRun } from './dry-run.ts';
import { executeRun, preflight } from './run.ts';
import { RunDir } from '../rundir/writer.ts';
import { INFLUX_URL_ENV } from './influx/client.ts';
import { influxSinkFrom } from './influx/sink.ts';

export const DEFAULT_CONFIG = fileURLToPath(new URL('./configs/default.yml', import.meta.url));
export const NIGHTLY_CONFIG = fileURLToPath(new URL('./configs/nightly.yml', import.meta.url));

function collectEnv(value: string, previous: Record<string, string>): Record<string, string> {
  const i = value.indexOf('=');
  if (i <= 0) throw new UsageError(`--env expects KEY=VALUE, got "${value}"`);
  return { ...previous, [value.slice(0, i)]: value.slice(i + 1) };
}

async function configFrom(options: { config?: string; env?: Record<string, string> }): Promise<BenchConfig> {
  const config = await loadBenchConfig(options.config ?? DEFAULT_CONFIG);
  return { ...config, scenarioEnv: { ...config.scenarioEnv, ...options.env } };
}

const program = new Command('bench')
  .description(
    'Reproducible load tests of the Go coffee shop on a cloudlet. With no command: run the embedded default (reference shop on this machine, a short matrix, a report).',
  )
  .helpCommand(true);

const configOption = () => new Option('--config <file>', 'bench config (YAML); default bench/configs/default.yml');
const envOption = () => new Option('-e, --env <KEY=VALUE>', 'scenario variable, repeatable (see scenarios/lib/env.ts)').argParser(collectEnv).default({});

const resultsOption = () => new Option('--results <dir>', 'where run directories are created').default('results');
const generatorOption = () =>
  new Option('--load-generator <name>', 'k6 (K6_BIN or PATH), builtin, or auto: k6 when found').choices(['auto', 'k6', 'builtin']).default('auto');
const influxOption = () =>
  new Option(
    '--influx-url <url>',
    `also stream node and k6 series to InfluxDB 1.x, http://host:8086/<database> (default: $${INFLUX_URL_ENV}; none when unset)`,
  );
const clusterOption = () => new Option('--cluster <inventory>', 'inventory of the swarm (cluster/*.yml), for configs whose target.kind is swarm');
const hostKeysOption = () =>
  new Option('--accept-new-host-keys', 'record SSH host keys seen for the first time in known_hosts (a changed key is always refused)');

interface CommonRunFlags {
  cluster?: string;
  results: string;
  loadGenerator: GeneratorChoice;
  influxUrl?: string;
  acceptNewHostKeys?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/** Prints the outcome: JSON, or the point list on stderr and the report path on stdout. */
function printOutcome(outcome: BenchOutcome, json: boolean, logger: Logger): void {
  if (json)
    process.stdout.write(
      `${JSON.stringify({ runDir: outcome.runDir, status: outcome.status, report: outcome.reportPath, points: outcome.points.map((p) => p.result) }, null, 2)}\n`,
    );
  else {
    for (const { spec, result } of outcome.points)
      logger.info(`  ${spec.pointId}: ${result.status}${result.flags.length ? ` (${result.flags.map((f) => f.code).join(', ')})` : ''}`);
    logger.info(`run ${outcome.status}: ${outcome.runDir}`);
    process.stdout.write(`${outcome.reportPath ?? outcome.runDir}\n`);
  }
  if (outcome.status === 'interrupted') process.exitCode = EXIT.interrupted;
}

program
  .command('run', { isDefault: true })
  .description('Run a bench config: every point of its matrix, then the report. Progress on stderr; the report path on stdout.')
  .addOption(configOption())
  .addOption(envOption())
  .addOption(clusterOption())
  .addOption(resultsOption())
  .addOption(generatorOption())
  .addOption(influxOption())
  .addOption(hostKeysOption())
  .option('--dry-run', 'validate the config and scenario variables and print the plan; start nothing')
  .option('--json', 'print the outcome as JSON on stdout')
  .option('-q, --quiet', 'no progress on stderr')
  .action(async (options: CommonRunFlags & { config?: string; env: Record<string, string>; dryRun?: boolean }) => {
    const config = await configFrom(options);
    const logger = createLogger({ quiet: options.quiet });
    if (options.dryRun) {
      // Everything that can be checked without a target (generator, InfluxDB URL, port), then the
      // whole pipeline against fakes.
      await preflight(config, options.cluster, { dryRun: true });
      const generator = await resolveGenerator(options.loadGenerator);
      await influxSinkFrom(options.influxUrl)?.close();
      printPlan(config, Boolean(options.json), generator.info.name);
      const outcome = await dryRun(config, createLogger({ quiet: true }), new AbortController().signal);
      logger.info(`dry run: ${outcome.points.length} point(s) through every stage against fakes, ${outcome.status}; run directory ${outcome.runDir}`);
      return;
    }
    printOutcome(await executeRun({ ...options, config, logger }), Boolean(options.json), logger);
  });

program
  .command('resume')
  .description(
    'Run the points a run directory has left (interrupted, failed or never started), with the config it was started with; earlier tries move to attempts/.',
  )
  .argument('<runDir>', 'run directory, e.g. results/<runId>')
  .addOption(clusterOption())
  .addOption(generatorOption())
  .addOption(influxOption())
  .addOption(hostKeysOption())
  .option('--json', 'print the outcome as JSON on stdout')
  .option('-q, --quiet', 'no progress on stderr')
  .action(async (runDir: string, options: Omit<CommonRunFlags, 'results'>) => {
    const run = await RunDir.open(runDir).catch((error: unknown) => {
      throw new UsageError(`${runDir} is not a run directory (no readable manifest.json)`, { cause: error });
    });
    const config = parseBenchConfig(run.manifest.config, `${runDir}/manifest.json config`);
    const logger = createLogger({ quiet: options.quiet });
    printOutcome(await executeRun({ ...options, results: dirname(run.dir), config, logger, resume: run }), Boolean(options.json), logger);
  });

program
  .command('nightly')
  .description(
    `Run the nightly config and compare it with a baseline. Exit ${EXIT.ok}: no regression; ${EXIT.regression}: a regression beyond the threshold (named on stderr); ${EXIT.usage}: the run could not happen. Keeps a history index of nightly runs.`,
  )
  .addOption(new Option('--config <file>', 'bench config (YAML)').default(NIGHTLY_CONFIG))
  .addOption(envOption())
  .addOption(clusterOption())
  .addOption(new Option('--baseline <run>', `a run directory, or ${LATEST_GOOD}: the newest complete nightly run without a regression`).default(LATEST_GOOD))
  .addOption(new Option('--history <file>', 'the nightly history index (JSON)').default(join('results', 'nightly-history.json')))
  .addOption(new Option('--threshold <pct>', 'smallest relative change that counts as a regression, %').default(5).argParser(numberArg(0, { exclusive: true })))
  .addOption(new Option('--summary-file <file>', 'append summary.md here too (default: $GITHUB_STEP_SUMMARY when set)'))
  .addOption(resultsOption())
  .addOption(generatorOption())
  .addOption(influxOption())
  .addOption(hostKeysOption())
  .option('-q, --quiet', 'no progress on stderr')
  .action(
    async (
      options: CommonRunFlags & { config: string; env: Record<string, string>; baseline: string; history: string; threshold: number; summaryFile?: string },
    ) => {
      const config = await configFrom(options);
      const logger = createLogger({ quiet: options.quiet });
      const baseline = await resolveBaseline(options.baseline, options.history);
      let outcome: BenchOutcome;
      try {
        outcome = await executeRun({ ...options, config, logger });
      } catch (error) {
        if (error instanceof UsageError) throw error;
        throw new EnvironmentError(`nightly: the run could not happen: ${errorMessage(error)}`, { cause: error });
      }
      const manifest = (await RunDir.open(outcome.runDir)).manifest;
      const entry: NightlyEntry = {
        runId: manifest.runId,
        runDir: outcome.runDir,
        startedAt: manifest.startedAt,
        status: outcome.status,
        verdict: null,
        baseline,
        regressedMetrics: [],
        gitCommit: manifest.gitCommit,
      };
      if (outcome.status !== 'complete') {
        await appendHistory(options.history, entry);
        throw new EnvironmentError(`nightly: the run ended ${outcome.status}; see ${outcome.runDir}`);
      }
      let summaryPath = join(outcome.runDir, 'summary.md');
      if (baseline) {
        const compared = await writeCompareReport([baseline, outcome.runDir], {
          outDir: join(outcome.runDir, 'compare-baseline'),
          thresholdPct: options.threshold,
        });
        entry.verdict = compared.verdict;
        entry.regressedMetrics = compared.regressedMetrics;
        summaryPath = compared.summaryMdPath;
        process.stdout.write(`${compared.htmlPath}\n`);
      } else {
        logger.info(`no baseline yet (${options.baseline}): this run is the first entry of ${options.history}`);
        process.stdout.write(`${outcome.reportPath ?? outcome.runDir}\n`);
      }
      await appendHistory(options.history, entry);
      const summaryFile = options.summaryFile ?? process.env.GITHUB_STEP_SUMMARY;
      if (summaryFile) await appendFile(summaryFile, await readFile(summaryPath, 'utf8'));
      if (entry.verdict === 'regressed') {
        process.stderr.write(`regression beyond ${options.threshold} % against ${baseline}:\n${entry.regressedMetrics.map((m) => `  ${m}`).join('\n')}\n`);
        process.exitCode = EXIT.regression;
      } else logger.info(`nightly: ${entry.verdict ?? 'first run'}${baseline ? ` against ${baseline}` : ''}`);
    },
  );

program
  .command('plan')
  .description('Print the shuffled plan of a bench config and its estimated duration; touches nothing.')
  .addOption(configOption())
  .addOption(envOption())
  .option('--json', 'print the plan as JSON')
  .action(async (options: { config?: string; env: Record<string, string>; json?: boolean }) => {
    const config = await configFrom(options);
    validateScenarioEnv(config);
    printPlan(config, Boolean(options.json));
  });

function printPlan(config: BenchConfig, json: boolean, generator?: string): void {
  const points = planPoints(config);
  const estimateS = Math.ceil(estimateDurationS(config, points));
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ name: config.name, estimateS, points: points.map((p) => ({ ...p, env: pointEnv(config, p, ['<target>']) })) }, null, 2)}\n`,
    );
    return;
  }
  const lines = [`${config.name}: ${points.length} points, about ${estimateS} s${generator ? `, load by ${generator}` : ''}`];
  for (const p of points)
    lines.push(
      `  ${String(p.index + 1).padStart(3)}  ${p.pointId.padEnd(32)} replicas ${JSON.stringify(p.replicas)}  ${p.rateRps} rps  ${p.warmupS}+${p.durationS} s  ${config.profile}`,
    );
  process.stdout.write(`${lines.join('\n')}\n`);
}

program
  .command('schema')
  .description('print the JSON Schema of bench configs (bench/config.schema.json is this output)')
  .action(() => {
    process.stdout.write(`${JSON.stringify(benchConfigJsonSchema(), null, 2)}\n`);
  });

program.addCommand(reportCommand());
program.addCommand(compareCommand());
program.addCommand(backfillCommand());

await runCli(program);
