import { Command, Option } from 'commander';
import { durationArg } from '../../kernel/args.ts';
import { EXIT } from '../../kernel/errors.ts';
import { type Finding, worstLevel } from '../doctor/diagnose.ts';
import { print, withControl } from './options.ts';
import { table } from './table.ts';

/** `cluster doctor` */
export function doctorCommand(): Command {
  return new Command('doctor')
    .description(
      `check the cluster, each finding with its fix: manager count, leader, nodes down or unreachable, clock skew, stack images per platform, disk (exit ${EXIT.regression} on a failure)`,
    )
    .option(
      '--stack <files...>',
      "also check the images of these stack files, as this cluster gets them (see `stack config`); a missing image's fix names the command that builds or loads it",
    )
    .addOption(
      new Option('--max-skew <duration>', 'clock skew allowed between a node and this machine, e.g. 500ms or 1s (a bare number is milliseconds)')
        .argParser(durationArg({ bareUnit: 'ms' }))
        .default(1000, '1s'),
    )
    .option('--strict', `exit ${EXIT.regression} on warnings too`)
    .option('--json', 'print JSON')
    .action(async (flags: { stack?: string[]; maxSkew: number; strict?: boolean; json?: boolean }, command: Command) => {
      const findings = await withControl(command, {}, (control) => control.doctor({ stacks: flags.stack, maxClockSkewMs: flags.maxSkew }));
      print(flags.json ? JSON.stringify(findings, null, 2) : renderFindings(findings));
      const worst = worstLevel(findings);
      if (worst === 'fail' || (flags.strict && worst === 'warn')) process.exitCode = EXIT.regression;
    });
}

export function renderFindings(findings: Finding[]): string {
  const rows = findings.map((finding) => [
    finding.level.toUpperCase(),
    finding.check,
    finding.node ?? '',
    finding.message + (finding.fix ? `\n    fix: ${finding.fix}` : ''),
  ]);
  return `${table([['LEVEL', 'CHECK', 'NODE', 'FINDING'], ...rows])}\n`;
}
