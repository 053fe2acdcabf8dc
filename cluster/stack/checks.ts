import { normalizeArch, type SwarmNode } from '../swarm/model.ts';
import type { StackPlan } from './convert.ts';

/**
 * What a deploy checks before it changes anything, pure: every problem is found and reported at
 * once, and a deploy with any problem changes nothing (no network left behind). The caller
 * gathers the facts (cluster/control.ts): the swarm's nodes, what exists, each node's images.
 */

export interface DeployFacts {
  plan: StackPlan;
  nodes: SwarmNode[];
  existing: { networks: Set<string>; secrets: Set<string>; configs: Set<string> };
  /**
   * imagePolicy local (services run the manager's image id, nothing is pulled): the image ids on
   * each node that could run a task (by swarm node id; a missing image is undefined, a node that
   * could not be asked is an Error, a node absent from the map is not checked). Undefined with
   * imagePolicy registry.
   */
  images?: { managerNodeId: string; ids: Map<string, Map<string, string | undefined> | Error> };
  /** What to run to put a missing image on the nodes, by image (cluster/images/fix.ts). */
  fixFor: (image: string, platform: string | undefined) => string;
}

const CONSTRAINT = /^\s*([\w.-]+)\s*(==|!=)\s*(.*?)\s*$/;

/** The value a placement constraint's attribute has on a node; undefined for attributes we do not know (never a reason to refuse). */
function attribute(node: SwarmNode, name: string): string | undefined {
  if (name === 'node.id') return node.ID;
  if (name === 'node.hostname') return node.Description?.Hostname;
  if (name === 'node.role') return node.Spec.Role;
  if (name === 'node.platform.os') return node.Description?.Platform?.OS;
  if (name === 'node.platform.arch') return node.Description?.Platform?.Architecture;
  if (name.startsWith('node.labels.')) return node.Spec.Labels?.[name.slice('node.labels.'.length)] ?? '';
  if (name.startsWith('engine.labels.')) return node.Description?.Engine?.Labels?.[name.slice('engine.labels.'.length)] ?? '';
  return undefined;
}

/** Pure: does `node` satisfy one placement constraint (`node.role == manager`, `node.labels.x != y`)? Swarm compares case-insensitively. */
export function constraintHolds(constraint: string, node: SwarmNode): boolean {
  const match = CONSTRAINT.exec(constraint);
  if (!match) return true;
  const value = attribute(node, match[1]!);
  if (value === undefined) return true;
  const equal = value.toLowerCase() === match[3]!.toLowerCase();
  return match[2] === '==' ? equal : !equal;
}

/** Ready, active nodes that satisfy every constraint: where the service's tasks could run. */
export function candidateNodes(constraints: readonly string[], nodes: SwarmNode[]): SwarmNode[] {
  return nodes.filter(
    (node) => node.Status?.State === 'ready' && (node.Spec.Availability ?? 'active') === 'active' && constraints.every((c) => constraintHolds(c, node)),
  );
}

const nodeName = (node: SwarmNode) => node.Description?.Hostname ?? node.ID.slice(0, 12);
const shortId = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

/** Every problem that would make the deploy fail or never converge, one line each. */
export function deployProblems(facts: DeployFacts): string[] {
  const problems: string[] = [];
  for (const network of facts.plan.networks) {
    if (network.external && !facts.existing.networks.has(network.name))
      problems.push(`network ${network.name} is external but does not exist: create it first`);
  }
  for (const [kind, entries, existing] of [
    ['secret', facts.plan.secrets, facts.existing.secrets],
    ['config', facts.plan.configs, facts.existing.configs],
  ] as const) {
    for (const entry of entries) {
      if (entry.external && !existing.has(entry.name))
        problems.push(`${kind} ${entry.name} is external but does not exist: docker ${kind} create ${entry.name} <file>`);
    }
  }
  // image → node → the services that need it there, so each missing image is one line per node.
  const needed = new Map<string, Map<string, { node: SwarmNode; services: string[] }>>();
  for (const service of facts.plan.services) {
    const constraints = service.spec.TaskTemplate.Placement?.Constraints ?? [];
    const candidates = candidateNodes(constraints, facts.nodes);
    if (candidates.length === 0) {
      const nodes = facts.nodes.map(
        (node) => `${nodeName(node)} (${node.Spec.Role ?? '?'}, ${node.Description?.Platform?.Architecture ?? '?'}, ${node.Status?.State ?? '?'})`,
      );
      problems.push(
        `services.${service.key}: no ready node satisfies its placement constraints${constraints.length ? ` (${constraints.join(', ')})` : ''}; nodes: ${nodes.join(', ') || 'none'}`,
      );
      continue;
    }
    if (!facts.images) continue;
    const image = service.spec.TaskTemplate.ContainerSpec.Image;
    const byNode = needed.get(image) ?? new Map<string, { node: SwarmNode; services: string[] }>();
    needed.set(image, byNode);
    for (const node of candidates) {
      const entry = byNode.get(node.ID) ?? { node, services: [] };
      entry.services.push(service.key);
      byNode.set(node.ID, entry);
    }
  }
  if (facts.images) {
    const { managerNodeId, ids } = facts.images;
    const managerIds = ids.get(managerNodeId);
    for (const [image, byNode] of needed) {
      const managerId = managerIds instanceof Map ? managerIds.get(image) : undefined;
      const platformOf = (node: SwarmNode) => normalizeArch(node.Description?.Platform?.Architecture);
      for (const { node, services } of byNode.values()) {
        const found = ids.get(node.ID);
        const who = `image ${image} (services ${services.join(', ')})`;
        if (found instanceof Error) problems.push(`${who}: cannot check ${nodeName(node)}: ${found.message}`);
        // A node that could not be asked one by one (an engine reached through DOCKER_HOST): left to the engine.
        else if (!found) continue;
        else if (found.get(image) === undefined) problems.push(`${who} is not on ${nodeName(node)}: ${facts.fixFor(image, platformOf(node))}`);
        else if (managerId && found.get(image) !== managerId) {
          problems.push(
            `${who} on ${nodeName(node)} is ${shortId(found.get(image)!)}, the manager's is ${shortId(managerId)} (services run the manager's): ${facts.fixFor(image, platformOf(node))}`,
          );
        }
      }
      if (managerIds instanceof Map && managerIds.get(image) === undefined && ![...byNode.keys()].includes(managerNodeId)) {
        problems.push(
          `image ${image} is not on the manager (imagePolicy local pins each service to the manager's image id): ${facts.fixFor(image, undefined)}`,
        );
      }
    }
  }
  return problems;
}
