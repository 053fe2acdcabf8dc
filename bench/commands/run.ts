import { Command } from 'commander';
import { createLogger } from '../../kernel/log.ts';
import { dryRun } from '../dry-run.ts';
import { influxSinkFrom } from '../influx/sink.ts';
import { resolveGenerator } from '../load/generator.ts';
import { executeRun, preflight } from '../run.ts';
import {
  type CommonRunFlags,
  clusterOption,
  configFrom,
  configOption,
  envOption,
  generatorOption,
  hostKeysOption,
  influxOption,
  printOutcome,
  resultsOption,
  withScenarioVariables,
} from './options.ts';
import { printPlan } from './plan.ts';

/** `bench run` (the default command): every point of a config's matrix, then the report. */
export function runCommand(): Command {
  return withScenarioVariables(
    new Command('run')
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
      .option('-q, --quiet', 'no progress on stderr'),
  ).action(async (options: CommonRunFlags & { config?: string; env: Record<string, string>; dryRun?: boolean }) => {
    const logger = createLogger({ quiet: options.quiet });
    const config = await configFrom(options, logger);
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
}
