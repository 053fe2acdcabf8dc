import { Command, Option } from 'commander';
import { intArg, listArg } from '../../kernel/args.ts';
import type { ImageLoadResult } from '../images/load.ts';
import { print, withControl } from './options.ts';
import { table } from './table.ts';

/** `cluster images load [stack...]` */
export function imagesCommand(): Command {
  const images = new Command('images').description('images on the nodes, without a registry');
  images
    .command('load')
    .argument('[stacks...]', 'only the images of these stacks, as this cluster gets them (see `stack config`); default: every image built')
    .description(
      "load the images `npm run shop -- images-real` built (its index.json) into every node's engine through the Engine API over SSH, each node the images of its platform (the inventory's nodes[].arch, else what its engine reports); an image a node already has (same id) is skipped. Every problem (an image not built for a node's platform, a node not answering) is reported before anything is loaded",
    )
    .addOption(new Option('--node <names>', 'only these nodes, comma-separated').argParser(listArg((name) => name)))
    .addOption(new Option('--parallel <n>', 'nodes loaded at the same time').argParser(intArg(1, 16)).default(2))
    .option('--dry-run', 'say what would be loaded, load nothing')
    .option('--json', 'print the result as JSON')
    .action(async (stacks: string[], flags: { node?: string[]; parallel: number; dryRun?: boolean; json?: boolean }, command: Command) => {
      const result = await withControl(command, {}, (control) =>
        control.loadImages(stacks, { ...(flags.node ? { nodes: flags.node } : {}), parallel: flags.parallel, dryRun: flags.dryRun }),
      );
      print(flags.json ? JSON.stringify(result, null, 2) : renderLoad(result, Boolean(flags.dryRun)));
    });
  return images;
}

export function renderLoad(result: ImageLoadResult, dryRun: boolean): string {
  const verb = { load: dryRun ? 'to load' : 'loaded', tag: dryRun ? 'to tag' : 'tagged', present: 'present' } as const;
  const rows = result.actions.map((action) => [
    action.node,
    action.platform,
    action.image,
    verb[action.action],
    `${(action.bytes / 1e6).toFixed(0)} MB`,
    action.durationMs === undefined ? '' : `${(action.durationMs / 1000).toFixed(1)} s`,
  ]);
  const loaded = result.actions.filter((action) => action.action === 'load');
  const lines = [table([['NODE', 'PLATFORM', 'IMAGE', 'ACTION', 'SIZE', 'TIME'], ...rows])];
  if (result.notOurs.length) lines.push(`not built here (pulled from a registry, or loaded by you): ${result.notOurs.join(', ')}`);
  lines.push(
    `${loaded.length} ${dryRun ? 'to load' : 'loaded'} (${(loaded.reduce((sum, a) => sum + a.bytes, 0) / 1e6).toFixed(0)} MB), ${result.actions.length - loaded.length} already there; ${(result.durationMs / 1000).toFixed(1)} s`,
  );
  return `${lines.join('\n')}\n`;
}
