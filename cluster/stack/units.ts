import { parseDurationMs } from '../../kernel/duration.ts';

/** Go-style durations ("1m30s", "500ms", "10s"; a YAML number is seconds) in nanoseconds, as the Engine API wants them. */
export function durationNs(text: string | number): number {
  const ms = typeof text === 'number' ? text * 1000 : parseDurationMs(text);
  if (ms === null) throw new Error(`expected a duration such as 10s or 1m30s, got "${text}"`);
  return Math.round(ms * 1e6);
}

/** Compose byte sizes ("512m", "1g", "100k", or a number of bytes). */
export function bytes(text: string | number): number {
  if (typeof text === 'number') return text;
  const match = /^(\d+(?:\.\d+)?)\s*([bkmg]?)b?$/i.exec(text.trim());
  if (!match) throw new Error(`expected a size such as 512m, got "${text}"`);
  const scale: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
  return Math.round(Number(match[1]) * scale[match[2]!.toLowerCase()]!);
}

/** "0.5" CPUs → 500000000 NanoCPUs. */
export function nanoCpus(text: string | number): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`expected a CPU count such as 0.5, got "${text}"`);
  return Math.round(value * 1e9);
}
