import { openCluster } from '../../cluster/control.ts';
import { sshTarget } from '../../cluster/inventory/load.ts';
import type { StackPlan } from '../../cluster/stack/convert.ts';
import { stackFilePath, stackNameOf } from '../../cluster/stack/load.ts';
import type { BenchConfig } from '../config.ts';
import { EnvironmentError, UsageError } from '../../kernel/errors.ts';
import type { Logger } from '../../kernel/log.ts';
import { startClusterSampler, type SampledNode } from '../nodes/cluster.ts';
import type { RemoteGeneratorSpec } from '../load/remote.ts';
import { waitUntilAnswering } from './ready.ts';
import type { Target } from './target.ts';

/**
 * A swarm from an inventory: the stack is deployed once (a no-op when it is already there), each
 * point scales its services and waits for convergence, the load goes to every node running the
 * entry service (no routing mesh on the testbed; on the phones it spreads the load the same way),
 * and every node is sampled over SSH. When the manager it talks to is lost, cluster control carries
 * on through another manager of the inventory (failover). On close, the replicas go back to the stack's declared counts.
 */

const READY_TIMEOUT_MS = 60_000;

/** Pure: the services of a stack that run postgres and rabbitmq, by their images (the file's or the cluster's: postgres:14-alpine, cloudlet/go-coffee-postgres). */
export function stateServices(plan: StackPlan): { postgres: string | undefined; rabbitmq: string | undefined } {
  const running = (server: string) =>
    plan.services.find((service) => new RegExp(`(?:^|[/-])${server}(?:[:@]|$)`).test(service.spec.TaskTemplate.ContainerSpec.Image))?.name;
  return { postgres: running('postgres'), rabbitmq: running('rabbitmq') };
}
/** Raft needs 11–18 s for a new leader on the testbed; allow several times that. */
const MANAGER_FAILOVER_MS = 90_000;

export async function swarmTarget(config: BenchConfig, inventoryPath: string, logger: Logger, options: { acceptNewHostKeys?: boolean } = {}): Promise<Target> {
  if (config.target.kind !== 'swarm') throw new UsageError('swarmTarget needs target.kind: swarm');
  const target = config.target;
  const control = await openCluster(inventoryPath, logger, {
    settleMs: config.settleS * 1000,
    failoverMs: MANAGER_FAILOVER_MS,
    acceptNewHostKeys: options.acceptNewHostKeys,
  });
  const stackName = target.stackName ?? stackNameOf(stackFilePath(target.stack));
  const fullName = (service: string) => (service.startsWith(`${stackName}_`) ? service : `${stackName}_${service}`);

  logger.progress(`deploying ${target.stack} as ${stackName}`);
  const deployed = await control.deploy(target.stack, { name: stackName });
  const state = stateServices((await control.stack(target.stack, { name: stackName })).plan);
  logger.info(`stack ${stackName}: ${deployed.created.length} created, ${deployed.updated.length} updated, ${deployed.unchanged.length} unchanged`);

  const inventory = control.loaded;
  const nodes: SampledNode[] = inventory.inventory.nodes.map((node) => ({ name: node.name, ssh: sshTarget(inventory, node) }));
  const generators: RemoteGeneratorSpec[] = inventory.inventory.generators.map((g) => ({
    name: g.name,
    ssh: sshTarget(inventory, g),
    command: g.command,
    workdir: g.workdir,
  }));
  const declared = new Map<string, number>();
  let closed = false;

  return {
    async describe() {
      const [cluster, images] = await Promise.all([control.snapshot(), control.images(stackName)]);
      return { cluster, images, inventory: { path: inventory.path, ...inventory.inventory } };
    },
    async prepare(spec) {
      const scaled = await control.scale(Object.entries(spec.replicas).map(([service, replicas]) => ({ service: fullName(service), replicas })));
      for (const service of scaled.services) if (!declared.has(service.name)) declared.set(service.name, service.from);
      const placements = await control.placements(fullName(target.entryService));
      const baseUrls = [...new Set(placements.map((p) => `http://${p.host}:${target.entryPort}`))];
      if (baseUrls.length === 0) throw new EnvironmentError(`no running task of ${fullName(target.entryService)} to send load to`);
      // Swarm says "running" when the container started; the gateway may still be starting up.
      for (const url of baseUrls) await waitUntilAnswering(url, READY_TIMEOUT_MS);
      return { baseUrls, convergenceMs: scaled.convergenceMs, release: async () => undefined };
    },
    startSampler: (onSample, onEvent) => startClusterSampler({ nodes, onSample, onEvent }),
    generators: () => generators,
    nodeNames: () => nodes.map((n) => n.name),
    shopState: () => ({ kind: 'swarm', stack: stackName, ...state, control }),
    async close() {
      if (closed) return;
      closed = true;
      try {
        const back = [...declared].map(([service, replicas]) => ({ service, replicas }));
        if (back.length > 0) {
          logger.progress(`restoring declared replicas: ${back.map((b) => `${b.service}=${b.replicas}`).join(' ')}`);
          await control.scale(back);
          logger.done();
        }
        if (target.removeAtEnd) await control.remove(stackName);
      } finally {
        control.close();
      }
    },
  };
}
