/**
 * Wake-ups for the arrival schedules of one worker, precise to tens of microseconds, without a timer
 * per arrival and without another thread. Node's timers have millisecond granularity (an arrival due
 * in 0.4 ms would start 1–2 ms late), so the last stretch before a due time is slept with
 * Atomics.wait, which takes fractional milliseconds, on this very thread, when nothing else can need
 * it then: no request in flight (a response would otherwise be read, and timed, late) and no VU on a
 * thread of its own waiting for this one. Otherwise a coarse timer is armed and the next iteration's
 * end re-arms precisely. Earlier designs woke through a second thread: two context switches per
 * arrival cost more CPU than the whole request.
 */
import { epochMs } from '../time.ts';

/** Sleep precisely when the due time is at most this close (ms); above, a timer wakes us first. */
const SLEEP_WITHIN_MS = 1.5;

export class AlarmHub {
  private readonly cell = new Int32Array(new SharedArrayBuffer(4));
  private readonly wants = new Map<number, { at: number; fn: () => void }>();
  private nextId = 1;
  private timer: NodeJS.Timeout | null = null;
  /** When the armed timer fires (epoch ms): a timer firing early only re-arms, so it can stay. */
  private timerAt = Infinity;
  private firing = false;

  /** `busy()`: true while something may arrive that must not wait (requests in flight, VU threads). */
  constructor(private readonly busy: () => boolean) {}

  /** A handle for one client (a scenario): set() replaces its previous wake-up. */
  client(): { set(atEpochMs: number, fn: () => void): void; cancel(): void } {
    const id = this.nextId++;
    return {
      set: (at, fn) => {
        this.wants.set(id, { at, fn });
        this.arm();
      },
      cancel: () => {
        this.wants.delete(id);
        this.arm();
      },
    };
  }

  /** Re-evaluates after something finished (an iteration ended): the precise sleep may be possible now. */
  poke(): void {
    if (this.wants.size > 0) this.arm();
  }

  private earliest(): number {
    let min = Infinity;
    for (const w of this.wants.values()) if (w.at < min) min = w.at;
    return min;
  }

  private arm(): void {
    if (this.firing) return; // fire() arms once it has run every due client
    for (;;) {
      const at = this.earliest();
      if (at === Infinity) return;
      const now = epochMs();
      const delay = at - now;
      if (delay > SLEEP_WITHIN_MS || (delay > 0 && this.busy())) {
        // Coarse: wake up to 1 ms early (never late by more than the timer's granularity).
        const wait = delay > SLEEP_WITHIN_MS ? delay - 1 : delay;
        if (this.timer && this.timerAt <= now + wait + 0.5) return; // the armed timer comes first anyway
        if (this.timer) clearTimeout(this.timer);
        this.timerAt = now + wait;
        this.timer = setTimeout(this.onTimer, wait);
        return;
      }
      if (delay > 0) Atomics.wait(this.cell, 0, 0, delay);
      this.fire();
    }
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    this.timerAt = Infinity;
    this.arm();
  };

  private fire(): void {
    this.firing = true;
    try {
      const now = epochMs();
      for (const [id, w] of [...this.wants]) {
        if (w.at <= now) {
          this.wants.delete(id);
          w.fn();
        }
      }
    } finally {
      this.firing = false;
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.wants.clear();
  }
}
