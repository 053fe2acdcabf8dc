import type { Inventory } from '../inventory/schema.ts';
import { normalizeArch, type SwarmNode, type SwarmTask } from './model.ts';

/** One node as status shows it: what the inventory expects next to what the swarm reports. */
export interface NodeStatus {
  name: string;
  host: string;
  /** Role in the inventory, or undefined for a swarm node the inventory does not list. */
  expectedRole: 'manager' | 'worker' | undefined;
  /** Role in the swarm, or 'absent' when the node is not in the swarm. */
  role: 'manager' | 'worker' | 'absent';
  leader: boolean;
  /** ready | down | unknown | disconnected, or 'absent'. */
  state: string;
  availability: string;
  /** Manager reachability: reachable | unreachable | unknown; '' for workers. */
  reachability: string;
  engineVersion: string;
  arch: string;
  expectedArch: string | undefined;
  /** Tasks in state running on the node. */
  runningTasks: number;
  nodeId: string;
  /** Swarm node labels (placement constraints use them). */
  labels: Record<string, string>;
}

export interface ClusterStatus {
  cluster: string;
  /** The manager whose engine answered. */
  via: string;
  leader: string | undefined;
  nodes: NodeStatus[];
  /** Managers tried first that did not answer. */
  unreachableManagers: Array<{ node: string; error: string }>;
}

/** Matches a swarm node to an inventory node: by hostname, else by advertised address. */
export function matchNode(inventoryNode: { name: string; host: string }, swarmNodes: SwarmNode[]): SwarmNode | undefined {
  return (
    swarmNodes.find((node) => node.Description?.Hostname === inventoryNode.name) ??
    swarmNodes.find((node) => node.Status?.Addr === inventoryNode.host || node.ManagerStatus?.Addr?.split(':')[0] === inventoryNode.host)
  );
}

/** Pure: joins the inventory, the swarm's nodes and its tasks into one status. */
export function buildStatus(
  inventory: Inventory,
  swarmNodes: SwarmNode[],
  tasks: SwarmTask[],
  via: string,
  unreachableManagers: ClusterStatus['unreachableManagers'] = [],
): ClusterStatus {
  const running = new Map<string, number>();
  for (const task of tasks) {
    if (task.Status?.State === 'running' && task.NodeID) running.set(task.NodeID, (running.get(task.NodeID) ?? 0) + 1);
  }
  const describe = (node: SwarmNode, name: string, host: string, expected: NodeStatus['expectedRole'], expectedArch: string | undefined): NodeStatus => ({
    name,
    host,
    expectedRole: expected,
    role: node.Spec.Role ?? 'worker',
    leader: Boolean(node.ManagerStatus?.Leader),
    state: node.Status?.State ?? 'unknown',
    availability: node.Spec.Availability ?? 'active',
    reachability: node.ManagerStatus?.Reachability ?? '',
    engineVersion: node.Description?.Engine?.EngineVersion ?? '',
    arch: normalizeArch(node.Description?.Platform?.Architecture),
    expectedArch,
    runningTasks: running.get(node.ID) ?? 0,
    nodeId: node.ID,
    labels: node.Spec.Labels ?? {},
  });
  const used = new Set<string>();
  const nodes: NodeStatus[] = inventory.nodes.map((entry) => {
    const match = matchNode(
      entry,
      swarmNodes.filter((node) => !used.has(node.ID)),
    );
    if (!match) {
      return {
        name: entry.name,
        host: entry.host,
        expectedRole: entry.role,
        role: 'absent',
        leader: false,
        state: 'absent',
        availability: '',
        reachability: '',
        engineVersion: '',
        arch: '',
        expectedArch: entry.arch,
        runningTasks: 0,
        nodeId: '',
        labels: {},
      };
    }
    used.add(match.ID);
    return describe(match, entry.name, entry.host, entry.role, entry.arch);
  });
  for (const node of swarmNodes) {
    if (!used.has(node.ID)) nodes.push(describe(node, node.Description?.Hostname ?? node.ID.slice(0, 12), node.Status?.Addr ?? '', undefined, undefined));
  }
  return { cluster: inventory.name, via, leader: nodes.find((node) => node.leader)?.name, nodes, unreachableManagers };
}
