/** Messages between the main thread (the coordinator) and a worker thread. */
import type { IntervalReport } from '../metrics/registry.ts';
import type { MetricInfo } from '../metrics/types.ts';
import type { ScriptSource } from '../runtime/script.ts';
import type { ScenarioShare } from './executors.ts';

export interface WorkerOptions {
  discardResponseBodies: boolean;
  maxRedirects: number;
  throwOnError: boolean;
  userAgent: string;
  noConnectionReuse: boolean;
  noVUConnectionReuse: boolean;
  insecureSkipTLSVerify: boolean;
  batch: number;
  batchPerHost: number;
  minIterationDurationMs: number;
  noCookiesReset: boolean;
  /** exec.test.options */
  raw: Record<string, unknown>;
}

export interface WorkerInit {
  index: number;
  script: ScriptSource;
  threadCode: string;
  env: Record<string, string>;
  globalTags: Record<string, string>;
  systemTags: string[];
  options: WorkerOptions;
  sharedArrays: Record<string, string>;
  shares: ScenarioShare[];
  /** Every metric the first init declared, so samples never name an unknown one. */
  metrics: MetricInfo[];
  samples: { json: boolean; influx: boolean };
  intervalMs: number;
  runStartMs: number;
  counters: SharedArrayBuffer;
  scenarioCounters: SharedArrayBuffer;
}

export type ToWorker =
  | { t: 'setup' }
  | { t: 'start'; startMs: number; setupJson: string | null }
  | { t: 'stop'; graceful: boolean }
  | { t: 'abort' }
  | { t: 'teardown'; setupJson: string | null }
  | { t: 'finish' }
  /** A samples batch's buffer, written: the worker's encoder reuses it for a later batch. */
  | { t: 'recycle'; buffer: ArrayBuffer };

export type FromWorker =
  | { t: 'ready'; vus: number; tid: number }
  | { t: 'initError'; message: string }
  | { t: 'setupDone'; ok: boolean; json: string | null; message: string }
  | { t: 'teardownDone'; ok: boolean; message: string }
  | { t: 'interval'; report: IntervalReport }
  | { t: 'samples'; declared: string[]; json: Uint8Array; influx: string; influxLines: number; bytes: number }
  | { t: 'abort'; reason: string }
  | { t: 'fail'; message: string }
  | { t: 'scenariosDone' }
  | { t: 'finished'; sampleCounts: Record<string, number> };
