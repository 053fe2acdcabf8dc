/**
 * Wake-ups for the arrival schedules of one worker, precise to tens of microseconds, without a timer
 * per arrival. Node's timers have millisecond granularity (an arrival due in 0.4 ms would start 1–2 ms
 * late), so the last stretch before a due time is covered in the cheapest precise way available:
 *  - nothing in flight: sleep with Atomics.wait on this thread (it takes fractional milliseconds, and
 *    no response can then be read late because of it);
 *  - requests in flight for a while (a slow server): a small alarm thread waits instead and posts a
 *    message at the due time, which wakes this thread's event loop within tens of microseconds while
 *    responses keep being read (two context switches, so only when needed);
 *  - requests just sent: a 1 ms timer as a fallback; their responses usually come first, and the end
 *    of their iteration re-arms precisely;
 *  - due within 20 µs: check the clock in a loop.
 * The sleep and the loop run only at the start of an event-loop turn of their own (setImmediate), once
 * per wake-up: whatever the turn that armed them still had to do (the rest of an iteration, other
 * responses already read) is done first. Sleeping in the middle of a turn, and again for each arrival
 * due next, never let an iteration without a request in flight finish: at 4,000 arrivals/s an async
 * iteration doing no HTTP held all 1,000 VUs and 15,000 of 16,000 arrivals were dropped.
 * Further away, a coarse timer wakes the worker up to a millisecond early, and the end of every
 * iteration re-arms (a request that finished may allow the sleep).
 */
import { Worker } from 'node:worker_threads';
import { epochMs } from '../time.ts';

/** Sleep or use the alarm thread when the due time is at most this close (ms). */
const PRECISE_WITHIN_MS = 1.5;
const SPIN_WITHIN_MS = 0.02;
/**
 * The alarm thread costs two context switches (~50 µs of CPU) a use: at most one use per this many ms.
 * Denser arrivals are rare to need it (every finished iteration re-arms precisely), and a timer's
 * millisecond is small beside the gaps a busy generator has anyway.
 */
const THREAD_AT_MOST_EVERY_MS = 0.8;
/** A request in flight this long is not about to end: the alarm thread is worth its cost. */
const SLOW_AFTER_MS = 0.5;

const ALARM_THREAD = `
const { workerData, parentPort } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const seq = new Int32Array(workerData, 0, 2);
const due = new Float64Array(workerData, 8, 1);
const origin = performance.timeOrigin;
for (;;) {
  const s = Atomics.load(seq, 0);
  if (Atomics.load(seq, 1) !== 0) break;
  const at = due[0];
  if (!(at > 0)) { Atomics.wait(seq, 0, s); continue; }
  const left = at - (origin + performance.now());
  if (left > 0.01) { Atomics.wait(seq, 0, s, left); continue; }
  due[0] = 0;
  parentPort.postMessage(at);
}
`;

/** The alarm thread, started on first need: it waits for one due time at a time and posts when it comes. */
class AlarmThread {
  private readonly shared = new SharedArrayBuffer(16);
  private readonly seq = new Int32Array(this.shared, 0, 2);
  private readonly due = new Float64Array(this.shared, 8, 1);
  private readonly worker: Worker;

  constructor(onAlarm: () => void) {
    this.worker = new Worker(ALARM_THREAD, { eval: true, workerData: this.shared, stdout: false, stderr: false });
    this.worker.unref();
    this.worker.on('message', onAlarm);
  }

  /** Posts at `at` (epoch ms); a later `at` than the one armed is picked up when that one comes. */
  set(at: number): void {
    const current = this.due[0] ?? 0;
    if (current > 0 && current <= at) return;
    this.due[0] = at;
    Atomics.add(this.seq, 0, 1);
    Atomics.notify(this.seq, 0);
  }

  close(): void {
    Atomics.store(this.seq, 1, 1);
    Atomics.add(this.seq, 0, 1);
    Atomics.notify(this.seq, 0);
    void this.worker.terminate();
  }
}

/** One client's wake-up: rewritten in place, so that arming allocates nothing (see InFlight in http/client.ts). */
interface Want {
  at: number;
  fn: (() => void) | null;
}

export class AlarmHub {
  private readonly cell = new Int32Array(new SharedArrayBuffer(4));
  /** Every client's wake-up; `fn` null for none. */
  private readonly wants: Want[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** When the armed timer fires (epoch ms): a timer firing early only re-arms, so it can stay. */
  private timerAt = Infinity;
  private firing = false;
  /** The turn that may sleep or spin, when one is due (see the file's comment). */
  private immediate: NodeJS.Immediate | null = null;
  private readonly onImmediate = (): void => {
    this.immediate = null;
    this.arm(true);
  };
  private thread: AlarmThread | null = null;
  private threadUsedAt = -Infinity;

  /**
   * `busySince()`: while something may arrive that must not wait (requests in flight, VU threads),
   * since when (epoch ms; -Infinity for always); null when nothing is pending.
   */
  constructor(private readonly busySince: () => number | null) {}

  /** A handle for one client (a scenario): set() replaces its previous wake-up. */
  client(): { set(atEpochMs: number, fn: () => void): void; cancel(): void } {
    const want: Want = { at: Infinity, fn: null };
    this.wants.push(want);
    return {
      set: (at, fn) => {
        want.at = at;
        want.fn = fn;
        this.arm();
      },
      cancel: () => {
        this.clear(want);
        this.arm();
      },
    };
  }

  private clear(want: Want): void {
    want.at = Infinity;
    want.fn = null;
  }

  /** Re-evaluates after something finished (an iteration ended): the precise sleep may be possible now. */
  poke(): void {
    this.arm();
  }

  private earliest(): number {
    let min = Infinity;
    for (const w of this.wants) if (w.fn !== null && w.at < min) min = w.at;
    return min;
  }

  private arm(mayWait = false): void {
    if (this.firing) return; // fire() arms once it has run every due client
    let inOwnTurn = mayWait;
    for (;;) {
      const at = this.earliest();
      if (at === Infinity) return;
      const now = epochMs();
      const delay = at - now;
      if (delay > PRECISE_WITHIN_MS) {
        // Coarse: wake up to 1 ms early (never late by more than the timer's granularity).
        const wait = delay - 1;
        if (this.timer && this.timerAt <= now + wait + 0.5) return; // the armed timer comes first anyway
        if (this.timer) clearTimeout(this.timer);
        this.timerAt = now + wait;
        this.timer = setTimeout(this.onTimer, wait);
        return;
      }
      if (delay > SPIN_WITHIN_MS) {
        const since = this.busySince();
        if (since !== null) {
          if (now - since >= SLOW_AFTER_MS && now - this.threadUsedAt >= THREAD_AT_MOST_EVERY_MS) {
            this.threadUsedAt = now;
            this.thread ??= new AlarmThread(this.onThread);
            this.thread.set(at);
          } else if (!this.timer || this.timerAt > at) {
            if (this.timer) clearTimeout(this.timer);
            this.timerAt = now + 1;
            this.timer = setTimeout(this.onTimer, 1);
          }
          return;
        }
      }
      if (delay > 0) {
        if (!inOwnTurn) {
          this.immediate ??= setImmediate(this.onImmediate);
          return;
        }
        inOwnTurn = false;
        if (delay > SPIN_WITHIN_MS) Atomics.wait(this.cell, 0, 0, delay);
        else
          while (epochMs() < at) {
            // A few microseconds at most: cheaper than any wake-up.
          }
      }
      this.fire();
    }
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    this.timerAt = Infinity;
    this.arm();
  };

  /** The alarm thread's message: a wake-up like the timer's, but the armed timer (if any) stays armed. */
  private readonly onThread = (): void => {
    this.arm();
  };

  private fire(): void {
    this.firing = true;
    try {
      const now = epochMs();
      for (const w of this.wants) {
        const fn = w.fn;
        if (fn !== null && w.at <= now) {
          this.clear(w);
          fn();
        }
      }
    } finally {
      this.firing = false;
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = null;
    for (const w of this.wants) this.clear(w);
    this.thread?.close();
  }
}
