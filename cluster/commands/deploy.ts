import { Command } from 'commander';
import { print, type WaitFlags, withControl, withWait } from './options.ts';

/** `cluster deploy <stack>` */
export function deployCommand(): Command {
  return withWait(new Command('deploy').argument('<stack>', 'a compose file, or a name in stacks/ (coffee-shop, go-coffee, portainer)'))
    .description(
      'deploy a compose file as `docker stack deploy` would, adapted to the inventory (images, platform, network: see `stack config`), and wait for convergence. Everything is checked first (variables, files, placement, images on the nodes with imagePolicy local): a deploy with a problem reports all of them and changes nothing',
    )
    .option('--name <stack>', 'stack name (default: the file name without extension)')
    .option('--detach', 'return once the services are created or updated, without waiting for convergence (as `docker stack deploy` does)')
    .action(async (stack: string, flags: WaitFlags & { name?: string; detach?: boolean }, command: Command) => {
      const result = await withControl(command, { timeoutMs: flags.timeout, settleMs: flags.settle }, (control) =>
        control.deploy(stack, { name: flags.name, wait: !flags.detach }),
      );
      const changed = result.created.length + result.updated.length;
      print(
        flags.json
          ? JSON.stringify(result, null, 2)
          : `stack ${result.stack}: ${result.created.length} created, ${result.updated.length} updated, ${result.unchanged.length} unchanged` +
              (changed && !flags.detach ? `; converged in ${(result.convergenceMs / 1000).toFixed(1)} s` : ''),
      );
    });
}
