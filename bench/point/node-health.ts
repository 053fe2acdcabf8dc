import type { Logger } from '../../kernel/log.ts';
import type { PointEmitter, PointObserver } from './emitter.ts';

/** Samples come once a second; this long without one marks a node lost (a gap in its series). */
export const NODE_SILENCE_MS = 3500;

/**
 * Node health during a point. A node whose samples stop for a few intervals is lost, whatever the
 * transport says: the gap in its series is marked with node-lost and node-back events and the point
 * is flagged. A node's first throttled sample of the point is a throttling event.
 */
export function nodeHealth(emit: PointEmitter, pointId: string, logger: Logger): PointObserver {
  const lastSampleMs = new Map<string, number>();
  const silent = new Set<string>();
  const throttled = new Set<string>();
  const lost = (node: string, reason: string, lastMs?: number) => {
    if (silent.has(node)) return;
    silent.add(node);
    emit.event({ type: 'node-lost', node, reason, ...(lastMs === undefined ? {} : { lastSampleMs: lastMs }) });
    emit.flag('node-lost', `node ${node} was lost during the point; its samples have a gap (see events.ndjson)`);
    logger.warn(`${pointId}: node ${node} lost`);
  };
  const watchdog = setInterval(() => {
    const now = Date.now();
    for (const [node, last] of lastSampleMs) if (now - last > NODE_SILENCE_MS) lost(node, `no sample for ${NODE_SILENCE_MS / 1000} s`, last);
  }, 500);
  return {
    onSample(sample) {
      const now = Date.now();
      if (silent.delete(sample.node)) emit.event({ type: 'node-back', node: sample.node, gapMs: now - (lastSampleMs.get(sample.node) ?? now) });
      lastSampleMs.set(sample.node, now);
      if (sample.throttled && !throttled.has(sample.node)) {
        throttled.add(sample.node);
        emit.event({ type: 'throttling', node: sample.node, cpuPct: sample.cpuPct });
      }
    },
    onSamplerEvent(event) {
      if (event.type === 'node-lost') lost(event.node, event.reason);
    },
    close: () => clearInterval(watchdog),
  };
}
