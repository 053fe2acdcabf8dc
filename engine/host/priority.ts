/**
 * The workers' threads come first on a shared core. A worker that sleeps until an arrival's due time
 * (Atomics.wait) wakes on time, but where the main thread (writing samples), the thread pool (gzip)
 * or V8's helper threads are running on the same core, the kernel lets them finish their slice
 * first: the arrival starts a millisecond or two late. Linux schedules every thread on its own, so
 * the engine moves every thread of the process except the workers (and the threads they start
 * later, which inherit theirs) to the background:
 *  - SCHED_IDLE, with util-linux's `chrt`: a worker that wakes takes the core from such a thread at
 *    once. They still run whenever the workers sleep, which at any rate a worker sustains is most of
 *    the time;
 *  - nice 10 first, which is all there is where `chrt` is missing or refused: the kernel then only
 *    weighs the threads, and a worker may wait for the end of another thread's slice.
 * Neither needs a privilege (both lower the threads' claim to the core). Threads the main thread
 * starts later (the thread pool's) inherit both.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
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
 * 3.18 ms against 2.32 and 2.69 ms.
 */
export const BACKGROUND_NICE = 10;

/**
 * SCHED_IDLE against nice 10, measured at 1,000/s with `npm run engine` (the minimal script, 10 s, raw
 * samples on; engine on core 0, the benchmark's server on core 1), seven runs each, taking turns:
 * schedule error p99 0.42, 0.69, 0.73, 0.75, 0.79, 1.07 and 1.21 ms against 1.00, 1.18, 1.38, 1.42,
 * 1.48, 1.54 and 1.80 ms (each SCHED_IDLE run below the nice-10 run beside it). The capacity with one
 * worker stayed at 8,000/s; with two workers on the one core it rose from 5,000 to 6,500/s.
 *
 * Moves every thread of this process but `keep` to the background (best effort: never fails a run).
 */
export function yieldToWorkers(keep: number[]): void {
  if (keep.length === 0 || keep.includes(0)) return; // a worker that could not tell its thread: change nothing
  let tids: number[];
  try {
    tids = readdirSync('/proc/self/task')
      .map(Number)
      .filter((tid) => !keep.includes(tid));
  } catch {
    return;
  }
  for (const tid of tids) {
    try {
      setPriority(tid, BACKGROUND_NICE);
    } catch {
      // A thread that ended meanwhile, or a system that refuses: the run goes on as before.
    }
  }
  for (const tid of tids) {
    // chrt missing or refused, or the thread gone: that thread stays at nice 10.
    const chrt = spawnSync('chrt', ['--idle', '--pid', '0', String(tid)], { stdio: 'ignore', timeout: 5_000 });
    if (chrt.error) return; // no chrt at all: not worth trying for every thread
  }
}
