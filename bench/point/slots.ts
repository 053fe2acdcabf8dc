import type { Logger } from '../../kernel/log.ts';
import type { SamplerHandle } from '../nodes/local.ts';

/**
 * Two places in a point left open for phases other work adds, each with a default that does
 * nothing. Plug one in through BenchDeps (`stateReset`, `pointSamplers`); runPoint already calls them.
 */

/** What a slot gets to know about the point it runs in. */
export interface PointSlotContext {
  pointId: string;
  /** The point's folder while it runs (points/<pointId>.partial/): a sampler writes its own file here. */
  dir: string;
  /** The gateways the load goes to. */
  baseUrls: string[];
  logger: Logger;
  /** Aborted on Ctrl-C / SIGTERM: stop early, keep what was gathered. */
  signal: AbortSignal;
}

/**
 * A per-point state reset or drain, after scaling and before the cooldown gate and the warm-up: e.g.
 * wait until the shop's queues are empty, or empty its order tables, so one point's backlog does not
 * load the next. Its heat is then cooled off by the gate. Throwing fails the point.
 */
export interface StateReset {
  readonly name: string;
  reset(point: PointSlotContext): Promise<void>;
}

export const noStateReset: StateReset = { name: 'none', reset: async () => undefined };

/**
 * A sampler beside the node samplers, e.g. of the shop's own metrics (queue depths, orders in
 * flight): started when the node samplers start and stopped when they stop, it writes its own file
 * into the point's folder (name it in rundir/layout.ts POINT_FILES). Failing to start fails the point.
 */
export interface PointSampler {
  readonly name: string;
  start(point: PointSlotContext): Promise<SamplerHandle>;
}
