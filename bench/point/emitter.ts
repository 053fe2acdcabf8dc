import type { RunEventBody, SamplerEvent } from '../../rundir/events.ts';
import type { NodeSample } from '../../rundir/types.ts';

/**
 * What happens during a point, as its phases report it. The phases only emit; observers decide what
 * it means: the journal writes events.ndjson and the result's flags (./journal.ts), node health
 * watches for silent and throttled nodes (./node-health.ts), the sample writer and the cooldown gate
 * take the node samples. An observer may emit in turn (node health turns silence into node-lost).
 */
export interface PointObserver {
  /** A run event of the point (events.ndjson). */
  onEvent?(event: RunEventBody): void;
  /** A harness flag on the point's result: a short code and what it means for the numbers. */
  onFlag?(code: string, message: string): void;
  /** A node sample, as it arrives. */
  onSample?(sample: NodeSample): void;
  /** A node sampler's connection lost or back, or an error while it reconnects. */
  onSamplerEvent?(event: SamplerEvent): void;
  /** The point is over: stop timers, let go of resources. */
  close?(): void;
}

export class PointEmitter {
  private readonly observers: PointObserver[] = [];

  observe(...observers: PointObserver[]): this {
    this.observers.push(...observers);
    return this;
  }

  event(event: RunEventBody): void {
    for (const o of this.observers) o.onEvent?.(event);
  }

  flag(code: string, message: string): void {
    for (const o of this.observers) o.onFlag?.(code, message);
  }

  sample(sample: NodeSample): void {
    for (const o of this.observers) o.onSample?.(sample);
  }

  samplerEvent(event: SamplerEvent): void {
    for (const o of this.observers) o.onSamplerEvent?.(event);
  }

  close(): void {
    for (const o of this.observers) o.close?.();
  }
}
