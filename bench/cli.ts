/**
 * `npm run bench -- <command>`: one file per command in bench/commands/. With no command, `run`
 * runs the embedded default (the reference shop on this machine, a short matrix, a report).
 */
import { Command } from 'commander';
import { runCli } from '../kernel/cli.ts';
import { backfillCommand } from './commands/backfill.ts';
import { compareCommand } from './commands/compare.ts';
import { nightlyCommand } from './commands/nightly.ts';
import { planCommand } from './commands/plan.ts';
import { reportCommand } from './commands/report.ts';
import { resumeCommand } from './commands/resume.ts';
import { runCommand } from './commands/run.ts';
import { schemaCommand } from './commands/schema.ts';

const program = new Command('bench')
  .description(
    'Reproducible load tests of the Go coffee shop on a cloudlet. With no command: run the embedded default (reference shop on this machine, a short matrix, a report).',
  )
  .helpCommand(true)
  .addCommand(runCommand(), { isDefault: true });
for (const command of [resumeCommand, nightlyCommand, planCommand, schemaCommand, reportCommand, compareCommand, backfillCommand])
  program.addCommand(command());

await runCli(program);
