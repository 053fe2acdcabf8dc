import { Command } from 'commander';
import { print, type WaitFlags, withControl, withWait } from './options.ts';

/** `cluster deploy <stack>` */
export function deployCommand(): Command {
  return withWait(new Command('deploy').argument('<stack>', 'a compose file, or a name in stacks/ (coffee-shop, go-coffee, portainer)'))
    .description('deploy a compose file as `docker stack deploy` would, and wait for convergence')
    .option('--name <stack>', 'stack name (default: the file name without extension)')
    .action(async (stack: string, flags: WaitFlags & { name?: string }, command: Command) => {
      const result = await withControl(command, { timeoutMs: flags.timeout, settleMs: flags.settle }, (control) => control.deploy(stack, { name: flags.name }));
      const changed = result.created.length + result.updated.length;
      print(
        flags.json
          ? JSON.stringify(result, null, 2)
          : `stack ${result.stack}: ${result.created.length} created, ${result.updated.length} updated, ${result.unchanged.length} unchanged` +
              (changed ? `; converged in ${(result.convergenceMs / 1000).toFixed(1)} s` : ''),
      );
    });
}
