import type { PointWriter } from '../../rundir/writer.ts';
import type { PointResult } from '../../rundir/types.ts';
import type { PointObserver } from './emitter.ts';

/**
 * The point's journal: every event into events.ndjson, each flag once into the result. Sampler
 * errors are kept as they came (with their own time); a sampler's node-lost and node-back are left
 * to node health, which decides when a node counts as lost or back.
 */
export function journal(point: PointWriter, result: PointResult): PointObserver {
  return {
    onEvent: (event) => point.event(event),
    onFlag(code, message) {
      if (!result.flags.some((flag) => flag.code === code)) result.flags.push({ code, message });
    },
    onSamplerEvent(event) {
      if (event.type === 'error') point.record(event);
    },
  };
}
