/**
 * What a VU's modules need from the thread that does its I/O and keeps its metrics. A VU in a shared
 * worker thread calls it directly (async mode: blocking calls are refused); a VU on a thread of its own
 * reaches it through a MessagePort and blocks with Atomics.wait (thread mode).
 */
import type { RequestSpec, ResponseInit } from '../http/types.ts';
import type { MetricInfo } from '../metrics/types.ts';

export type JarOp =
  | { op: 'cookiesForURL'; jar: number; url: string }
  | { op: 'set'; jar: number; url: string; name: string; value: string; options: Record<string, unknown> }
  | { op: 'clear'; jar: number; url: string }
  | { op: 'delete'; jar: number; url: string; name: string };

export interface InstanceCounters {
  iterationsCompleted: number;
  iterationsInterrupted: number;
  vusActive: number;
  vusInitialized: number;
  currentTestRunDuration: number;
}

export interface VuBackend {
  /** True when this VU may block (thread mode, setup and teardown). */
  readonly blocking: boolean;
  request(spec: RequestSpec): Promise<ResponseInit>;
  requestSync(spec: RequestSpec): ResponseInit;
  /** Runs the requests concurrently (batch and batchPerHost limits) and waits for all. */
  batchSync(specs: RequestSpec[]): ResponseInit[];
  sleepSync(ms: number): void;
  /** A sample of a metric with the VU's current tags plus `extra`. */
  emit(metric: string, value: number, extra: Record<string, string> | null): void;
  /** The VU's tags changed (group, exec.vu.tags). */
  setBaseTags(tags: Record<string, string>): void;
  setExpected(expected: number[] | false): void;
  defineMetric(info: MetricInfo): void;
  jar(op: JarOp): Record<string, string[]> | undefined;
  newJarId(): number;
  abortTest(reason: string): void;
  failTest(message: string): void;
  instance(): InstanceCounters;
  log(level: 'info' | 'warn' | 'error' | 'debug', text: string): void;
}

/** Thrown into an iteration to end it (test aborted, interrupted after gracefulStop). */
export class InterruptSignal extends Error {
  constructor(
    readonly reason: 'interrupted' | 'aborted',
    message: string,
  ) {
    super(message);
  }
}

/** Thrown by exec.test.abort(): ends the iteration and the test (exit code 108). */
export class AbortTestSignal extends Error {
  override name = 'AbortTest';
}
