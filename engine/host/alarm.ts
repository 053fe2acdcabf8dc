/**
 * Precise wake-ups for the arrival schedule without a timer per arrival. Node's timers have
 * millisecond granularity (an arrival due in 0.4 ms fires after 1–2 ms); instead a small thread waits
 * with Atomics.wait, which takes fractional milliseconds, until the earliest due time and then posts
 * one message, which wakes this worker's event loop within tens of microseconds. The worker never
 * blocks: responses keep flowing while the alarm thread waits. Re-arming later only updates shared
 * memory; the alarm thread notices on its own wake-up and waits again.
 */
import { Worker } from 'node:worker_threads';

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
  if (left > 0.015) { Atomics.wait(seq, 0, s, left); continue; }
  due[0] = 0;
  parentPort.postMessage(at);
}
`;

export class AlarmHub {
  private readonly shared = new SharedArrayBuffer(16);
  private readonly seq = new Int32Array(this.shared, 0, 2);
  private readonly due = new Float64Array(this.shared, 8, 1);
  private readonly thread: Worker;
  private readonly wants = new Map<number, { at: number; fn: () => void }>();
  private nextId = 1;

  constructor() {
    this.thread = new Worker(ALARM_THREAD, { eval: true, workerData: this.shared, stdout: false, stderr: false, resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1 } });
    this.thread.unref();
    this.thread.on('message', () => this.fire());
  }

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

  private arm(): void {
    let min = Infinity;
    for (const w of this.wants.values()) if (w.at < min) min = w.at;
    const current = this.due[0] ?? 0;
    const next = min === Infinity ? 0 : min;
    if (next === current) return;
    this.due[0] = next;
    // Earlier than what the thread waits for (or it waits for nothing): wake it to wait less.
    if (next > 0 && (current === 0 || next < current)) {
      Atomics.add(this.seq, 0, 1);
      Atomics.notify(this.seq, 0);
    }
  }

  private fire(): void {
    const now = performance.timeOrigin + performance.now();
    for (const [id, w] of [...this.wants]) {
      if (w.at <= now + 0.02) {
        this.wants.delete(id);
        w.fn();
      }
    }
    this.arm();
  }

  close(): void {
    Atomics.store(this.seq, 1, 1);
    Atomics.add(this.seq, 0, 1);
    Atomics.notify(this.seq, 0);
    void this.thread.terminate();
  }
}
