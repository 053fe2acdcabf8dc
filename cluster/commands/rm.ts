import { Command } from 'commander';
import { print, timeoutOption, withControl } from './options.ts';

/** `cluster rm <stack>` */
export function rmCommand(): Command {
  return new Command('rm')
    .argument('<stack>', 'stack name')
    .description('remove a stack and wait until none of its tasks is left')
    .addOption(timeoutOption(120_000, 'waiting for the tasks to go'))
    .option('--json', 'print the result as JSON')
    .action(async (stack: string, flags: { timeout: number; json?: boolean }, command: Command) => {
      const result = await withControl(command, { timeoutMs: flags.timeout }, (control) => control.remove(stack));
      print(
        flags.json
          ? JSON.stringify(result, null, 2)
          : `stack ${stack} removed in ${(result.durationMs / 1000).toFixed(1)} s: ${result.services.length} services, ${result.networks.length} networks, ${result.secrets.length} secrets, ${result.configs.length} configs`,
      );
    });
}
