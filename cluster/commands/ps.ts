import { Command } from 'commander';
import type { TaskRow } from '../swarm/tasks.ts';
import { print, withControl } from './options.ts';
import { table } from './table.ts';

/** `cluster ps [stack]` */
export function psCommand(): Command {
  return new Command('ps')
    .argument('[stack]', 'stack name (default: every service)')
    .description('the current tasks of a stack (or of every service): node, desired and current state, error')
    .option('--json', 'print JSON')
    .action(async (stack: string | undefined, flags: { json?: boolean }, command: Command) => {
      const rows = await withControl(command, {}, (control) => control.tasks(stack));
      print(flags.json ? JSON.stringify(rows, null, 2) : renderTasks(rows));
    });
}

export function renderTasks(rows: TaskRow[]): string {
  return `${table([['SERVICE', 'SLOT', 'NODE', 'DESIRED', 'STATE', 'ERROR'], ...rows.map((row) => [row.service, row.slot === undefined ? '' : String(row.slot), row.node, row.desiredState, row.state, row.error])])}\n`;
}
