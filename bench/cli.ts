import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { backfillCommand } from './cli/backfill.ts';
import { compareCommand } from './cli/compare.ts';
import { runCli } from './cli/main.ts';
import { reportCommand } from './cli/report.ts';
import { loadBenchConfig, type BenchConfig } from './config.ts';
import { EXIT, UsageError } from './errors.ts';
import { resolveGenerator, type GeneratorChoice } from './load/generator.ts';
import { createLogger } from './log.ts';
import { startLocalSampler } from './nodes/local.ts';
import { estimateDurationS, planPoints } from './plan.ts';
import { pointEnv, runBench, validateScenarioEnv } from './pipeline.ts';
import { startLocalShop } from './target/local-shop.ts';
import { INFLUX_URL_ENV, influxSinkFrom } from './store/influx.ts';
import { assertPortFree } from '../shop/server.ts';

export const DEFAULT_CONFIG = fileURLToPath(new URL('./configs/default.yml', import.meta.url));

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
  .description('Reproducible load tests of the Go coffee shop on a cloudlet. With no command: run the embedded default (reference shop on this machine, a short matrix, a report).')
  .helpCommand(true);

const configOption = () => new Option('--config <file>', 'bench config (YAML); default bench/configs/default.yml');
const envOption = () => new Option('-e, --env <KEY=VALUE>', 'scenario variable, repeatable (see scenarios/lib/env.ts)').argParser(collectEnv).default({});

program
  .command('run', { isDefault: true })
  .description('Run a bench config: every point of its matrix, then the report. Progress on stderr; the report path on stdout.')
  .addOption(configOption())
  .addOption(envOption())
  .addOption(new Option('--results <dir>', 'where run directories are created').default('results'))
  .addOption(new Option('--load-generator <name>', 'k6 (K6_BIN or PATH), builtin, or auto: k6 when found').choices(['auto', 'k6', 'builtin']).default('auto'))
  .addOption(new Option('--influx-url <url>', `also stream node and k6 series to InfluxDB 1.x, http://host:8086/<database> (default: $${INFLUX_URL_ENV}; none when unset)`))
  .option('--dry-run', 'validate the config and scenario variables and print the plan; start nothing')
  .option('--json', 'print the outcome as JSON on stdout')
  .option('-q, --quiet', 'no progress on stderr')
  .action(async (options: { config?: string; env: Record<string, string>; results: string; loadGenerator: GeneratorChoice; influxUrl?: string; dryRun?: boolean; json?: boolean; quiet?: boolean }) => {
    const config = await configFrom(options);
    validateScenarioEnv(config);
    const logger = createLogger({ quiet: options.quiet });
    // A fixed port that is taken fails here, in one line, before a run directory exists.
    if (config.target.port !== 0) await assertPortFree('127.0.0.1', config.target.port);
    const generator = await resolveGenerator(options.loadGenerator);
    // Built before the dry-run check so a bad URL is reported there too.
    const sink = influxSinkFrom(options.influxUrl);
    if (options.dryRun) {
      await sink?.close();
      printPlan(config, Boolean(options.json), generator.info.name);
      return;
    }
    if (generator.info.name === 'builtin' && options.loadGenerator === 'auto') {
      logger.info('no k6 2.x found (K6_BIN, PATH): using the built-in generator, which runs the same scenario tasks and writes the same files');
    }
    const controller = new AbortController();
    let signals = 0;
    const onSignal = (name: string) => {
      signals++;
      if (signals > 1) process.exit(EXIT.interrupted);
      logger.warn(`${name}: stopping gracefully, keeping every result so far (again to force)`);
      controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const { writeRunReport } = await import('../reports/run-report.ts');
    const outcome = await runBench(config, {
      generator,
      resultsRoot: options.results,
      logger,
      signal: controller.signal,
      commandLine: process.argv.slice(1),
      startTarget: (replicas) => startLocalShop({ ...config.target, replicas }),
      startSampler: (onSample) => startLocalSampler({ node: hostname(), onSample, onError: (e) => logger.warn(e.message) }),
      writeReport: (dir) => writeRunReport(dir),
      sink,
    });
    if (options.json) process.stdout.write(`${JSON.stringify({ runDir: outcome.runDir, status: outcome.status, report: outcome.reportPath, points: outcome.points.map((p) => p.result) }, null, 2)}\n`);
    else {
      for (const { spec, result } of outcome.points) logger.info(`  ${spec.pointId}: ${result.status}${result.flags.length ? ` (${result.flags.map((f) => f.code).join(', ')})` : ''}`);
      logger.info(`run ${outcome.status}: ${outcome.runDir}`);
      process.stdout.write(`${outcome.reportPath ?? outcome.runDir}\n`);
    }
    if (outcome.status === 'interrupted') process.exitCode = EXIT.interrupted;
  });

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
    process.stdout.write(`${JSON.stringify({ name: config.name, estimateS, points: points.map((p) => ({ ...p, env: pointEnv(config, p, '<target>') })) }, null, 2)}\n`);
    return;
  }
  const lines = [`${config.name}: ${points.length} points, about ${estimateS} s${generator ? `, load by ${generator}` : ''}`];
  for (const p of points) lines.push(`  ${String(p.index + 1).padStart(3)}  ${p.pointId.padEnd(28)} replicas ${JSON.stringify(p.replicas)}  ${p.rateRps} rps  ${p.warmupS}+${p.durationS} s  ${config.profile}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

program.addCommand(reportCommand());
program.addCommand(compareCommand());
program.addCommand(backfillCommand());

await runCli(program);
