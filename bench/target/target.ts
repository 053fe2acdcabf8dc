import type { ClusterControl } from '../../cluster/control.ts';
import type { LocalShop } from '../../shop/gocoffee/local.ts';
import type { RemoteGeneratorSpec } from '../load/remote.ts';
import type { SamplerHandle } from '../nodes/local.ts';
import type { ClusterSnapshot, Manifest, NodeSample, PointSpec } from '../../rundir/types.ts';
import type { SamplerEvent } from '../../rundir/events.ts';

/**
 * What the pipeline runs a point against: the reference shop or the real Go coffee shop on this
 * machine, a swarm, or a deployment already running at a URL. One small interface, one adapter
 * file each (bench/target/local.ts, local-go-coffee.ts, swarm.ts, url.ts).
 */

/**
 * Where the shop under test keeps its state, for what a point's slots do with it (bench/point/
 * slots.ts: a state reset or drain, the shop's own metrics). Read-only here: the targets expose it,
 * they never reset anything themselves.
 */
export type ShopState =
  /** The real Go coffee shop on this machine: its postgres and rabbitmq servers' hooks (shop/gocoffee/servers.ts). */
  | { kind: 'local-go-coffee'; shop: Pick<LocalShop, 'url' | 'counts' | 'queues' | 'truncate' | 'purge'> }
  /** A stack on a swarm: the services that run postgres and rabbitmq (full names), and cluster control to reach their tasks. */
  | { kind: 'swarm'; stack: string; postgres: string | undefined; rabbitmq: string | undefined; control: ClusterControl };

export interface PreparedPoint {
  /** Gateways the load goes to (several when each node running the entry service is its own entry). */
  baseUrls: string[];
  /** From the scale request until every task runs at the new count: a result of the point. */
  convergenceMs: number;
  /** Ends what `prepare` started for this point (the local shop's processes); a no-op on a swarm. */
  release(): Promise<void>;
}

export interface Target {
  /** Manifest fields: the nodes, the images with digests, the inventory without secrets. */
  describe(): Promise<{ cluster: ClusterSnapshot; images: Manifest['images']; inventory: unknown }>;
  /** Scales to the point's replica counts and waits for convergence. */
  prepare(spec: PointSpec): Promise<PreparedPoint>;
  /** Samples every node once a second until stopped; connection events (node lost/back) go to onEvent. */
  startSampler(onSample: (sample: NodeSample) => void, onEvent: (event: SamplerEvent) => void): Promise<SamplerHandle>;
  /** Extra load generators the inventory lists (none for the local shop). */
  generators(): RemoteGeneratorSpec[];
  /** Names of the nodes the cooldown gate waits for. */
  nodeNames(): string[];
  /** Back to the declared state (the stack's replica counts) and closes connections; safe to call twice. */
  close(): Promise<void>;
  /** The shop's state, once prepared (see ShopState); undefined for targets that do not know it (the reference shop, a URL). */
  shopState?(): ShopState | undefined;
}
