import { dirname } from 'node:path';
import { Command } from 'commander';
import { createLogger } from '../../kernel/log.ts';
import { RunDir } from '../../rundir/writer.ts';
import { parseBenchConfig } from '../config.ts';
import { executeRun } from '../run.ts';
import { type CommonRunFlags, clusterOption, generatorOption, hostKeysOption, influxOption, printOutcome, requireDirectory } from './options.ts';

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
      await requireDirectory(runDir, 'resume:');
      const logger = createLogger({ quiet: options.quiet });
      // The lock first: a second writer is refused before anything moves.
      const run = await RunDir.open(runDir, { warn: (message) => logger.warn(message), command: process.argv.slice(1).join(' ') });
      try {
        const config = parseBenchConfig(run.manifest.config, `${runDir}/manifest.json config`, (message) => logger.warn(message));
        printOutcome(await executeRun({ ...options, results: dirname(run.dir), config, logger, resume: run }), Boolean(options.json), logger);
      } finally {
        await run.close();
      }
    });
}
