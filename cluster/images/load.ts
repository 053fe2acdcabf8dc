import { UsageError, errorMessage } from '../../kernel/errors.ts';
import type { Logger } from '../../kernel/log.ts';
import { readIndex, type ImageIndex, type ImageRecord } from '../../shop/gocoffee/images.ts';
import { loadImages } from '../../shop/gocoffee/load.ts';
import { ourImageName } from '../../shop/gocoffee/source.ts';
import { imagePlatform } from '../doctor/diagnose.ts';
import { connectNode, type Engine } from '../engine/engine.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import type { InventoryNode } from '../inventory/schema.ts';
import type { LoadedStack } from '../stack/load.ts';
import { inspectImages, splitReference, type ImagePresence } from './presence.ts';

/**
 * `cluster images load`: the images `npm run shop -- images-real` built (its index.json) into every
 * node's engine through the Engine API over SSH (POST /images/load): no registry. Each node gets
 * the images of its own platform (the inventory's `nodes[].arch`, else what its engine reports);
 * an image the node already has (same id) is skipped, or only re-tagged when its stable tag
 * (`:latest`) points elsewhere. Everything is planned, and every problem reported, before the first load.
 */

export interface ImageLoadOptions {
  /** Effective stacks whose images to load (adapted to the cluster: stack/load.ts); none: every image built for each node's platform. */
  stacks?: LoadedStack[];
  /** Only these inventory nodes (default: all). */
  nodes?: string[];
  /** Plan only: say what would be loaded. */
  dryRun?: boolean;
  /** Nodes loaded at the same time (default 2: loading is CPU work for each engine, and the machine sending is one). */
  parallel?: number;
  /** The images' index; default: images-real's. */
  index?: ImageIndex;
}

export interface ImageAction {
  node: string;
  platform: string;
  image: string;
  stableReference: string;
  /** load: not there; tag: there, but its stable tag points to another image; present: nothing to do. */
  action: 'load' | 'tag' | 'present';
  bytes: number;
  path: string;
  /** Set once done. */
  durationMs?: number;
}

export interface ImageLoadResult {
  actions: ImageAction[];
  /** Images of the stacks that images-real does not build (nothing to load for them). */
  notOurs: string[];
  durationMs: number;
}

interface NodePlan {
  node: InventoryNode;
  engine: Engine;
  platform: string;
  actions: ImageAction[];
}

/** Pure: what one node needs, given what it has. */
export function nodeActions(node: string, platform: string, records: ImageRecord[], present: Map<string, ImagePresence>): ImageAction[] {
  return records.map((record) => {
    const exact = present.get(record.reference);
    const stable = present.get(record.stableReference);
    const has = typeof exact === 'object' && exact.id === record.imageId;
    const tagged = typeof stable === 'object' && stable.id === record.imageId;
    return {
      node,
      platform,
      image: record.reference,
      stableReference: record.stableReference,
      action: !has ? 'load' : tagged ? 'present' : 'tag',
      bytes: record.bytes,
      path: record.path,
    };
  });
}

/** Pure: the index records a node of `platform` needs for these image names, and the problems (not built). */
export function recordsFor(
  index: ImageIndex,
  platform: string,
  images: string[] | undefined,
  fix: (platform: string) => string,
): { records: ImageRecord[]; problems: string[] } {
  if (!images) {
    const records = index.images.filter((record) => record.arch === platform);
    return { records, problems: records.length ? [] : [`no image is built for ${platform}: ${fix(platform)}`] };
  }
  const records: ImageRecord[] = [];
  const problems: string[] = [];
  for (const image of images) {
    const record = index.images.find((r) => (r.stableReference === image || r.reference === image) && r.arch === platform);
    if (record) records.push(record);
    else problems.push(`${image} is not built for ${platform}: ${fix(platform)}`);
  }
  return { records, problems };
}

export async function loadClusterImages(loaded: LoadedInventory, options: ImageLoadOptions, log: Logger): Promise<ImageLoadResult> {
  const started = Date.now();
  const index = options.index ?? (await readIndex());
  const build = (platform: string) => `npm run shop -- images-real --arch ${platform}`;
  const wanted = options.stacks
    ? [...new Set(options.stacks.flatMap((stack) => stack.plan.services.map((s) => s.spec.TaskTemplate.ContainerSpec.Image)))]
    : undefined;
  const ours = wanted?.filter((image) => ourImageName(image));
  const notOurs = wanted?.filter((image) => !ourImageName(image)) ?? [];
  const unknown = (options.nodes ?? []).filter((name) => !loaded.inventory.nodes.some((node) => node.name === name));
  if (unknown.length)
    throw new UsageError(`--node ${unknown.join(', ')}: not in the inventory (nodes: ${loaded.inventory.nodes.map((n) => n.name).join(', ')})`);
  const nodes = loaded.inventory.nodes.filter((node) => !options.nodes || options.nodes.includes(node.name));

  log.progress(`asking ${nodes.length} engines what they have`);
  const plans: NodePlan[] = [];
  const problems: string[] = [];
  try {
    const connected = await Promise.allSettled(nodes.map((node) => connectNode(loaded, node)));
    for (const [i, outcome] of connected.entries()) {
      const node = nodes[i]!;
      if (outcome.status === 'rejected') {
        problems.push(`${node.name}: cannot reach its engine: ${errorMessage(outcome.reason)}`);
        continue;
      }
      const engine = outcome.value;
      const platform = node.arch ?? imagePlatform((await engine.docker.info()) as { Architecture?: string });
      const { records, problems: missing } = recordsFor(index, platform, ours, build);
      problems.push(...missing.map((problem) => `${node.name}: ${problem}`));
      const present = await inspectImages(engine, [...new Set(records.flatMap((r) => [r.reference, r.stableReference]))]);
      plans.push({ node, engine, platform, actions: nodeActions(node.name, platform, records, present) });
    }
    log.done();
    if (problems.length) throw new UsageError(problems.join('\n'));
    if (!options.dryRun) await eachLimited(plans, options.parallel ?? 2, (plan) => runNode(plan, log));
  } finally {
    log.done();
    for (const plan of plans) plan.engine.close();
  }
  return { actions: plans.flatMap((plan) => plan.actions), notOurs, durationMs: Date.now() - started };
}

async function runNode(plan: NodePlan, log: Logger): Promise<void> {
  const name = `${plan.node.name} (${plan.platform})`;
  for (const action of plan.actions) {
    const started = Date.now();
    if (action.action === 'present') {
      log.info(`${name}: ${action.image} already there`);
      continue;
    }
    if (action.action === 'load') {
      log.progress(`${name}: loading ${action.image} (${(action.bytes / 1e6).toFixed(0)} MB)`);
      await loadImages(plan.engine, [action.path]);
    } else {
      const [repo, tag] = splitReference(action.stableReference);
      await plan.engine.docker.getImage(action.image).tag({ repo, tag });
    }
    action.durationMs = Date.now() - started;
    log.info(
      action.action === 'load'
        ? `${name}: ${action.image} loaded, ${(action.bytes / 1e6).toFixed(0)} MB in ${(action.durationMs / 1000).toFixed(1)} s`
        : `${name}: ${action.image} already there, tagged ${action.stableReference}`,
    );
  }
}

/** Runs `work` on every item, at most `limit` at once; the first failure is thrown once all started work has ended. */
async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const failures: unknown[] = [];
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
        await work(item).catch((error: unknown) => failures.push(error));
      }
    }),
  );
  if (failures.length) throw failures[0];
}
