/**
 * Durations as k6 and Go write them (`time.ParseDuration`, plus k6's `d`): one or more numbers each
 * with a unit, e.g. 500ms, 2s, 1.5m, 1m30s, 1h, 1d. Units: ns, us (µs), ms, s, m, h, d. No sign.
 * The one parser for durations on the command line, in compose files and anywhere else.
 */

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)/y;

/**
 * Milliseconds, or null when `text` is not a duration. `bareUnit` also accepts a plain number in
 * that unit (the form flags took before they took durations); without it a unit is required,
 * except for 0.
 */
export function parseDurationMs(text: string, bareUnit?: 'ms' | 's'): number | null {
  const trimmed = text.trim();
  if (/^(\d+(\.\d*)?|\.\d+)$/.test(trimmed)) {
    const value = Number(trimmed);
    if (bareUnit) return bareUnit === 's' ? value * 1000 : value;
    return value === 0 ? 0 : null;
  }
  PART.lastIndex = 0;
  let total = 0;
  let end = 0;
  for (let match = PART.exec(trimmed); match; match = PART.exec(trimmed)) {
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    end = PART.lastIndex;
  }
  return end > 0 && end === trimmed.length ? total : null;
}
