import { errorMessage } from '../../kernel/errors.ts';
import type { Logger } from '../../kernel/log.ts';
import { poll } from '../../kernel/poll.ts';
import { connectNode, type Engine } from '../engine/engine.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import { NAMESPACE_LABEL } from '../stack/convert.ts';
import { removeStack } from '../stack/remove.ts';
import type { SwarmNode } from './model.ts';
import { listNodes, listServices } from './read.ts';

/**
 * `cluster teardown`: what the seed's remove_cluster.sh did, over the inventory and the Engine API:
 * every stack removed, workers and then managers out of the swarm (managers demoted first while
 * the swarm still has its quorum, the one we talk through last), and, when asked, each engine
 * pruned (containers stopped and removed, unused networks, dangling images, volumes). Engines are
 * not restarted. `cluster init` builds the swarm again.
 */

export interface TeardownOptions {
  prune: boolean;
  /** With prune: volumes too (a stack's data, e.g. postgres's). */
  volumes: boolean;
  timeoutMs: number;
}

export interface NodeTeardown {
  node: string;
  /** The swarm role the node had: manager, worker, or none (not in a swarm). */
  role: 'manager' | 'worker' | 'none';
  demoted: boolean;
  left: boolean;
  pruned?: { containers: number; networks: number; images: number; volumes: number };
  /** Why the node could not be torn down (unreachable, an engine error). */
  error?: string;
}

export interface TeardownPlan {
  stacks: string[];
  /** In leaving order. */
  nodes: Array<{ node: string; role: NodeTeardown['role']; error?: string }>;
}

export interface TeardownResult {
  stacks: string[];
  nodes: NodeTeardown[];
  durationMs: number;
}

interface Member {
  node: string;
  engine: Engine | undefined;
  role: NodeTeardown['role'];
  nodeId: string;
  error?: string;
}

interface SwarmInfo {
  Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean; NodeID?: string };
}

/** Pure: workers first, then managers, the keeper (the manager we talk through) last. */
export function leavingOrder<T extends { node: string; role: NodeTeardown['role'] }>(members: T[], keeper: string | undefined): T[] {
  const rank = (member: T) => (member.role === 'manager' ? (member.node === keeper ? 2 : 1) : 0);
  return [...members].sort((a, b) => rank(a) - rank(b));
}

/** Stacks on the swarm: the distinct stack labels of its services. */
async function stacksOn(engine: Engine): Promise<string[]> {
  const names = (await listServices(engine)).map((service) => service.Spec.Labels?.[NAMESPACE_LABEL]).filter((name): name is string => Boolean(name));
  return [...new Set(names)].sort();
}

async function members(loaded: LoadedInventory): Promise<Member[]> {
  const nodes = loaded.inventory.nodes;
  const connected = await Promise.allSettled(nodes.map((node) => connectNode(loaded, node)));
  return Promise.all(
    connected.map(async (outcome, index): Promise<Member> => {
      const node = nodes[index]!.name;
      if (outcome.status === 'rejected') return { node, engine: undefined, role: 'none', nodeId: '', error: errorMessage(outcome.reason) };
      try {
        const info = (await outcome.value.docker.info()) as SwarmInfo;
        const active = info.Swarm?.LocalNodeState && info.Swarm.LocalNodeState !== 'inactive';
        return {
          node,
          engine: outcome.value,
          role: !active ? 'none' : info.Swarm?.ControlAvailable ? 'manager' : 'worker',
          nodeId: info.Swarm?.NodeID ?? '',
        };
      } catch (error) {
        return { node, engine: outcome.value, role: 'none', nodeId: '', error: errorMessage(error) };
      }
    }),
  );
}

/** The plan (stacks, nodes in leaving order); `keeper` is the manager `manager` talks through. */
export async function planTeardown(loaded: LoadedInventory, manager: Engine | undefined): Promise<TeardownPlan> {
  const found = await members(loaded);
  try {
    return {
      stacks: manager ? await stacksOn(manager) : [],
      nodes: leavingOrder(found, manager?.node).map(({ node, role, error }) => ({ node, role, ...(error ? { error } : {}) })),
    };
  } finally {
    for (const member of found) member.engine?.close();
  }
}

export async function teardownCluster(loaded: LoadedInventory, manager: Engine | undefined, options: TeardownOptions, log: Logger): Promise<TeardownResult> {
  const started = Date.now();
  const stacks = manager ? await stacksOn(manager) : [];
  for (const stack of stacks) {
    log.info(`removing stack ${stack}`);
    await removeStack(manager!, stack, { timeoutMs: options.timeoutMs, log });
  }
  const found = await members(loaded);
  const keeper = found.find((member) => member.node === manager?.node && member.role === 'manager');
  const results: NodeTeardown[] = [];
  try {
    for (const member of leavingOrder(found, keeper?.node)) {
      const result: NodeTeardown = { node: member.node, role: member.role, demoted: false, left: false };
      results.push(result);
      if (!member.engine || member.error) {
        result.error = member.error ?? 'unreachable';
        log.warn(`${member.node}: ${result.error}`);
        continue;
      }
      try {
        if (member.role === 'manager' && keeper && member !== keeper) result.demoted = await demote(keeper.engine!, member, log);
        if (member.role !== 'none') {
          await member.engine.docker.swarmLeave({ force: true });
          result.left = true;
        }
        if (options.prune) result.pruned = await prune(member.engine, options.volumes);
        log.info(describeNode(result));
      } catch (error) {
        result.error = errorMessage(error);
        log.warn(`${member.node}: ${result.error}`);
      }
    }
  } finally {
    for (const member of found) member.engine?.close();
  }
  return { stacks, nodes: results, durationMs: Date.now() - started };
}

/** A manager becomes a worker through the keeper while the swarm still has its quorum; false when that fails (it then leaves by force). */
async function demote(keeper: Engine, member: Member, log: Logger): Promise<boolean> {
  try {
    const node = (await keeper.docker.getNode(member.nodeId).inspect()) as SwarmNode;
    await keeper.docker.getNode(member.nodeId).update({ _query: { version: node.Version?.Index }, _body: { ...node.Spec, Role: 'worker' } } as object);
    await poll(`${member.node} to be a worker`, 30_000, async () => {
      const listed = (await listNodes(keeper)).find((candidate) => candidate.ID === member.nodeId);
      return listed?.Spec.Role === 'worker' && !listed.ManagerStatus ? true : undefined;
    });
    return true;
  } catch (error) {
    log.warn(`${member.node}: could not demote it first (${errorMessage(error)}); it leaves by force`);
    return false;
  }
}

async function prune(engine: Engine, volumes: boolean): Promise<NonNullable<NodeTeardown['pruned']>> {
  const { docker } = engine;
  for (const container of (await docker.listContainers()) as Array<{ Id: string }>)
    await docker
      .getContainer(container.Id)
      .stop({ t: 5 })
      .catch(() => undefined);
  const containers = (await docker.pruneContainers()) as { ContainersDeleted?: string[] | null };
  const networks = (await docker.pruneNetworks()) as { NetworksDeleted?: string[] | null };
  const images = (await docker.pruneImages()) as { ImagesDeleted?: unknown[] | null };
  const removed = volumes ? ((await docker.pruneVolumes()) as { VolumesDeleted?: string[] | null }) : {};
  return {
    containers: containers.ContainersDeleted?.length ?? 0,
    networks: networks.NetworksDeleted?.length ?? 0,
    images: images.ImagesDeleted?.length ?? 0,
    volumes: removed.VolumesDeleted?.length ?? 0,
  };
}

/** `node2 (worker): left the swarm; pruned 3 containers, 1 network, 0 images` */
export function describeNode(result: NodeTeardown): string {
  const parts = [
    result.demoted ? 'demoted' : '',
    result.left ? 'left the swarm' : result.role === 'none' && !result.error ? 'was in no swarm' : '',
    result.pruned
      ? `pruned ${result.pruned.containers} containers, ${result.pruned.networks} networks, ${result.pruned.images} images, ${result.pruned.volumes} volumes`
      : '',
    result.error ? `failed: ${result.error}` : '',
  ].filter(Boolean);
  return `${result.node} (${result.role === 'none' ? 'no swarm' : result.role}): ${parts.join('; ') || 'nothing to do'}`;
}
