import { Command } from 'commander';
import { print, withControl } from './options.ts';

/** `cluster stack config <stack>` */
export function stackCommand(): Command {
  const stack = new Command('stack').description('stack files as this cluster gets them');
  stack
    .command('config')
    .argument('<stack>', 'a compose file, or a name in stacks/ (coffee-shop, go-coffee, portainer)')
    .description(
      "print the effective stack file, as `docker stack config` does: variables filled (inventory values, then the environment; secrets included, as docker prints them), relative paths absolute, env_file merged, and the inventory's images, platform (nodes[].arch) and network (routingMesh) applied; `# ` lines first say what the inventory changed. `docker stack deploy -c -` takes it as it is",
    )
    .action(async (name: string, _flags: unknown, command: Command) => {
      print(await withControl(command, {}, (control) => control.stackConfig(name)));
    });
  return stack;
}
