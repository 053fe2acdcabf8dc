/**
 * Clocks and k6 durations. Every thread computes the epoch time as timeOrigin + performance.now(),
 * which is microsecond-resolution and comparable across worker threads (each has its own timeOrigin).
 */
import { performance } from 'node:perf_hooks';

const ORIGIN_MS = performance.timeOrigin;

/** Epoch milliseconds with a fractional part (microsecond resolution). */
export function epochMs(): number {
  return ORIGIN_MS + performance.now();
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A k6 duration: "1h30m", "2m", "10s", "500ms", "1.5s", or a number of milliseconds (k6 reads a bare
 * number in options as milliseconds). Returns null when the text is not a duration.
 */
export function parseDurationMs(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (text === '') return null;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000; // k6 reads a unitless string as seconds
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 0);
    matched = re.lastIndex;
  }
  return matched === text.length ? total : null;
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
