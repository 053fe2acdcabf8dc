/**
 * Process-wide counters every thread updates with Atomics (exec.instance.*, progress), and the
 * raw-sample backlog the main thread reports so workers can hold back new iterations.
 */

export const COUNTER = {
  iterationsCompleted: 0,
  iterationsInterrupted: 1,
  vusActive: 2,
  vusInitialized: 3,
  /** Bytes of raw samples handed to the main thread and not yet written. */
  sampleBacklog: 4,
  droppedIterations: 5,
} as const;

export const COUNTER_SLOTS = 8;

export function newCounters(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(COUNTER_SLOTS * 4));
}

/** Workers stop starting iterations above this backlog of unwritten samples (bytes): memory stays bounded. */
export const SAMPLE_BACKLOG_LIMIT = 64 * 1024 * 1024;
