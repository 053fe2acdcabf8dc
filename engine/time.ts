/**
 * Clocks and k6 durations. Every thread computes the epoch time as timeOrigin + performance.now(),
 * which is microsecond-resolution and comparable across worker threads (each has its own timeOrigin).
 */
import { performance } from 'node:perf_hooks';
import { parseDurationMs as parseKernelDuration } from '../kernel/duration.ts';

const ORIGIN_MS = performance.timeOrigin;

/** Epoch milliseconds with a fractional part (microsecond resolution). */
export function epochMs(): number {
  return ORIGIN_MS + performance.now();
}

/**
 * A k6 duration: "1h30m", "2m", "10s", "500ms", "1.5s" (kernel/duration.ts, the one parser), or a
 * number of milliseconds (k6 reads a bare number in options as milliseconds, a unitless string as
 * seconds). Returns null when the value is not a duration.
 */
export function parseDurationMs(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  if (typeof value !== 'string' || value.trim() === '') return null;
  return parseKernelDuration(value, 's');
}

/** k6's way of printing a duration: 1m30s, 250ms, 1.5s. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1) return `${trim(ms * 1000)}µs`;
  if (ms < 1000) return `${trim(ms)}ms`;
  if (ms < 60_000) return `${trim(ms / 1000)}s`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h > 0 ? `${h}h` : ''}${m > 0 || h > 0 ? `${m}m` : ''}${s > 0 ? `${trim(s)}s` : h === 0 && m === 0 ? '0s' : ''}`;
}

function trim(n: number): string {
  return String(Math.round(n * 100) / 100);
}
