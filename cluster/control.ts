import { EnvironmentError, UsageError, errorMessage } from '../kernel/errors.ts';
import type { Logger } from '../kernel/log.ts';
import { sleep } from '../kernel/sleep.ts';
import type { ClusterSnapshot, Manifest } from '../rundir/types.ts';
import type { Finding } from './doctor/diagnose.ts';
import { runDoctor } from './doctor/probe.ts';
import { connectManager, connectNode, type Engine, type ManagerConnection } from './engine/engine.ts';
import { loadInventory, type LoadedInventory } from './inventory/load.ts';
import { readIndex } from '../shop/gocoffee/images.ts';
import { ourImageName } from '../shop/gocoffee/source.ts';
import { imageFix } from './images/fix.ts';
import { loadClusterImages, type ImageLoadOptions, type ImageLoadResult } from './images/load.ts';
import { inspectImages } from './images/presence.ts';
import { summarizeChanges } from './stack/adapt.ts';
import { deployProblems } from './stack/checks.ts';
import { IMAGE_LABEL, NAMESPACE_LABEL } from './stack/convert.ts';
import { deployStack, type DeployResult } from './stack/deploy.ts';
import { assertLoadable, loadStack, renderStack, stackFilePath, stackNameOf, type LoadedStack } from './stack/load.ts';
import { removeStack, type RemoveResult } from './stack/remove.ts';
import { findService, scaleServices, type ScaleResult, type ScaleTarget } from './stack/scale.ts';
import { initCluster, type InitResult } from './swarm/init.ts';
import { planTeardown, teardownCluster, type TeardownOptions, type TeardownPlan, type TeardownResult } from './swarm/teardown.ts';
import type { SwarmNode, SwarmService } from './swarm/model.ts';
import { listNodes, listServices, listTasks } from './swarm/read.ts';
import { buildStatus, matchNode, type ClusterStatus } from './swarm/status.ts';
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
  /**
   * The effective stack: the file as this cluster gets it (variables, absolute paths, the
   * inventory's images, platform and network applied); `stack` is a path or a name in stacks/.
   */
  stack(stack: string, options?: { name?: string }): Promise<LoadedStack>;
  /** The effective stack file as YAML, as `docker stack config` prints it; throws every missing variable or file at once. */
  stackConfig(stack: string): Promise<string>;
  /**
   * Checks everything first (variables, files, external objects, placement, and with imagePolicy
   * local every image on every node that could run it), reporting every problem at once and
   * changing nothing when there is one; then deploys and waits for convergence.
   * The stack name defaults to the file's name.
   */
  deploy(stack: string, options?: { name?: string; wait?: boolean }): Promise<DeployResult>;
  /** `cluster images load`: the images images-real built into every node's engine (cluster/images/load.ts). */
  loadImages(stacks: string[], options?: Omit<ImageLoadOptions, 'stacks'>): Promise<ImageLoadResult>;
  /** What teardown would do: the stacks, and the nodes in leaving order. */
  teardownPlan(): Promise<TeardownPlan>;
  /** Every stack removed, workers then managers out of the swarm, engines pruned when asked. */
  teardown(options: Omit<TeardownOptions, 'timeoutMs'>): Promise<TeardownResult>;
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

  const effectiveStack = (stack: string, name?: string) => {
    const file = stackFilePath(stack);
    return loadStack(file, name ?? stackNameOf(file), loaded.inventory);
  };
  const imageFixer = async () => {
    const context = { inventoryPath: loaded.path, imagePolicy: loaded.inventory.imagePolicy, index: await readIndex() };
    return (image: string, platform: string | undefined) => imageFix(image, platform, context);
  };
  /** The manager, or undefined when no manager answers (a cluster with no swarm yet, or one torn down). */
  const managerOrNone = async () => {
    try {
      return await connected();
    } catch (error) {
      log.warn(`no manager answered (${errorMessage(error)}): going on without one`);
      return undefined;
    }
  };

  /** Everything deploy can check before it changes anything (see stack/checks.ts). */
  const checkDeploy = async (engine: Engine, stack: LoadedStack): Promise<string[]> => {
    const { docker } = engine;
    const [nodes, networks, secrets, configs] = await Promise.all([
      listNodes(engine),
      docker.listNetworks() as Promise<Array<{ Name: string }>>,
      docker.listSecrets() as Promise<Array<{ Spec: { Name: string } }>>,
      docker.listConfigs() as Promise<Array<{ Spec: { Name: string } }>>,
    ]);
    const existing = {
      networks: new Set(networks.map((n) => n.Name)),
      secrets: new Set(secrets.map((n) => n.Spec.Name)),
      configs: new Set(configs.map((n) => n.Spec.Name)),
    };
    const fixFor = await imageFixer();
    if (loaded.inventory.imagePolicy !== 'local') return deployProblems({ plan: stack.plan, nodes, existing, fixFor });
    const images = [...new Set(stack.plan.services.map((service) => service.spec.TaskTemplate.ContainerSpec.Image))];
    const managerNodeId = ((await docker.info()) as { Swarm?: { NodeID?: string } }).Swarm?.NodeID ?? '';
    const ids = new Map<string, Map<string, string | undefined> | Error>();
    const idsOn = async (on: Engine) =>
      new Map([...(await inspectImages(on, images))].map(([image, presence]) => [image, typeof presence === 'object' ? presence.id : undefined]));
    ids.set(managerNodeId, await idsOn(engine));
    // Every other node over its own SSH connection (an engine reached through DOCKER_HOST is the only one we can ask).
    if (loaded.inventory.engine.via === 'ssh') {
      for (const node of nodes) {
        if (!loaded.inventory.nodes.some((entry) => matchNode(entry, [node]))) ids.set(node.ID, new Error('the node is not in the inventory'));
      }
      await Promise.all(
        loaded.inventory.nodes.map(async (entry) => {
          const swarmNode = matchNode(entry, nodes);
          if (!swarmNode || swarmNode.ID === managerNodeId) return;
          let nodeEngine: Engine | undefined;
          try {
            nodeEngine = await connectNode(loaded, entry);
            ids.set(swarmNode.ID, await idsOn(nodeEngine));
          } catch (error) {
            ids.set(swarmNode.ID, error instanceof Error ? error : new Error(String(error)));
          } finally {
            nodeEngine?.close();
          }
        }),
      );
    }
    return deployProblems({ plan: stack.plan, nodes, existing, images: { managerNodeId, ids }, fixFor });
  };

  return {
    loaded,
    status: () => withManager('status', async (m) => (await status(m)).status),
    async doctor(request = {}) {
      const extraImages: string[] = [];
      for (const stack of request.stacks ?? []) {
        // Missing passwords do not change which images a stack needs: the images are checked anyway.
        const effective = await effectiveStack(stack);
        extraImages.push(...effective.plan.services.map((service) => service.spec.TaskTemplate.ContainerSpec.Image));
      }
      const fixFor = await imageFixer();
      return runDoctor(loaded, { extraImages, maxClockSkewMs: request.maxClockSkewMs ?? 1000, fixFor, localOnly: (image) => Boolean(ourImageName(image)) });
    },
    stack: (stack, options = {}) => effectiveStack(stack, options.name),
    async stackConfig(stack) {
      const effective = await effectiveStack(stack);
      assertLoadable(effective);
      return renderStack(effective, loaded.inventory.name);
    },
    async loadImages(stacks, options = {}) {
      const effective = await Promise.all(stacks.map((stack) => effectiveStack(stack)));
      return loadClusterImages(loaded, { ...options, ...(stacks.length ? { stacks: effective } : {}) }, log);
    },
    teardownPlan: async () => planTeardown(loaded, (await managerOrNone())?.engine),
    teardown: async (options) => teardownCluster(loaded, (await managerOrNone())?.engine, { ...options, timeoutMs }, log),
    init: () => initCluster(loaded, log),
    snapshot: () =>
      withManager('status', async (m) => {
        const { nodes, status: current } = await status(m);
        return clusterSnapshot(current, nodes);
      }),
    images: (stack) => withManager('images', async ({ engine }) => stackImages(await listServices(engine, `${NAMESPACE_LABEL}=${stack}`))),
    async deploy(stack, deployOptions = {}) {
      const effective = await effectiveStack(stack, deployOptions.name);
      for (const warning of effective.plan.warnings) log.warn(warning);
      if (effective.changes.length) log.info(`${effective.plan.stack} adapted for cluster ${loaded.inventory.name}: ${summarizeChanges(effective.changes)}`);
      return withManager('deploy', async ({ engine }) => {
        const problems = [...effective.problems, ...(await checkDeploy(engine, effective))];
        if (problems.length) throw new UsageError(`deploy of ${effective.plan.stack} changed nothing:\n${problems.join('\n')}`);
        return deployStack(engine, effective.plan, loaded.inventory, {
          timeoutMs,
          settleMs,
          baseDir: effective.baseDir,
          log,
          wait: deployOptions.wait ?? true,
        });
      });
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
