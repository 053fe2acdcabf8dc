import { EnvironmentError, UsageError, errorMessage } from '../kernel/errors.ts';
import type { Logger } from '../kernel/log.ts';
import { sleep } from '../kernel/sleep.ts';
import type { ClusterSnapshot, Manifest } from '../rundir/types.ts';
import type { Finding } from './doctor/diagnose.ts';
import { runDoctor } from './doctor/probe.ts';
import { connectManager, type ManagerConnection } from './engine/engine.ts';
import { loadInventory, type LoadedInventory } from './inventory/load.ts';
import { IMAGE_LABEL, NAMESPACE_LABEL } from './stack/convert.ts';
import { deployStack, type DeployResult } from './stack/deploy.ts';
import { loadStack, stackFilePath, stackNameOf } from './stack/load.ts';
import { removeStack, type RemoveResult } from './stack/remove.ts';
import { findService, scaleServices, type ScaleResult, type ScaleTarget } from './stack/scale.ts';
import { initCluster, type InitResult } from './swarm/init.ts';
import type { SwarmNode, SwarmService } from './swarm/model.ts';
import { listNodes, listServices, listTasks } from './swarm/read.ts';
import { buildStatus, type ClusterStatus } from './swarm/status.ts';
import { type TaskRow, taskRows } from './swarm/tasks.ts';

/**
 * The one way to open a cluster: the bench's swarm target and every `cluster` command go through
 * `openCluster`. It loads the inventory, talks to the first manager that answers (connected on first
 * use, so `doctor` and `init` work without one), and, with `failoverMs`, retries a call that fails
 * for anything but bad input through the inventory's managers until a new leader answers.
 */

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

export interface ClusterOptions {
  /** Record SSH host keys seen for the first time (a changed key is always refused). */
  acceptNewHostKeys?: boolean;
  /** Waits for convergence (deploy, scale) and removal: give up after this long; default 300 s. */
  timeoutMs?: number;
  /** Converged must hold this long; default 2 s. */
  settleMs?: number;
  /**
   * Once a manager has answered, retry a failed call through the inventory's managers for this long;
   * default 0 (fail at once, as the `cluster` commands do). The bench gives it 90 s: Raft needs 11–18 s
   * for a new leader on the testbed. A cluster where no manager answers at all fails at once either way.
   */
  failoverMs?: number;
}

export interface DoctorRequest {
  /** Also check the images of these stack files (paths or names in stacks/). */
  stacks?: string[];
  /** Clock skew allowed between a node and this machine; default 1000 ms. */
  maxClockSkewMs?: number;
}

/** Everything the harness and the `cluster` commands do with a cluster. */
export interface ClusterControl {
  readonly loaded: LoadedInventory;
  status(): Promise<ClusterStatus>;
  /** Every check, each finding with its fix; never throws for an unreachable cluster (that is a finding). */
  doctor(request?: DoctorRequest): Promise<Finding[]>;
  /** Makes the swarm match the inventory (swarm init/join/promote/demote/label); needs no manager beforehand. */
  init(): Promise<InitResult>;
  /** `stack` is a path or a name in stacks/; the stack name defaults to the file's name. */
  deploy(stack: string, options?: { name?: string }): Promise<DeployResult>;
  scale(targets: ScaleTarget[]): Promise<ScaleResult>;
  remove(stack: string): Promise<RemoveResult>;
  /** Current tasks of a stack (or of every service). */
  tasks(stack?: string): Promise<TaskRow[]>;
  /** The manifest's `cluster` field. */
  snapshot(): Promise<ClusterSnapshot>;
  /** The manifest's `images` field for one deployed stack. */
  images(stack: string): Promise<Manifest['images']>;
  /** Running tasks of a service (full name or `<name>` of a single stack). */
  placements(service: string): Promise<TaskPlacement[]>;
  close(): void;
}

export async function openCluster(inventoryPath: string, log: Logger, options: ClusterOptions = {}): Promise<ClusterControl> {
  const loaded = await loadInventory(inventoryPath, { acceptNewHostKeys: options.acceptNewHostKeys });
  const timeoutMs = options.timeoutMs ?? 300_000;
  const settleMs = options.settleMs ?? 2000;
  const failoverMs = options.failoverMs ?? 0;
  let manager: ManagerConnection | null = null;
  let answeredOnce = false;

  const connected = async (): Promise<ManagerConnection> => {
    if (!manager) {
      manager = await connectManager(loaded);
      answeredOnce = true;
      for (const failure of manager.failed) log.warn(`manager ${failure.node} did not answer: ${failure.error}`);
    }
    return manager;
  };
  const drop = () => {
    manager?.engine.close();
    manager = null;
  };

  /** Runs `call` on a manager; a failure other than bad input is retried through a fresh manager connection until `failoverMs`. */
  const withManager = async <T>(what: string, call: (manager: ManagerConnection) => Promise<T>): Promise<T> => {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await call(await connected());
      } catch (error) {
        if (error instanceof UsageError && !(error instanceof EnvironmentError)) throw error;
        if (!answeredOnce || Date.now() > started + failoverMs) throw error;
        log.warn(`${what} failed (${errorMessage(error)}); retrying through the inventory's managers (attempt ${attempt + 1})`);
        drop();
        await sleep(2000);
      }
    }
  };

  const status = ({ engine, failed }: ManagerConnection) =>
    Promise.all([listNodes(engine), listTasks(engine, { desiredState: ['running'] })]).then(([nodes, tasks]) => ({
      nodes,
      status: buildStatus(loaded.inventory, nodes, tasks, engine.node, failed),
    }));

  return {
    loaded,
    status: () => withManager('status', async (m) => (await status(m)).status),
    async doctor(request = {}) {
      const extraImages: string[] = [];
      for (const stack of request.stacks ?? []) {
        const file = stackFilePath(stack);
        const plan = (await loadStack(file, stackNameOf(file), loaded.inventory)).plan;
        extraImages.push(...plan.services.map((service) => service.spec.TaskTemplate.ContainerSpec.Image));
      }
      return runDoctor(loaded, { extraImages, maxClockSkewMs: request.maxClockSkewMs ?? 1000 });
    },
    init: () => initCluster(loaded, log),
    snapshot: () =>
      withManager('status', async (m) => {
        const { nodes, status: current } = await status(m);
        return clusterSnapshot(current, nodes);
      }),
    images: (stack) => withManager('images', async ({ engine }) => stackImages(await listServices(engine, `${NAMESPACE_LABEL}=${stack}`))),
    async deploy(stack, deployOptions = {}) {
      const file = stackFilePath(stack);
      const loadedStack = await loadStack(file, deployOptions.name ?? stackNameOf(file), loaded.inventory);
      for (const warning of loadedStack.plan.warnings) log.warn(warning);
      return withManager('deploy', ({ engine }) =>
        deployStack(engine, loadedStack.plan, loaded.inventory, { timeoutMs, settleMs, baseDir: loadedStack.baseDir, log }),
      );
    },
    scale: (targets) => withManager('scale', ({ engine }) => scaleServices(engine, targets, { timeoutMs, settleMs, log })),
    remove: (stack) => withManager('remove', ({ engine }) => removeStack(engine, stack, { timeoutMs, log })),
    tasks: (stack) =>
      withManager('ps', async ({ engine }) => {
        const [services, tasks, nodes] = await Promise.all([
          listServices(engine, stack ? `${NAMESPACE_LABEL}=${stack}` : undefined),
          listTasks(engine),
          listNodes(engine),
        ]);
        return taskRows(services, tasks, nodes);
      }),
    placements: (serviceName) =>
      withManager('placements', async ({ engine }) => {
        const service = findService(await listServices(engine), serviceName);
        const [tasks, nodes] = await Promise.all([listTasks(engine, { service: [service.ID], desiredState: ['running'] }), listNodes(engine)]);
        const current = buildStatus(loaded.inventory, nodes, [], engine.node);
        return tasks
          .filter((task) => task.Status?.State === 'running' && task.NodeID)
          .map((task) => {
            const node = current.nodes.find((candidate) => candidate.nodeId === task.NodeID);
            return { service: service.Spec.Name, slot: task.Slot, node: node?.name ?? task.NodeID!, host: node?.host ?? '' };
          })
          .sort((a, b) => (a.slot ?? 0) - (b.slot ?? 0));
      }),
    close: drop,
  };
}
