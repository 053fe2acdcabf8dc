/**
 * The workers' threads come first on a shared core. A worker that sleeps until an arrival's due time
 * (Atomics.wait) wakes on time, but where the main thread (writing samples), the thread pool (gzip)
 * or V8's helper threads are running on the same core, the kernel lets them finish their slice
 * first: the arrival starts a millisecond or two late. Linux gives every thread its own nice value,
 * so the engine raises the nice value of every thread of the process except the workers (and the
 * threads they start later, which inherit theirs). Raising a nice value needs no privilege.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** Linux's id of the calling thread (0 where /proc/thread-self is missing). */
export function threadId(): number {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop()) || 0;
  } catch {
    return 0;
  }
}

/**
 * Measured with `npm run perf -- engine --no-peers` on an idle 2-core machine (engine on one core,
 * server on the other), two runs each, every thread at nice 0 against this: schedule error p99 at
 * 1,000/s 3.39 and 3.27 ms against 2.46 and 1.96 ms; latency excess p99 over a 20 ms server 2.96 and
 * 3.18 ms against 2.32 and 2.69 ms. Lower claims (nice 19, SCHED_IDLE) win a little more on an idle
 * core but starve these threads when another busy process shares it, and the worker waits on some of
 * them: seconds of lag (engine/README.md, "SCHED_IDLE for the background threads").
 */
export const BACKGROUND_NICE = 10;

/** Sets every thread of this process but `keep` to BACKGROUND_NICE (best effort: never fails a run). */
export function yieldToWorkers(keep: number[]): void {
  if (keep.length === 0 || keep.includes(0)) return; // a worker that could not tell its thread: change nothing
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return;
  }
  for (const tid of tids.map(Number)) {
    if (keep.includes(tid)) continue;
    try {
      setPriority(tid, BACKGROUND_NICE);
    } catch {
      // A thread that ended meanwhile, or a system that refuses: the run goes on as before.
    }
  }
}
