import { Command } from 'commander';
import { intArg } from '../../kernel/args.ts';
import { runCli } from '../../kernel/cli.ts';
import { createLogger } from '../../kernel/log.ts';
import { DEFAULT_OPTIONS, type TestbedOptions } from './layout.ts';
import { testbedDown, testbedStatus, testbedUp } from './testbed.ts';

interface Flags {
  id: number;
  nodes: number;
  managers: number;
  dir?: string;
}

function withCommon(command: Command): Command {
  return command
    .option('--id <n>', 'testbed id 1–39 (names, subnet 192.168.<210+id>.0/24, folder)', intArg(1, 39), DEFAULT_OPTIONS.id)
    .option('--dir <path>', 'state folder (default /tmp/cloudlet-testbed-<id>)');
}

function options(flags: Flags): TestbedOptions {
  return {
    id: flags.id,
    nodes: flags.nodes ?? DEFAULT_OPTIONS.nodes,
    managers: flags.managers ?? DEFAULT_OPTIONS.managers,
    dir: flags.dir ?? `/tmp/cloudlet-testbed-${flags.id}`,
  };
}

const program = new Command('testbed').description(
  'A simulated cloudlet: Docker engines in network namespaces, one swarm, sshd and thermal fixtures per node (root, Linux).',
);
const log = createLogger();

withCommon(program.command('up'))
  .description('start the testbed and print the path of the inventory it wrote')
  .option('--nodes <n>', 'number of nodes', intArg(1, 9), DEFAULT_OPTIONS.nodes)
  .option('--managers <n>', 'how many of them are managers', intArg(1, 9), DEFAULT_OPTIONS.managers)
  .option('--no-swarm', 'leave the engines outside any swarm (the inventory still says who is a manager): for `cluster init`')
  .option('--no-shop-image', 'skip building and loading the reference coffee shop image (saves about 8 s)')
  .action(async (flags: Flags & { swarm: boolean; shopImage: boolean }) => {
    const up = await testbedUp({ ...options(flags), swarm: flags.swarm, shopImage: flags.shopImage }, log);
    log.info(
      `testbed ${flags.id} up in ${(up.durationMs / 1000).toFixed(1)} s: ${up.layout.nodes.map((node) => `${node.name} ${node.ip} ${node.role}`).join(', ')}`,
    );
    process.stdout.write(`${up.inventoryPath}\n`);
  });

withCommon(program.command('down'))
  .description('remove everything the testbed made')
  .action(async (flags: Flags) => {
    const started = Date.now();
    await testbedDown(options(flags), log);
    log.info(`testbed ${flags.id} down in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

withCommon(program.command('status'))
  .description('show whether each node has its engine and sshd (exit 1 when not all are up)')
  .option('--json', 'print JSON')
  .action(async (flags: Flags & { json?: boolean }) => {
    const status = await testbedStatus(options(flags));
    if (flags.json) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    else if (status.nodes.length === 0) process.stdout.write(`testbed ${flags.id} is down\n`);
    else {
      process.stdout.write(`inventory: ${status.inventoryPath}\n`);
      for (const node of status.nodes)
        process.stdout.write(`${node.name}\t${node.ip}\t${node.role}\tengine ${node.engine ? 'up' : 'DOWN'}\tsshd ${node.sshd ? 'up' : 'DOWN'}\n`);
    }
    if (!status.up) process.exitCode = 1;
  });

await runCli(program);
