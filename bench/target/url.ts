import { resolve } from 'node:path';
import { openCluster, type ClusterControl } from '../../cluster/control.ts';
import { sshTarget } from '../../cluster/inventory/load.ts';
import type { Logger } from '../../kernel/log.ts';
import type { BenchConfig } from '../config.ts';
import type { RemoteGeneratorSpec } from '../load/remote.ts';
import { startClusterSampler, type SampledNode } from '../nodes/cluster.ts';
import { waitUntilAnswering } from './ready.ts';
import type { Target } from './target.ts';

/**
 * A deployment that is already running, at one or more URLs (the stack on the phones, a shop
 * started by hand). Nothing the bench does changes it: no deploy, no scaling (matrix.replicas is a
 * config error), nothing restored or removed at the end; each point only waits until every URL
 * answers, then sends its load. With an inventory (--cluster) the nodes are sampled over SSH and
 * the manifest gets the cluster's snapshot (read-only calls), and its generators share the load;
 * without one, nothing is sampled.
 */
export async function urlTarget(
  target: Extract<BenchConfig['target'], { kind: 'url' }>,
  inventoryPath: string | undefined,
  logger: Logger,
  options: { acceptNewHostKeys?: boolean } = {},
): Promise<Target> {
  let control: ClusterControl | undefined;
  let nodes: SampledNode[] = [];
  let generators: RemoteGeneratorSpec[] = [];
  if (inventoryPath) {
    control = await openCluster(resolve(inventoryPath), logger, { acceptNewHostKeys: options.acceptNewHostKeys });
    const loaded = control.loaded;
    nodes = loaded.inventory.nodes.map((node) => ({ name: node.name, ssh: sshTarget(loaded, node) }));
    generators = loaded.inventory.generators.map((g) => ({ name: g.name, ssh: sshTarget(loaded, g), command: g.command, workdir: g.workdir }));
  } else logger.info('target url without --cluster: no node is sampled (pass the inventory to sample its nodes)');
  return {
    async describe() {
      return control
        ? { cluster: await control.snapshot(), images: [], inventory: { path: control.loaded.path, ...control.loaded.inventory } }
        : { cluster: { nodes: [] }, images: [], inventory: null };
    },
    async prepare() {
      const started = performance.now();
      for (const url of target.url) await waitUntilAnswering(url, target.readyTimeoutS * 1000);
      return { baseUrls: target.url, convergenceMs: Math.round(performance.now() - started), release: async () => undefined };
    },
    startSampler: (onSample, onEvent) => (nodes.length ? startClusterSampler({ nodes, onSample, onEvent }) : Promise.resolve({ stop: async () => undefined })),
    generators: () => generators,
    nodeNames: () => nodes.map((node) => node.name),
    async close() {
      control?.close();
      control = undefined;
    },
  };
}
