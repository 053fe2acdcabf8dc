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
  /**
   * The target stopped answering: connections to a gateway were refused, reset or timed out for a
   * few seconds (bench/point/target-health.ts). `sinceMs` is the first failed connection; the
   * requests sent to it since then failed.
   */
  | { type: 'target-down'; baseUrl: string; sinceMs: number; reason: string }
  /** Connections to that gateway succeed again; `downMs` since `sinceMs` of its target-down. */
  | { type: 'target-back'; baseUrl: string; downMs: number }
  | { type: 'interrupted'; signal?: string; forced?: boolean }
  | { type: 'error'; message: string; node?: string };

export type RunEvent = Envelope & RunEventBody;
export type RunEventType = RunEvent['type'];
export type RunEventOf<T extends RunEventType> = Extract<RunEvent, { type: T }>;

/** What a node sampler reports besides samples: a connection lost or back, an error while reconnecting. */
export type SamplerEvent = RunEventOf<'node-lost' | 'node-back' | 'error'>;

const EVENT_TYPES = new Set<string>([
  'scale',
  'converged',
  'cooldown',
  'warmup-start',
  'warmup-end',
  'load-start',
  'load-end',
  'throttling',
  'node-lost',
  'node-back',
  'target-down',
  'target-back',
  'interrupted',
  'error',
]);

const NUMBER_FIELDS: Partial<Record<RunEventType, string[]>> = {
  converged: ['convergenceMs'],
  cooldown: ['waitedMs'],
  'load-start': ['rateRps', 'durationS'],
  'load-end': ['exitCode', 'durationMs'],
  'target-down': ['sinceMs'],
  'target-back': ['downMs'],
};
const STRING_FIELDS: Partial<Record<RunEventType, string[]>> = {
  'node-lost': ['node'],
  'node-back': ['node'],
  throttling: ['node'],
  'target-down': ['baseUrl'],
  'target-back': ['baseUrl'],
  error: ['message'],
};

/**
 * A line of events.ndjson as a RunEvent, or what is wrong with it (the field), for the reader's
 * warning. Unknown types (written by a newer version) are kept; the fields readers rely on are checked.
 */
export function checkRunEvent(value: unknown): { event: RunEvent } | { problem: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { problem: `expected an event object, found ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}` };
  const record = value as Record<string, unknown>;
  if (typeof record.type !== 'string') return { problem: 'type: missing or not a string' };
  if (typeof record.timeMs !== 'number' || !Number.isFinite(record.timeMs)) return { problem: 'timeMs: missing or not a finite number' };
  if (record.pointId !== undefined && record.pointId !== null && typeof record.pointId !== 'string') return { problem: 'pointId: not a string' };
  if (EVENT_TYPES.has(record.type)) {
    const type = record.type as RunEventType;
    for (const field of NUMBER_FIELDS[type] ?? [])
      if (record[field] !== undefined && (typeof record[field] !== 'number' || !Number.isFinite(record[field])))
        return { problem: `${field}: not a finite number` };
    for (const field of STRING_FIELDS[type] ?? [])
      if (record[field] !== undefined && typeof record[field] !== 'string') return { problem: `${field}: not a string` };
  }
  return { event: record as unknown as RunEvent };
}
