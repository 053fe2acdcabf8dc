import { dirname } from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../../kernel/errors.ts';
import { createLogger } from '../../kernel/log.ts';
import { RunDir } from '../../rundir/writer.ts';
import { parseBenchConfig } from '../config.ts';
import { executeRun } from '../run.ts';
import { type CommonRunFlags, clusterOption, generatorOption, hostKeysOption, influxOption, printOutcome } from './options.ts';

/** `bench resume <runDir>`: the points a run has left, with the config it was started with. */
export function resumeCommand(): Command {
  return new Command('resume')
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
      const logger = createLogger({ quiet: options.quiet });
      const config = parseBenchConfig(run.manifest.config, `${runDir}/manifest.json config`, (message) => logger.warn(message));
      printOutcome(await executeRun({ ...options, results: dirname(run.dir), config, logger, resume: run }), Boolean(options.json), logger);
    });
}
