import { Command, Option } from 'commander';
import { numberArg } from '../../kernel/args.ts';
import { createLogger } from '../../kernel/log.ts';
import { writeRunReport } from '../../reports/run-report.ts';
import { reportOutDir, requireDirectory, stoppableBetweenFiles } from './options.ts';

/** `bench report <run>`: rebuilds a run's report from its run directory. */
export function reportCommand(): Command {
  return new Command('report')
    .description('write report.html, charts/*.png, summary.md, summary.json and junit.xml for one run directory')
    .argument('<run>', 'run directory (results/<runId>/)')
    .option('--out <dir>', 'output directory (default: the run directory)')
    .addOption(
      new Option('--thermal-threshold <tempC>', 'warn when a node exceeds this temperature, °C').default(70).argParser(numberArg(0, { exclusive: true })),
    )
    .option('--json', 'print the written paths as JSON on stdout')
    .action(async (run: string, options: { out?: string; thermalThreshold: number; json?: boolean }) => {
      await requireDirectory(run, 'run');
      const log = createLogger();
      const outDir = await reportOutDir(run, options.out, run, log);
      log.info(`reading ${run}`);
      const paths = await stoppableBetweenFiles('report', (signal) =>
        writeRunReport(run, { outDir, signal, warnings: { thermalThresholdC: options.thermalThreshold } }),
      );
      if (options.json) process.stdout.write(`${JSON.stringify(paths)}\n`);
      else process.stdout.write(`${paths.htmlPath}\n${paths.summaryMdPath}\n${paths.summaryJsonPath}\n${paths.junitPath}\n`);
    });
}
