import type { ShopQueue, ShopSample, ShopStateSnapshot } from './types.ts';

/**
 * shop.ndjson's records (ShopSample): checked line by line as the readers check nodes.ndjson, and
 * summed into the totals a snapshot holds.
 */

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const countOrNull = (value: unknown): boolean => value === null || value === undefined || (typeof value === 'number' && Number.isFinite(value) && value >= 0);

/** A line of shop.ndjson as a ShopSample, or what is wrong with it (the field). */
export function checkShopSample(value: unknown): { record: ShopSample } | { problem: string } {
  if (!isObject(value)) return { problem: `expected a shop sample object, found ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}` };
  if (typeof value.timeMs !== 'number' || !Number.isFinite(value.timeMs)) return { problem: 'timeMs: missing or not a finite number' };
  if (value.pointId !== undefined && value.pointId !== null && typeof value.pointId !== 'string') return { problem: 'pointId: not a string' };
  for (const field of ['orders', 'fulfilled', 'inProgress']) if (!countOrNull(value[field])) return { problem: `${field}: not a count (a finite number ≥ 0)` };
  let queues: ShopQueue[] | null = null;
  if (value.queues !== undefined && value.queues !== null) {
    if (!Array.isArray(value.queues)) return { problem: 'queues: not a list' };
    queues = [];
    for (const [i, queue] of value.queues.entries()) {
      if (!isObject(queue) || typeof queue.name !== 'string') return { problem: `queues[${i}]: expected { name, depth, unacked, consumers }` };
      for (const field of ['depth', 'unacked', 'consumers'])
        if (typeof queue[field] !== 'number' || !countOrNull(queue[field])) return { problem: `queues[${i}].${field}: not a count` };
      queues.push({ name: queue.name, depth: queue.depth as number, unacked: queue.unacked as number, consumers: queue.consumers as number });
    }
  }
  const count = (field: string) => (typeof value[field] === 'number' ? (value[field] as number) : null);
  return {
    record: {
      timeMs: value.timeMs,
      pointId: typeof value.pointId === 'string' ? value.pointId : null,
      orders: count('orders'),
      fulfilled: count('fulfilled'),
      inProgress: count('inProgress'),
      queues,
    },
  };
}

/** Messages ready and unacknowledged over every queue. */
export function queueTotals(queues: readonly ShopQueue[]): { queued: number; unacked: number } {
  let queued = 0;
  let unacked = 0;
  for (const queue of queues) {
    queued += queue.depth;
    unacked += queue.unacked;
  }
  return { queued, unacked };
}

/** A sample with every part read, as a snapshot; null when a part is missing. */
export function snapshotOf(sample: ShopSample): ShopStateSnapshot | null {
  if (sample.orders === null || sample.fulfilled === null || sample.inProgress === null || sample.queues === null) return null;
  return { timeMs: sample.timeMs, orders: sample.orders, fulfilled: sample.fulfilled, inProgress: sample.inProgress, ...queueTotals(sample.queues) };
}

/** Nothing stored, nothing queued, nothing being made: the state `state: reset` starts every point from. */
export function isEmptyState(state: ShopStateSnapshot): boolean {
  return state.orders === 0 && state.queued === 0 && state.unacked === 0;
}

/** No work left: nothing queued or being made (orders still in progress then are never fulfilled). */
export function isDrained(state: Pick<ShopStateSnapshot, 'queued' | 'unacked'>): boolean {
  return state.queued === 0 && state.unacked === 0;
}

/** "12 orders (3 in progress), 40 queued, 5 unacked": a snapshot for a message. */
export function describeState(state: ShopStateSnapshot): string {
  return `${state.orders} orders (${state.inProgress} not fulfilled), ${state.queued} messages queued, ${state.unacked} unacknowledged`;
}
