/**
 * Messages between a worker (the I/O thread) and a VU on its own thread (thread mode). The VU posts a
 * request and blocks in Atomics.wait on `flags[WAKE]`; the worker posts the answer and bumps that
 * counter. `flags[INTERRUPT]` ends a blocking call early when the iteration is interrupted.
 */
import type { MessagePort } from 'node:worker_threads';
import type { RequestSpec, ResponseInit } from '../http/types.ts';
import type { MetricInfo } from '../metrics/types.ts';
import type { JarOp } from '../runtime/backend.ts';
import type { ScriptSource } from '../runtime/script.ts';
import type { Outcome, VuConfig } from '../runtime/vu.ts';

export const WAKE = 0;
export const INTERRUPT = 1;

export interface ThreadVuData {
  script: ScriptSource;
  config: Omit<VuConfig, 'systemTags'> & { systemTags: string[] };
  flags: SharedArrayBuffer;
  counters: SharedArrayBuffer;
  port: MessagePort;
  runStartMs: number;
}

/** Queued side effects, sent in order with the next message. */
export type Effect =
  | { k: 'tags'; tags: Record<string, string> }
  | { k: 'sample'; metric: string; value: number; extra: Record<string, string> | null; timeMs: number }
  | { k: 'define'; info: MetricInfo }
  | { k: 'expected'; expected: number[] | false }
  | { k: 'log'; level: string; text: string };

export type ToHost =
  | { t: 'ready'; effects: Effect[] }
  | { t: 'initError'; message: string; where: string | null; effects: Effect[] }
  | { t: 'effects'; effects: Effect[] }
  | { t: 'req'; id: number; spec: RequestSpec; effects: Effect[] }
  | { t: 'areq'; id: number; spec: RequestSpec; effects: Effect[] }
  | { t: 'batch'; id: number; specs: RequestSpec[]; effects: Effect[] }
  | { t: 'jar'; id: number; op: JarOp; effects: Effect[] }
  | { t: 'abort'; reason: string; effects: Effect[] }
  | { t: 'fail'; message: string; effects: Effect[] }
  | { t: 'done'; outcome: Outcome; effects: Effect[] }
  | { t: 'result'; ok: boolean; json: string | null; message: string; effects: Effect[] };

export type ToVu =
  | { t: 'iterate'; exec: string; data: string | null; iterationInInstance: number; iterationInTest: number; scenario: VuConfig['scenario'] }
  | { t: 'call'; name: string; phase: 'setup' | 'teardown'; arg: string | null }
  | { t: 'res'; id: number; res: ResponseInit }
  | { t: 'batchRes'; id: number; res: ResponseInit[] }
  | { t: 'jarRes'; id: number; value: Record<string, string[]> | null; error: string | null }
  | { t: 'interrupt' }
  | { t: 'close' };
