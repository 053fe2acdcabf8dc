import { createInterface } from 'node:readline/promises';
import { Command } from 'commander';
import { UsageError } from '../../kernel/errors.ts';
import { describeNode, type TeardownPlan } from '../swarm/teardown.ts';
import { print, timeoutOption, withControl } from './options.ts';

/** `cluster teardown` */
export function teardownCommand(): Command {
  return new Command('teardown')
    .description(
      "take the cluster apart, as the seed's remove_cluster.sh did: remove every stack, then workers and then managers leave the swarm (managers are demoted first), and with --prune stop every container and prune each engine. Asks first (--yes skips; without a terminal --yes is required). `cluster init` builds the swarm again",
    )
    .option('--prune', 'also stop every container and remove stopped containers, unused networks and dangling images on each node')
    .option('--volumes', "with --prune: remove unused volumes too (a stack's data, e.g. postgres)")
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--dry-run', 'say what would be done, change nothing')
    .addOption(timeoutOption(120_000, "waiting for each stack's tasks to go"))
    .option('--json', 'print the result as JSON')
    .action(async (flags: { prune?: boolean; volumes?: boolean; yes?: boolean; dryRun?: boolean; timeout: number; json?: boolean }, command: Command) => {
      if (flags.volumes && !flags.prune) throw new UsageError('--volumes goes with --prune');
      if (!flags.yes && !flags.dryRun && !process.stdin.isTTY) {
        throw new UsageError('cluster teardown asks for confirmation and this is not a terminal: pass --yes to tear the cluster down without asking');
      }
      await withControl(command, { timeoutMs: flags.timeout }, async (control) => {
        const name = control.loaded.inventory.name;
        if (flags.dryRun || !flags.yes) {
          const plan = await control.teardownPlan();
          const text = renderPlan(name, plan, Boolean(flags.prune), Boolean(flags.volumes));
          if (flags.dryRun) return print(flags.json ? JSON.stringify(plan, null, 2) : text);
          process.stderr.write(text);
          if (!(await confirm(`tear down cluster ${name}? [y/N] `))) throw new UsageError('not confirmed: nothing was changed');
        }
        const result = await control.teardown({ prune: Boolean(flags.prune), volumes: Boolean(flags.volumes) });
        print(
          flags.json
            ? JSON.stringify(result, null, 2)
            : [
                `cluster ${name}: ${result.stacks.length ? `removed stacks ${result.stacks.join(', ')}` : 'no stack to remove'}`,
                ...result.nodes.map(describeNode),
                `done in ${(result.durationMs / 1000).toFixed(1)} s; \`cluster init\` builds the swarm again`,
              ].join('\n'),
        );
        const failed = result.nodes.filter((node) => node.error);
        if (failed.length) throw new UsageError(failed.map((node) => `${node.node}: ${node.error}`).join('\n'));
      });
    });
}

export function renderPlan(cluster: string, plan: TeardownPlan, prune: boolean, volumes: boolean): string {
  const lines = [
    `cluster ${cluster}:`,
    `  remove stacks: ${plan.stacks.join(', ') || 'none'}`,
    ...plan.nodes.map(
      (node) =>
        `  ${node.node} (${node.role === 'none' ? 'no swarm' : node.role}): ${node.error ? `unreachable (${node.error})` : node.role === 'none' ? 'nothing to leave' : 'leave the swarm'}${prune && !node.error ? `, prune${volumes ? ' with volumes' : ''}` : ''}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
