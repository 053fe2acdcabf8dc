/**
 * events.ndjson: what happened around a point, one event a line, in the order it happened. Each
 * type has its own fields; `pointId` is null only on events a sampler emits before the pipeline
 * stamps them with the point.
 */

interface Envelope {
  /** Harness clock, epoch ms. */
  timeMs: number;
  pointId: string | null;
}

export type RunEventBody =
  /** Scaling to the point's replica counts began. */
  | { type: 'scale'; replicas: Record<string, number> }
  /** Every task runs at the new count: the convergence time is a result of the point. */
  | { type: 'converged'; convergenceMs: number; baseUrls: string[] }
  /** The cooldown gate opened, or gave up after cooldown.maxWaitS (`timedOut`, with the hottest node). */
  | { type: 'cooldown'; waitedMs: number; timedOut: boolean; maxTempC: number; hottest?: { node: string; tempC: number } }
  | { type: 'warmup-start' }
  | { type: 'warmup-end' }
  | { type: 'load-start'; rateRps: number; durationS: number }
  | { type: 'load-end'; exitCode: number; thresholdsPassed: boolean; durationMs: number }
  /** A node's first sample of the point that says a busy core runs below its max frequency. */
  | { type: 'throttling'; node: string; cpuPct: number | null }
  /** A node's samples stopped (or its connection dropped): its series has a gap from here. */
  | { type: 'node-lost'; node: string; reason: string; lastSampleMs?: number }
  /** Samples from a lost node again. */
  | { type: 'node-back'; node: string; gapMs?: number }
  | { type: 'interrupted' }
  | { type: 'error'; message: string; node?: string };

export type RunEvent = Envelope & RunEventBody;
export type RunEventType = RunEvent['type'];
export type RunEventOf<T extends RunEventType> = Extract<RunEvent, { type: T }>;

/** What a node sampler reports besides samples: a connection lost or back, an error while reconnecting. */
export type SamplerEvent = RunEventOf<'node-lost' | 'node-back' | 'error'>;
