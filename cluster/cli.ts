import { Command } from 'commander';
import { runCli } from '../bench/cli/main.ts';
import { createLogger } from '../bench/log.ts';
import { buildStatus, renderStatus } from './commands/status.ts';
import { inventoryJsonSchema } from './inventory/schema.ts';
import { withCluster } from './session.ts';
import { listNodes, listTasks } from './swarm/read.ts';

const log = createLogger();
const program = new Command('cluster')
  .description('Control a Docker Swarm cloudlet through the Docker Engine API, from an inventory file.')
  .option('--cluster <file>', 'inventory file (cluster/*.yml)', 'cluster/cloudlet.yml');

const inventoryPath = (): string => program.opts<{ cluster: string }>().cluster;

program
  .command('status')
  .description('nodes, roles, leader, reachability, engine versions, arch, availability and tasks per node')
  .option('--json', 'print JSON')
  .action(async (flags: { json?: boolean }) => {
    await withCluster(inventoryPath(), log, async (session) => {
      const [nodes, tasks] = await Promise.all([listNodes(session.engine), listTasks(session.engine, { desiredState: ['running'] })]);
      const status = buildStatus(session.loaded.inventory, nodes, tasks, session.engine.node, session.failed);
      process.stdout.write(flags.json ? `${JSON.stringify(status, null, 2)}\n` : renderStatus(status));
    });
  });

program
  .command('schema')
  .description('print the JSON Schema of inventory files (cluster/inventory.schema.json is this output)')
  .action(() => {
    process.stdout.write(`${JSON.stringify(inventoryJsonSchema(), null, 2)}\n`);
  });

await runCli(program);
