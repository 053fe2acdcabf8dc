/**
 * The shop's own metrics of a point (shop.ndjson) read for what matters in a stateful shop: whether
 * orders get made. Throughput where it is delivered (fulfilled orders per second), the offered order
 * rate (every order stored, the probe's included), the backlog and whether it grows, how long it
 * takes to drain after the window, and orders that never get fulfilled. Pure: no I/O.
 */
import { queueTotals } from '../../rundir/shop-sample.ts';
import type { ShopSample, ShopStateSnapshot, StateMode } from '../../rundir/types.ts';
import { bootstrapInterval, type Interval } from '../stats/bootstrap.ts';

/** Fulfilment is counted in blocks of this many seconds for its confidence interval (the kitchen works in batches). */
export const BLOCK_S = 5;
/** A backlog grows when the queued messages rise faster than this over the window, per second… */
export const GROWTH_PER_S = 0.05;
/** …and end at least this many messages above where they started (one kitchen's prefetch is 5). */
export const GROWTH_MIN_MESSAGES = 5;

export interface ShopSeriesPoint {
  timeMs: number;
  /** Messages queued or unacknowledged over every queue: the work not done yet. */
  backlog: number | null;
  /** Messages ready (not yet taken by a consumer). */
  queued: number | null;
  /** Orders placed and not fulfilled. */
  inProgress: number | null;
  orders: number | null;
  fulfilled: number | null;
}

export interface ShopPointAnalysis {
  samples: number;
  /** Orders stored during the window per second: the offered order rate, the probe's orders included. */
  offeredOrdersPerS: number | null;
  /** Orders that reached FULFILLED during the window, per second: throughput where it is delivered. */
  fulfilledPerS: number | null;
  /** Fulfilled orders per second in each whole block of BLOCK_S seconds of the window. */
  fulfilledBlocks: number[];
  backlogStart: number | null;
  backlogEnd: number | null;
  inProgressStart: number | null;
  inProgressEnd: number | null;
  /** Least-squares slope of the queued messages over the window, per second. */
  backlogSlopePerS: number | null;
  /** The load is above what the shop fulfils: the queue rose through the window and ended well above its start. */
  growing: boolean;
  /**
   * Seconds from the window's end until nothing was queued or unacknowledged: `measured` in the
   * point's own samples, `next-drain` by the next point's `state: drain`, `estimated` as the orders
   * left ÷ the fulfilment rate; null when nothing can be said.
   */
  drainS: number | null;
  drainBasis: 'measured' | 'next-drain' | 'estimated' | null;
  /** Orders never to be fulfilled (every item made, the order not: lost updates), from the point's end snapshot. */
  neverFulfilled: number | null;
  stateMode: StateMode | null;
  start: ShopStateSnapshot | null;
  end: ShopStateSnapshot | null;
}

export function shopSeries(samples: readonly ShopSample[]): ShopSeriesPoint[] {
  return [...samples]
    .sort((a, b) => a.timeMs - b.timeMs)
    .map((s) => {
      const totals = s.queues ? queueTotals(s.queues) : null;
      return {
        timeMs: s.timeMs,
        backlog: totals ? totals.queued + totals.unacked : null,
        queued: totals ? totals.queued : null,
        inProgress: s.inProgress,
        orders: s.orders,
        fulfilled: s.fulfilled,
      };
    });
}

type Field = 'backlog' | 'queued' | 'inProgress' | 'orders' | 'fulfilled';

/** The field's value at `timeMs`: linear between the samples around it, the nearest one outside them. */
export function valueAt(series: readonly ShopSeriesPoint[], field: Field, timeMs: number): number | null {
  const known = series.filter((p) => p[field] !== null);
  if (known.length === 0) return null;
  const after = known.findIndex((p) => p.timeMs >= timeMs);
  if (after === 0) return known[0]![field];
  if (after < 0) return known.at(-1)![field];
  const a = known[after - 1]!;
  const b = known[after]!;
  if (b.timeMs === a.timeMs) return b[field];
  return a[field]! + ((b[field]! - a[field]!) * (timeMs - a.timeMs)) / (b.timeMs - a.timeMs);
}

/** Least-squares slope of (seconds, value); null with fewer than 3 points or no spread in time. */
export function slopePerS(points: readonly { timeMs: number; value: number }[]): number | null {
  if (points.length < 3) return null;
  const n = points.length;
  const mx = points.reduce((sum, p) => sum + p.timeMs / 1000, 0) / n;
  const my = points.reduce((sum, p) => sum + p.value, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    const dx = p.timeMs / 1000 - mx;
    sxy += dx * (p.value - my);
    sxx += dx * dx;
  }
  return sxx > 0 ? sxy / sxx : null;
}

export interface AnalysisInput {
  samples: readonly ShopSample[];
  windowStartMs: number | null;
  windowEndMs: number | null;
  state?: { mode: StateMode; start: ShopStateSnapshot | null; end: ShopStateSnapshot | null } | undefined;
}

export function analyzeShopPoint(input: AnalysisInput): ShopPointAnalysis {
  const series = shopSeries(input.samples);
  const { windowStartMs: from, windowEndMs: to } = input;
  const empty: ShopPointAnalysis = {
    samples: series.length,
    offeredOrdersPerS: null,
    fulfilledPerS: null,
    fulfilledBlocks: [],
    backlogStart: null,
    backlogEnd: null,
    inProgressStart: null,
    inProgressEnd: null,
    backlogSlopePerS: null,
    growing: false,
    drainS: null,
    drainBasis: null,
    neverFulfilled: input.state?.end?.neverFulfilled ?? null,
    stateMode: input.state?.mode ?? null,
    start: input.state?.start ?? null,
    end: input.state?.end ?? null,
  };
  if (series.length === 0 || from === null || to === null || to <= from) return empty;
  const seconds = (to - from) / 1000;
  const delta = (field: Field, a: number, b: number) => {
    const va = valueAt(series, field, a);
    const vb = valueAt(series, field, b);
    return va === null || vb === null ? null : vb - va;
  };
  const placed = delta('orders', from, to);
  const fulfilled = delta('fulfilled', from, to);
  const blocks: number[] = [];
  for (let t = from; t + BLOCK_S * 1000 <= to + 1; t += BLOCK_S * 1000) {
    const d = delta('fulfilled', t, t + BLOCK_S * 1000);
    if (d !== null) blocks.push(d / BLOCK_S);
  }
  const inWindow = series.filter((p) => p.timeMs >= from && p.timeMs <= to && p.queued !== null);
  const slope = slopePerS(inWindow.map((p) => ({ timeMs: p.timeMs, value: p.queued! })));
  const queuedStart = valueAt(series, 'queued', from);
  const queuedEnd = valueAt(series, 'queued', to);
  const growing = slope !== null && slope > GROWTH_PER_S && queuedStart !== null && queuedEnd !== null && queuedEnd - queuedStart >= GROWTH_MIN_MESSAGES;
  const fulfilledPerS = fulfilled === null ? null : Math.max(0, fulfilled) / seconds;
  const inProgressEnd = valueAt(series, 'inProgress', to);
  // Drained: the first sample after the window with nothing queued or being made.
  const drained = series.find((p) => p.timeMs > to && p.backlog === 0);
  let drainS: number | null = null;
  let drainBasis: ShopPointAnalysis['drainBasis'] = null;
  if (drained) {
    drainS = (drained.timeMs - to) / 1000;
    drainBasis = 'measured';
  } else if (inProgressEnd !== null && fulfilledPerS !== null && fulfilledPerS > 0) {
    drainS = inProgressEnd / fulfilledPerS;
    drainBasis = 'estimated';
  }
  return {
    ...empty,
    offeredOrdersPerS: placed === null ? null : Math.max(0, placed) / seconds,
    fulfilledPerS,
    fulfilledBlocks: blocks,
    backlogStart: valueAt(series, 'backlog', from),
    backlogEnd: valueAt(series, 'backlog', to),
    inProgressStart: valueAt(series, 'inProgress', from),
    inProgressEnd,
    backlogSlopePerS: slope,
    growing,
    drainS,
    drainBasis,
  };
}

/**
 * The drain the next point measured (its `state: drain`), credited to the point before it: from
 * this point's window end to the moment the queues were empty. Only when the drain did not time out.
 */
export function creditNextDrain(
  analysis: ShopPointAnalysis,
  windowEndMs: number | null,
  nextDrain: { endMs: number; timedOut: boolean } | null,
): ShopPointAnalysis {
  if (analysis.drainBasis === 'measured' || !nextDrain || nextDrain.timedOut || windowEndMs === null) return analysis;
  return { ...analysis, drainS: Math.max(0, (nextDrain.endMs - windowEndMs) / 1000), drainBasis: 'next-drain' };
}

/** Fulfilment throughput of a configuration: total fulfilled over total window time, with a bootstrap interval of the block means. */
export function fulfilmentThroughput(points: readonly ShopPointAnalysis[]): { perS: number | null; ci: Interval | null; blocks: number[] } {
  const blocks = points.flatMap((p) => p.fulfilledBlocks);
  const rates = points.map((p) => p.fulfilledPerS).filter((v): v is number => v !== null);
  const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : null);
  return { perS: mean(rates), ci: bootstrapInterval(blocks, mean), blocks };
}

/** Fulfilment at one replica count of a service, over every configuration with that count. */
export interface FulfilmentAtReplicas {
  replicas: number;
  /** Mean of those configurations' fulfilled orders per second. */
  fulfilledPerS: number | null;
  /** Bootstrap interval of the mean over every block of every repetition of them. */
  ci: Interval | null;
  offeredOrdersPerS: number | null;
  configurations: number;
}

/**
 * Fulfilment against one service's replicas at one rate, the other services' replicas pooled: a
 * line that stays flat says the service does not limit what the shop makes (the barista, to which
 * upstream sends nothing), one that rises says it does (the kitchen).
 */
export function fulfilmentByReplicas(
  groups: readonly { replicas: Record<string, number>; targetRps: number; fulfilledPerS: number | null; offeredOrdersPerS: number | null; blocks: number[] }[],
  service: string,
  rateRps: number,
): FulfilmentAtReplicas[] {
  const byCount = new Map<number, typeof groups>();
  for (const group of groups.filter((g) => g.targetRps === rateRps && g.fulfilledPerS !== null)) {
    const count = group.replicas[service] ?? 0;
    byCount.set(count, [...(byCount.get(count) ?? []), group]);
  }
  const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : null);
  return [...byCount.entries()]
    .sort(([a], [b]) => a - b)
    .map(([replicas, members]) => ({
      replicas,
      fulfilledPerS: mean(members.map((g) => g.fulfilledPerS!)),
      ci: bootstrapInterval(
        members.flatMap((g) => g.blocks),
        mean,
      ),
      offeredOrdersPerS: mean(members.map((g) => g.offeredOrdersPerS).filter((v): v is number => v !== null)),
      configurations: members.length,
    }));
}
