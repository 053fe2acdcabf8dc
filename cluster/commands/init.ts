import { Command } from 'commander';
import { print, withControl } from './options.ts';

/** `cluster init` */
export function initCommand(): Command {
  return new Command('init')
    .description('make the swarm match the inventory: swarm init on the first manager, join the others with the right token, promote/demote, label')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const result = await withControl(command, {}, (control) => control.init());
      const list = (names: string[]) => names.join(', ') || 'none';
      print(
        flags.json
          ? JSON.stringify(result, null, 2)
          : `swarm ${result.created ? 'created' : 'kept'} on ${result.via}; joined: ${list(result.joined)}; promoted: ${list(result.promoted)}; demoted: ${list(result.demoted)}; labelled: ${list(result.labelled)}`,
      );
    });
}
