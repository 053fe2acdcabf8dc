import { Command, InvalidArgumentError } from 'commander';
import { runCli } from '../kernel/cli.ts';
import { createLogger } from '../kernel/log.ts';
import { EXIT } from '../kernel/errors.ts';
import { renderFindings, worstLevel } from './doctor/diagnose.ts';
import { runDoctor } from './doctor/probe.ts';
import { initCluster } from './swarm/init.ts';
import { renderTasks, taskRows } from './swarm/tasks.ts';
import { buildStatus, renderStatus } from './swarm/status.ts';
import { loadInventory } from './inventory/load.ts';
import { inventoryJsonSchema } from './inventory/schema.ts';
import { withCluster } from './session.ts';
import { NAMESPACE_LABEL } from './stack/convert.ts';
import { deployStack } from './stack/deploy.ts';
import { loadStack, stackFilePath, stackNameOf } from './stack/load.ts';
import { removeStack } from './stack/remove.ts';
import { parseScaleTarget, scaleServices } from './stack/scale.ts';
import { listNodes, listServices, listTasks } from './swarm/read.ts';

const log = createLogger();
const program = new Command('cluster')
  .description('Control a Docker Swarm cloudlet through the Docker Engine API, from an inventory file.')
  .option('--cluster <file>', 'inventory file (cluster/*.yml)', 'cluster/cloudlet.yml');

const inventoryPath = (): string => program.opts<{ cluster: string }>().cluster;
const print = (text: string): void => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return parsed;
}

interface WaitFlags {
  timeout: number;
  settle: number;
  json?: boolean;
}

function withWait(command: Command): Command {
  return command
    .option('--timeout <s>', 'give up waiting for convergence after this many seconds', positiveInt, 300)
    .option('--settle <ms>', 'converged must hold this long, in ms', positiveInt, 2000)
    .option('--json', 'print the result as JSON');
}

program
  .command('status')
  .description('nodes, roles, leader, reachability, engine versions, arch, availability and tasks per node')
  .option('--json', 'print JSON')
  .action(async (flags: { json?: boolean }) => {
    await withCluster(inventoryPath(), log, async (session) => {
      const [nodes, tasks] = await Promise.all([listNodes(session.engine), listTasks(session.engine, { desiredState: ['running'] })]);
      const status = buildStatus(session.loaded.inventory, nodes, tasks, session.engine.node, session.failed);
      print(flags.json ? JSON.stringify(status, null, 2) : renderStatus(status));
    });
  });

withWait(program.command('deploy <stack>'))
  .description('deploy a compose file (a path, or a name in stacks/) as `docker stack deploy` would, and wait for convergence')
  .option('--name <stack>', 'stack name (default: the file name without extension)')
  .action(async (stackArg: string, flags: WaitFlags & { name?: string }) => {
    const file = stackFilePath(stackArg);
    await withCluster(inventoryPath(), log, async (session) => {
      const stack = await loadStack(file, flags.name ?? stackNameOf(file), session.loaded.inventory);
      for (const warning of stack.plan.warnings) log.warn(warning);
      const result = await deployStack(session.engine, stack.plan, session.loaded.inventory, {
        timeoutMs: flags.timeout * 1000,
        settleMs: flags.settle,
        baseDir: stack.baseDir,
        log,
      });
      print(
        flags.json
          ? JSON.stringify(result, null, 2)
          : `stack ${result.stack}: ${result.created.length} created, ${result.updated.length} updated, ${result.unchanged.length} unchanged` +
              (result.created.length + result.updated.length ? `; converged in ${(result.convergenceMs / 1000).toFixed(1)} s` : ''),
      );
    });
  });

withWait(program.command('scale <targets...>'))
  .description('set replica counts (<service>=<n> ...) and wait for convergence; prints the time it took')
  .action(async (targets: string[], flags: WaitFlags) => {
    const parsed = targets.map(parseScaleTarget);
    await withCluster(inventoryPath(), log, async (session) => {
      const result = await scaleServices(session.engine, parsed, { timeoutMs: flags.timeout * 1000, settleMs: flags.settle, log });
      print(
        flags.json
          ? JSON.stringify(result, null, 2)
          : `${result.services.map((service) => `${service.name} ${service.from} → ${service.to}`).join(', ')}: converged in ${(result.convergenceMs / 1000).toFixed(1)} s`,
      );
    });
  });

program
  .command('rm <stack>')
  .description('remove a stack and wait until none of its tasks is left')
  .option('--timeout <s>', 'give up after this many seconds', positiveInt, 120)
  .option('--json', 'print the result as JSON')
  .action(async (stack: string, flags: { timeout: number; json?: boolean }) => {
    await withCluster(inventoryPath(), log, async (session) => {
      const result = await removeStack(session.engine, stack, { timeoutMs: flags.timeout * 1000, log });
      print(
        flags.json
          ? JSON.stringify(result, null, 2)
          : `stack ${stack} removed in ${(result.durationMs / 1000).toFixed(1)} s: ${result.services.length} services, ${result.networks.length} networks, ${result.secrets.length} secrets, ${result.configs.length} configs`,
      );
    });
  });

program
  .command('ps [stack]')
  .description('the current tasks of a stack (or of every service): node, desired and current state, error')
  .option('--json', 'print JSON')
  .action(async (stack: string | undefined, flags: { json?: boolean }) => {
    await withCluster(inventoryPath(), log, async (session) => {
      const [services, tasks, nodes] = await Promise.all([
        listServices(session.engine, stack ? `${NAMESPACE_LABEL}=${stack}` : undefined),
        listTasks(session.engine),
        listNodes(session.engine),
      ]);
      const rows = taskRows(services, tasks, nodes);
      print(flags.json ? JSON.stringify(rows, null, 2) : renderTasks(rows));
    });
  });

program
  .command('doctor')
  .description(
    'check the cluster, each finding with its fix: manager count, leader, nodes down or unreachable, clock skew, stack images per platform, disk (exit 1 on a failure)',
  )
  .option('--stack <files...>', 'also check the images of these stack files')
  .option('--max-skew <ms>', 'clock skew allowed between a node and this machine', positiveInt, 1000)
  .option('--strict', 'exit 1 on warnings too')
  .option('--json', 'print JSON')
  .action(async (flags: { stack?: string[]; maxSkew: number; strict?: boolean; json?: boolean }) => {
    const loaded = await loadInventory(inventoryPath());
    const extraImages: string[] = [];
    for (const file of flags.stack ?? []) {
      const path = stackFilePath(file);
      const stack = await loadStack(path, stackNameOf(path), loaded.inventory);
      extraImages.push(...stack.plan.services.map((service) => service.spec.TaskTemplate.ContainerSpec.Image));
    }
    const findings = await runDoctor(loaded, { extraImages, maxClockSkewMs: flags.maxSkew });
    print(flags.json ? JSON.stringify(findings, null, 2) : renderFindings(findings));
    const worst = worstLevel(findings);
    if (worst === 'fail' || (flags.strict && worst === 'warn')) process.exitCode = EXIT.regression;
  });

program
  .command('init')
  .description('make the swarm match the inventory: swarm init on the first manager, join the others with the right token, promote/demote, label')
  .option('--json', 'print JSON')
  .action(async (flags: { json?: boolean }) => {
    const result = await initCluster(await loadInventory(inventoryPath()), log);
    print(
      flags.json
        ? JSON.stringify(result, null, 2)
        : `swarm ${result.created ? 'created' : 'kept'} on ${result.via}; joined: ${result.joined.join(', ') || 'none'}; promoted: ${result.promoted.join(', ') || 'none'}; demoted: ${result.demoted.join(', ') || 'none'}; labelled: ${result.labelled.join(', ') || 'none'}`,
    );
  });

program
  .command('schema')
  .description('print the JSON Schema of inventory files (cluster/inventory.schema.json is this output)')
  .action(() => {
    print(JSON.stringify(inventoryJsonSchema(), null, 2));
  });

await runCli(program);
