/**
 * `k6/timers` (also global): timers belong to their VU; a pending timer keeps the iteration open, as
 * k6's event loop does, and an interrupted iteration clears them.
 */
import type { VuRuntime } from '../vu.ts';

export function createTimers(vu: VuRuntime): Record<string, unknown> {
  const start = (interval: boolean, fn: unknown, delay: unknown, args: unknown[]): number => {
    if (typeof fn !== 'function') throw new TypeError(`${interval ? 'setInterval' : 'setTimeout'}: the first argument must be a function`);
    const ms = Math.max(0, Number(delay) || 0);
    const id = vu.nextTimerId++;
    vu.opStarted();
    const run = () => {
      if (!interval) {
        vu.timers.delete(id);
      }
      try {
        (fn as (...a: unknown[]) => void)(...args);
      } finally {
        if (!interval) vu.opEnded();
      }
    };
    const handle = interval ? setInterval(run, Math.max(1, ms)) : setTimeout(run, ms);
    vu.timers.set(id, { handle, interval });
    return id;
  };
  const clear = (id: unknown) => {
    const timer = vu.timers.get(Number(id));
    if (!timer) return;
    clearTimeout(timer.handle);
    vu.timers.delete(Number(id));
    vu.opEnded();
  };
  const timers = {
    setTimeout: (fn: unknown, delay?: unknown, ...args: unknown[]) => start(false, fn, delay, args),
    setInterval: (fn: unknown, delay?: unknown, ...args: unknown[]) => start(true, fn, delay, args),
    clearTimeout: clear,
    clearInterval: clear,
  };
  return { ...timers, default: timers };
}
