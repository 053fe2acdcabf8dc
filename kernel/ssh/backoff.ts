/** Reconnect delays: exponential from `baseMs`, capped at `maxMs`, with ±`jitter` spread. */
export interface BackoffOptions {
  /** Default 500. */
  baseMs?: number;
  /** Default 30000. */
  maxMs?: number;
  /** Share of the delay drawn at random either way, 0–1; default 0.2, so nodes do not retry in step. */
  jitter?: number;
}

/** Delay before retry number `attempt` (0 for the first retry). `random` is for tests. */
export function backoffDelayMs(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const baseMs = options.baseMs ?? 500;
  const maxMs = options.maxMs ?? 30_000;
  const jitter = options.jitter ?? 0.2;
  const delay = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(delay * (1 + jitter * (2 * random() - 1)));
}
