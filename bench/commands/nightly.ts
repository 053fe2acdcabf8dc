import { join } from 'node:path';
import { Command, Option } from 'commander';
import { numberArg } from '../../kernel/args.ts';
import { EXIT } from '../../kernel/errors.ts';
import { createLogger } from '../../kernel/log.ts';
import { NIGHTLY_HISTORY, RESULTS_DIR } from '../../rundir/layout.ts';
import { LATEST_GOOD, runNightly } from '../nightly.ts';
import {
  type CommonRunFlags,
  clusterOption,
  configFrom,
  envOption,
  generatorOption,
  hostKeysOption,
  influxOption,
  NIGHTLY_CONFIG,
  failedPointsLine,
  resultsOption,
  withScenarioVariables,
} from './options.ts';

interface NightlyFlags extends CommonRunFlags {
  config: string;
  env: Record<string, string>;
  baseline: string;
  history: string;
  threshold: number;
  summaryFile?: string;
}

/** `bench nightly`: the nightly config against a baseline; the orchestration is bench/nightly.ts. */
export function nightlyCommand(): Command {
  return withScenarioVariables(
    new Command('nightly')
      .description(
        `Run the nightly config and compare it with a baseline. Exit ${EXIT.ok}: no regression; ${EXIT.regression}: a regression beyond the threshold (named on stderr), or nothing comparable; ${EXIT.usage}: the run could not happen; ${EXIT.failedPoints}: points failed; ${EXIT.interrupted}: interrupted. Keeps a history index of nightly runs.`,
      )
      .addOption(new Option('--config <file>', 'bench config (YAML)').default(NIGHTLY_CONFIG))
      .addOption(envOption())
      .addOption(clusterOption())
      .addOption(
        new Option('--baseline <run>', `a run directory, or ${LATEST_GOOD}: the newest complete nightly run without a regression`).default(LATEST_GOOD),
      )
      .addOption(new Option('--history <file>', 'the nightly history index (JSON)').default(join(RESULTS_DIR, NIGHTLY_HISTORY)))
      .addOption(
        new Option('--threshold <pct>', 'smallest relative change that counts as a regression, %').default(5).argParser(numberArg(0, { exclusive: true })),
      )
      .addOption(new Option('--summary-file <file>', 'append summary.md here too (default: $GITHUB_STEP_SUMMARY when set)'))
      .addOption(resultsOption())
      .addOption(generatorOption())
      .addOption(influxOption())
      .addOption(hostKeysOption())
      .option('-q, --quiet', 'no progress on stderr'),
  ).action(async (options: NightlyFlags) => {
    const logger = createLogger({ quiet: options.quiet });
    const config = await configFrom(options, logger, options.config);
    const { entry, reportPath } = await runNightly({
      ...options,
      config,
      logger,
      thresholdPct: options.threshold,
      summaryFile: options.summaryFile ?? process.env.GITHUB_STEP_SUMMARY,
    });
    process.stdout.write(`${reportPath}\n`);
    if (entry.verdict === 'regressed') {
      process.stderr.write(`regression beyond ${options.threshold} % against ${entry.baseline}:\n${entry.regressedMetrics.map((m) => `  ${m}`).join('\n')}\n`);
      process.exitCode = EXIT.regression;
    } else if (entry.verdict === 'not-comparable') {
      process.stderr.write(
        `nothing comparable against ${entry.baseline}: no configuration of the baseline has samples in this run (see the comparison's report)\n`,
      );
      process.exitCode = EXIT.regression;
    } else {
      logger.info(`nightly: ${entry.verdict ?? 'first run'}${entry.baseline ? ` against ${entry.baseline}` : ''}`);
      if (entry.failedPoints?.length) {
        process.stderr.write(`${failedPointsLine({ failedPoints: entry.failedPoints, runDir: entry.runDir })}\n`);
        process.exitCode = EXIT.failedPoints;
      }
    }
  });
}
