import { EnvironmentError, errorMessage } from '../../kernel/errors.ts';
import type { Logger } from '../../kernel/log.ts';
import { connectNode, type Engine } from '../engine/engine.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import type { InventoryNode } from '../inventory/schema.ts';
import { formSwarm, localSwarmState, type SwarmMember } from './form.ts';
import type { SwarmNode } from './model.ts';
import { listNodes } from './read.ts';
import { poll } from '../../kernel/poll.ts';
import { matchNode } from './status.ts';

export interface InitResult {
  /** The manager the swarm was built around (created there if there was no swarm). */
  via: string;
  created: boolean;
  joined: string[];
  promoted: string[];
  demoted: string[];
  labelled: string[];
}

/** Pure: the role and label changes that make the swarm match the inventory. */
export function roleChanges(
  inventory: InventoryNode[],
  swarm: SwarmNode[],
): Array<{
  node: InventoryNode;
  swarmNode: SwarmNode;
  role: 'manager' | 'worker';
  labels: Record<string, string>;
  roleChanged: boolean;
  labelsChanged: boolean;
}> {
  const changes = [];
  for (const node of inventory) {
    const swarmNode = matchNode(node, swarm);
    if (!swarmNode) continue;
    const labels = { ...swarmNode.Spec.Labels, ...node.labels };
    const roleChanged = swarmNode.Spec.Role !== node.role;
    const labelsChanged = Object.entries(node.labels).some(([key, value]) => swarmNode.Spec.Labels?.[key] !== value);
    if (roleChanged || labelsChanged) changes.push({ node, swarmNode, role: node.role, labels, roleChanged, labelsChanged });
  }
  // Promote before demoting, so the manager count never dips below what keeps quorum.
  return changes.sort((a, b) => (a.role === b.role ? 0 : a.role === 'manager' ? -1 : 1));
}

/**
 * Makes the swarm match the inventory: `swarm init` on the first manager when there is no swarm,
 * joins every other node with the token for its role (over the SSH tunnel to its engine), then
 * promotes, demotes and labels nodes. Running it again changes nothing.
 */
export async function initCluster(loaded: LoadedInventory, log: Logger): Promise<InitResult> {
  const nodes = loaded.inventory.nodes;
  const connected = await Promise.allSettled(nodes.map((node) => connectNode(loaded, node)));
  const engines: Engine[] = [];
  const failures: string[] = [];
  connected.forEach((outcome, index) => {
    if (outcome.status === 'fulfilled') engines.push(outcome.value);
    else failures.push(`${nodes[index]!.name}: ${errorMessage(outcome.reason)}`);
  });
  try {
    if (failures.length) throw new EnvironmentError(`init needs every node; unreachable: ${failures.join('; ')}`);
    const members: SwarmMember[] = nodes.map((node, index) => ({ engine: engines[index]!, name: node.name, addr: node.host, role: node.role }));
    const states = await Promise.all(members.map((member) => localSwarmState(member.engine)));
    const withControl = members.findIndex((member, index) => states[index]!.controlAvailable && member.role === 'manager');
    const anyControl = withControl >= 0 ? withControl : states.findIndex((state) => state.controlAvailable);
    const firstIndex = anyControl >= 0 ? anyControl : members.findIndex((member) => member.role === 'manager');
    const first = members[firstIndex]!;
    const created = states[firstIndex]!.state !== 'active';
    const joined = members.filter((_member, index) => index !== firstIndex && states[index]!.state !== 'active').map((member) => member.name);
    await formSwarm(
      first,
      members.filter((_member, index) => index !== firstIndex),
      (message) => log.info(message),
    );

    const result: InitResult = { via: first.name, created, joined, promoted: [], demoted: [], labelled: [] };
    const swarm = await poll('joined nodes to register', 30_000, async () => {
      const listed = await listNodes(first.engine);
      return nodes.every((node) => matchNode(node, listed)) ? listed : undefined;
    });
    for (const change of roleChanges(nodes, swarm)) {
      const fresh = (await first.engine.docker.getNode(change.swarmNode.ID).inspect()) as SwarmNode;
      log.info(`${change.node.name}: ${change.roleChanged ? `${change.swarmNode.Spec.Role} → ${change.role}` : 'labels'}`);
      await first.engine.docker
        .getNode(fresh.ID)
        .update({ _query: { version: fresh.Version?.Index }, _body: { ...fresh.Spec, Role: change.role, Labels: change.labels } } as object);
      if (change.roleChanged) (change.role === 'manager' ? result.promoted : result.demoted).push(change.node.name);
      if (change.labelsChanged) result.labelled.push(change.node.name);
    }
    // Done when every inventory manager is a reachable manager (a promotion takes a Raft round).
    await poll('roles to match the inventory', 60_000, async () => {
      const listed = await listNodes(first.engine);
      const ok = nodes.every((node) => {
        const match = matchNode(node, listed);
        return match?.Spec.Role === node.role && (node.role === 'worker' || match.ManagerStatus?.Reachability === 'reachable');
      });
      return ok ? true : undefined;
    });
    return result;
  } finally {
    for (const engine of engines) engine.close();
  }
}
