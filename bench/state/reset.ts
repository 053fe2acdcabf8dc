import { errorMessage } from '../../kernel/errors.ts';
import { sleep } from '../../kernel/sleep.ts';
import { describeState, isDrained, isEmptyState } from '../../rundir/shop-sample.ts';
import type { ShopStateSnapshot, StateMode } from '../../rundir/types.ts';
import type { PointSlotContext, StateReset } from '../point/slots.ts';
import type { Target } from '../target/target.ts';
import { type ShopAccess, shopAccess, snapshotShop } from './access.ts';

/**
 * The config's `state: reset | drain | none`, run after scaling and before the warm-up of every
 * point (bench/point/slots.ts StateReset), through whatever the target says about where its shop
 * keeps its state (Target.shopState):
 *
 * - reset: the consumers stopped (their unacknowledged messages go back to the queues; truncating
 *   while a consumer holds prefetched messages is no reset), the order, line-item, barista and
 *   kitchen tables emptied, every queue purged, the consumers started again and waited for.
 * - drain: wait until no message is queued or unacknowledged, at most drainTimeoutS. Orders still
 *   in progress then are never fulfilled (the counter's lost updates): they do not hold a drain.
 * - none: nothing is done; the state is only recorded.
 *
 * Each point records the state it starts and ends with; one that does not start from the configured
 * state (not empty after a reset, not drained in time, or the reset failed) is flagged
 * `state-not-reset`. The reference shop starts afresh for each point, which is its reset.
 */

export interface StateResetOptions {
  mode: StateMode;
  drainTimeoutS: number;
  /** How often a drain looks; default 1000 ms. */
  pollMs?: number;
}

const FLAG = 'state-not-reset';

/** The StateReset for a config and its target. */
export function stateResetFor(target: Pick<Target, 'shopState'>, options: StateResetOptions & { restartsEachPoint?: boolean }): StateReset {
  const accessNow = (): ShopAccess | null => {
    const state = target.shopState?.();
    return state ? shopAccess(state) : null;
  };
  const snapshot = async (point: PointSlotContext): Promise<ShopStateSnapshot | null> => {
    const access = accessNow();
    if (!access) return null;
    try {
      return await snapshotShop(access);
    } catch (error) {
      point.event({ type: 'error', message: `the shop's state could not be read: ${errorMessage(error)}` });
      return null;
    }
  };
  return {
    mode: options.mode,
    snapshot,
    async reset(point) {
      const access = accessNow();
      if (options.mode === 'none') return snapshot(point);
      if (!access) {
        if (options.restartsEachPoint) {
          point.event({
            type: 'state',
            mode: options.mode,
            method: 'the shop starts afresh for each point',
            durationMs: 0,
            timedOut: false,
            before: null,
            after: null,
          });
          return null;
        }
        point.flag(FLAG, `state: ${options.mode} was asked, but the target does not say where its shop keeps its state`);
        return null;
      }
      return options.mode === 'reset' ? resetShop(access, point) : drainShop(access, point, options);
    },
  };
}

async function resetShop(access: ShopAccess, point: PointSlotContext): Promise<ShopStateSnapshot | null> {
  const started = Date.now();
  point.logger.progress('  state: stopping the consumers, emptying the tables and queues');
  const before = await snapshotShop(access).catch(() => null);
  let after: ShopStateSnapshot | null = null;
  try {
    const resume = await access.pauseConsumers();
    try {
      // Stopped consumers hand their unacknowledged messages back; purge only then.
      for (let i = 0; i < 30; i++) {
        const { unacked } = await snapshotShop(access);
        if (unacked === 0) break;
        await sleep(1000, point.signal);
      }
      await access.truncate();
      await access.purge();
    } finally {
      point.logger.progress('  state: starting the consumers again');
      await resume();
    }
    after = await snapshotShop(access);
  } catch (error) {
    point.event({ type: 'state', mode: 'reset', method: access.method, durationMs: Date.now() - started, timedOut: false, before, after });
    point.event({ type: 'error', message: `state reset failed: ${errorMessage(error)}` });
    point.flag(FLAG, `the state reset failed (${errorMessage(error)}): the point starts from whatever the previous one left`);
    point.logger.done();
    return snapshotShop(access).catch(() => null);
  }
  point.logger.done();
  point.event({ type: 'state', mode: 'reset', method: access.method, durationMs: Date.now() - started, timedOut: false, before, after });
  if (!isEmptyState(after)) point.flag(FLAG, `after the reset the shop still held ${describeState(after)}`);
  return after;
}

async function drainShop(access: ShopAccess, point: PointSlotContext, options: StateResetOptions): Promise<ShopStateSnapshot | null> {
  const started = Date.now();
  const deadline = started + options.drainTimeoutS * 1000;
  let before: ShopStateSnapshot | null = null;
  let last: ShopStateSnapshot | null = null;
  let failure: unknown = null;
  for (;;) {
    try {
      last = await snapshotShop(access);
      failure = null;
    } catch (error) {
      failure = error;
    }
    before ??= last;
    if ((last && !failure && isDrained(last)) || Date.now() >= deadline || point.signal.aborted) break;
    if (last)
      point.logger.progress(
        `  state: draining, ${last.queued + last.unacked} message(s) left (${Math.round((Date.now() - started) / 1000)}/${options.drainTimeoutS} s)`,
      );
    await sleep(options.pollMs ?? 1000, point.signal);
  }
  point.logger.done();
  const drained = last !== null && failure === null && isDrained(last);
  const timedOut = !drained && !point.signal.aborted;
  point.event({ type: 'state', mode: 'drain', method: access.method, durationMs: Date.now() - started, timedOut, before, after: last });
  if (failure) point.event({ type: 'error', message: `the shop's state could not be read: ${errorMessage(failure)}` });
  if (!drained)
    point.flag(
      FLAG,
      last
        ? `the shop had not drained after ${options.drainTimeoutS} s: ${describeState(last)}; the point starts with that backlog`
        : `the shop's state could not be read (${errorMessage(failure)}): the point may start with a backlog`,
    );
  return last;
}
