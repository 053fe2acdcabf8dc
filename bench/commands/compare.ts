import { Command, Option } from 'commander';
import { basename, resolve } from 'node:path';
import { EXIT } from '../../kernel/errors.ts';
import { writeCompareReport } from '../../reports/compare-report.ts';
import { comparePath } from '../../rundir/layout.ts';
import { intArg, numberArg, probabilityArg } from '../../kernel/args.ts';
import { reportOutDir, requireDirectory, stoppableBetweenFiles } from './options.ts';
import { createLogger } from '../../kernel/log.ts';

interface CompareFlags {
  out?: string;
  threshold: number;
  errorThreshold: number;
  alpha: number;
  minRepetitions: number;
  thermalThreshold: number;
  failOnRegression?: boolean;
  json?: boolean;
}

/** `bench compare <runA> <runB> [...]`: B (and any later run) against the baseline A. */
export function compareCommand(): Command {
  return new Command('compare')
    .description(
      'compare runs with a baseline (the first run): verdict per metric, HTML, PNG charts, summary.md, summary.json, junit.xml; three or more runs also give a trend with change points',
    )
    .argument('<baseline>', 'baseline run directory')
    .argument('<candidates...>', 'run directories to compare with it, oldest first')
    .option('--out <dir>', 'output directory (default: <last run>/compare-<baseline run id>)')
    .addOption(new Option('--threshold <pct>', 'smallest relative change that counts, %').default(5).argParser(numberArg(0, { exclusive: true })))
    .addOption(
      new Option('--error-threshold <pp>', 'smallest error-rate change that counts, percentage points').default(1).argParser(numberArg(0, { exclusive: true })),
    )
    .addOption(new Option('--alpha <p>', 'significance level').default(0.05).argParser(probabilityArg()))
    .addOption(
      new Option('--min-repetitions <n>', 'repetitions per side needed to test on repetitions rather than raw samples').default(5).argParser(intArg(2)),
    )
    .addOption(
      new Option('--thermal-threshold <tempC>', 'warn when a node exceeds this temperature, °C').default(70).argParser(numberArg(0, { exclusive: true })),
    )
    .option('--fail-on-regression', `exit ${EXIT.regression} when any metric regressed, or nothing is comparable`)
    .option('--json', 'print the result (paths and verdict) as JSON on stdout')
    .action(async (baseline: string, candidates: string[], flags: CompareFlags) => {
      const runs = [baseline, ...candidates];
      for (const run of runs) await requireDirectory(run, 'run');
      const last = runs[runs.length - 1]!;
      const outDir = await reportOutDir(last, flags.out, comparePath(last, basename(resolve(baseline))), createLogger());
      const result = await stoppableBetweenFiles('compare', (signal) =>
        writeCompareReport(runs, {
          signal,
          outDir,
          thresholdPct: flags.threshold,
          errorThresholdPp: flags.errorThreshold,
          alpha: flags.alpha,
          minRepetitions: flags.minRepetitions,
          warnings: { thermalThresholdC: flags.thermalThreshold },
        }),
      );
      const log = createLogger();
      for (const note of result.notes) log.warn(note);
      if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else
        process.stdout.write(
          `verdict: ${result.verdict} (${result.regressions} regressed metric(s))\n${result.htmlPath}\n${result.summaryMdPath}\n${result.summaryJsonPath}\n${result.junitPath}\n`,
        );
      // Nothing comparable may hide a regression: it fails a gate as one does.
      if (flags.failOnRegression && (result.regressions > 0 || result.verdict === 'not-comparable')) process.exitCode = EXIT.regression;
    });
}
