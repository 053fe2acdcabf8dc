import { Command } from 'commander';
import type { ClusterStatus } from '../swarm/status.ts';
import { print, withControl } from './options.ts';
import { table } from './table.ts';

/** `cluster status` */
export function statusCommand(): Command {
  return new Command('status')
    .description('nodes, roles, leader, reachability, engine versions, arch, availability and tasks per node')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const status = await withControl(command, {}, (control) => control.status());
      print(flags.json ? JSON.stringify(status, null, 2) : renderStatus(status));
    });
}

/** A plain table for people; --json prints the ClusterStatus itself. */
export function renderStatus(status: ClusterStatus): string {
  const header = ['NODE', 'HOST', 'ROLE', 'LEADER', 'STATE', 'AVAIL', 'REACH', 'ENGINE', 'ARCH', 'TASKS'];
  const rows = status.nodes.map((node) => [
    node.name,
    node.host,
    node.expectedRole && node.expectedRole !== node.role ? `${node.role} (want ${node.expectedRole})` : node.role,
    node.leader ? 'leader' : '',
    node.state,
    node.availability,
    node.reachability,
    node.engineVersion,
    node.expectedArch && node.expectedArch !== node.arch && node.arch ? `${node.arch} (want ${node.expectedArch})` : node.arch,
    String(node.runningTasks),
  ]);
  const lines = [`cluster ${status.cluster} via ${status.via}; leader: ${status.leader ?? 'NONE'}`];
  for (const failed of status.unreachableManagers) lines.push(`manager ${failed.node} did not answer: ${failed.error}`);
  lines.push(table([header, ...rows]));
  return `${lines.join('\n')}\n`;
}
