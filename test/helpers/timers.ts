/** A manual clock for the shop model: timers fire only when the test advances time. */
export function manualTimers() {
  let now = 0;
  const timers: { at: number; fn: () => void }[] = [];
  return {
    schedule: (fn: () => void, delayMs: number) => void timers.push({ at: now + delayMs, fn }),
    advance(ms: number) {
      now += ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const next = timers[0];
        if (!next || next.at > now) return;
        timers.shift();
        next.fn();
      }
    },
  };
}
