import { hottestTempC } from '../rundir/node-sample.ts';
import type { NodeSample } from '../rundir/types.ts';

/**
 * The thermal cooldown gate, pure: a point starts only when every node's latest reading is below
 * the limit, so heat left by one point does not slow the next. The pipeline feeds it samples and
 * asks, once a second, whether it is open; after the longest wait the point goes on, flagged.
 */

export interface GateVerdict {
  open: boolean;
  /** Nodes not heard from since the gate began. */
  waitingFor: string[];
  /** The hottest node at or above the limit, if any. */
  hottest: { node: string; tempC: number } | null;
}

export class CooldownGate {
  private readonly latest = new Map<string, { timeMs: number; tempC: number | null }>();

  constructor(
    private readonly nodes: readonly string[],
    private readonly maxTempC: number,
  ) {}

  update(sample: NodeSample): void {
    this.latest.set(sample.node, { timeMs: sample.timeMs, tempC: hottestTempC(sample) });
  }

  /** Open when every node reported at or after `sinceMs` and none is at or above the limit. */
  verdict(sinceMs: number): GateVerdict {
    const waitingFor = this.nodes.filter((node) => (this.latest.get(node)?.timeMs ?? -Infinity) < sinceMs);
    let hottest: GateVerdict['hottest'] = null;
    for (const [node, reading] of this.latest) {
      if (reading.tempC !== null && reading.tempC >= this.maxTempC && (!hottest || reading.tempC > hottest.tempC)) hottest = { node, tempC: reading.tempC };
    }
    return { open: waitingFor.length === 0 && hottest === null, waitingFor, hottest };
  }
}
