import type { Logger } from '../kernel/log.ts';
import type { ClusterSnapshot, Manifest } from '../rundir/types.ts';
import { runDoctor, type DoctorOptions } from './doctor/probe.ts';
import type { Finding } from './doctor/diagnose.ts';
import { buildStatus, type ClusterStatus } from './swarm/status.ts';
import { connectManager } from './engine/engine.ts';
import { loadInventory, type LoadedInventory } from './inventory/load.ts';
import { deployStack, type DeployResult } from './stack/deploy.ts';
import { IMAGE_LABEL, NAMESPACE_LABEL } from './stack/convert.ts';
import { loadStack, stackFilePath, stackNameOf } from './stack/load.ts';
import { removeStack, type RemoveResult } from './stack/remove.ts';
import { findService, scaleServices, type ScaleResult, type ScaleTarget } from './stack/scale.ts';
import type { SwarmNode, SwarmService } from './swarm/model.ts';
import { listNodes, listServices, listTasks } from './swarm/read.ts';

/** Where one running task of a service is: the bench sends load to these (no routing mesh). */
export interface TaskPlacement {
  service: string;
  slot: number | undefined;
  node: string;
  /** The node's address from the inventory (or the swarm's), for host-mode ports. */
  host: string;
}

/** Pure: the run manifest's cluster snapshot (rundir/types.ts) from a status and the swarm's nodes. */
export function clusterSnapshot(status: ClusterStatus, swarmNodes: SwarmNode[]): ClusterSnapshot {
  return {
    nodes: status.nodes
      .filter((node) => node.role !== 'absent')
      .map((node) => {
        const resources = swarmNodes.find((candidate) => candidate.ID === node.nodeId)?.Description?.Resources;
        return {
          name: node.name,
          role: node.role === 'manager' ? 'manager' : 'worker',
          leader: node.leader,
          arch: node.arch,
          engineVersion: node.engineVersion || null,
          labels: node.labels,
          ...(resources?.NanoCPUs ? { cpuCount: resources.NanoCPUs / 1e9 } : {}),
          ...(resources?.MemoryBytes ? { memTotalKB: Math.round(resources.MemoryBytes / 1024) } : {}),
        };
      }),
  };
}

/** Pure: the manifest's image list for a stack's services; the digest is null when a tag was deployed. */
export function stackImages(services: SwarmService[]): Manifest['images'] {
  return services
    .map((service) => {
      const deployed = service.Spec.TaskTemplate.ContainerSpec.Image;
      const image = service.Spec.Labels?.[IMAGE_LABEL] ?? deployed.replace(/@sha256:[0-9a-f]+$/, '');
      // A registry digest after @, or (imagePolicy local) the image id the service is pinned to.
      const digest = /@(sha256:[0-9a-f]+)$/.exec(deployed)?.[1] ?? (deployed.startsWith('sha256:') ? deployed : null);
      return { service: service.Spec.Name, image, digest };
    })
    .sort((a, b) => a.service.localeCompare(b.service));
}

/**
 * Everything the bench pipeline needs from a cluster, over one manager connection. Waits use
 * `timeoutMs` and `settleMs` (defaults 300 s and 2 s).
 */
export interface ClusterControl {
  readonly loaded: LoadedInventory;
  status(): Promise<ClusterStatus>;
  doctor(options?: DoctorOptions): Promise<Finding[]>;
  /** `stack` is a path or a name in stacks/; the stack name defaults to the file's name. */
  deploy(stack: string, options?: { name?: string }): Promise<DeployResult>;
  scale(targets: ScaleTarget[]): Promise<ScaleResult>;
  remove(stack: string): Promise<RemoveResult>;
  /** The manifest's `cluster` field. */
  snapshot(): Promise<ClusterSnapshot>;
  /** The manifest's `images` field for one deployed stack. */
  images(stack: string): Promise<Manifest['images']>;
  /** Running tasks of a service (full name or `<name>` of a single stack). */
  placements(service: string): Promise<TaskPlacement[]>;
  close(): void;
}

export async function openCluster(inventoryPath: string, log: Logger, waits: { timeoutMs?: number; settleMs?: number } = {}): Promise<ClusterControl> {
  const loaded = await loadInventory(inventoryPath);
  const { engine, failed } = await connectManager(loaded);
  for (const failure of failed) log.warn(`manager ${failure.node} did not answer: ${failure.error}`);
  const timeoutMs = waits.timeoutMs ?? 300_000;
  const settleMs = waits.settleMs ?? 2000;
  return {
    loaded,
    async status() {
      const [nodes, tasks] = await Promise.all([listNodes(engine), listTasks(engine, { desiredState: ['running'] })]);
      return buildStatus(loaded.inventory, nodes, tasks, engine.node, failed);
    },
    doctor: (options) => runDoctor(loaded, options),
    async snapshot() {
      const [nodes, tasks] = await Promise.all([listNodes(engine), listTasks(engine, { desiredState: ['running'] })]);
      return clusterSnapshot(buildStatus(loaded.inventory, nodes, tasks, engine.node, failed), nodes);
    },
    async images(stack) {
      return stackImages(await listServices(engine, `${NAMESPACE_LABEL}=${stack}`));
    },
    async deploy(stack, options = {}) {
      const file = stackFilePath(stack);
      const loadedStack = await loadStack(file, options.name ?? stackNameOf(file), loaded.inventory);
      for (const warning of loadedStack.plan.warnings) log.warn(warning);
      return deployStack(engine, loadedStack.plan, loaded.inventory, { timeoutMs, settleMs, baseDir: loadedStack.baseDir, log });
    },
    scale: (targets) => scaleServices(engine, targets, { timeoutMs, settleMs, log }),
    remove: (stack) => removeStack(engine, stack, { timeoutMs, log }),
    async placements(serviceName) {
      const service = findService(await listServices(engine), serviceName);
      const [tasks, nodes] = await Promise.all([listTasks(engine, { service: [service.ID], desiredState: ['running'] }), listNodes(engine)]);
      const status = buildStatus(loaded.inventory, nodes, [], engine.node);
      return tasks
        .filter((task) => task.Status?.State === 'running' && task.NodeID)
        .map((task) => {
          const node = status.nodes.find((candidate) => candidate.nodeId === task.NodeID);
          return { service: service.Spec.Name, slot: task.Slot, node: node?.name ?? task.NodeID!, host: node?.host ?? '' };
        })
        .sort((a, b) => (a.slot ?? 0) - (b.slot ?? 0));
    },
    close: () => engine.close(),
  };
}
