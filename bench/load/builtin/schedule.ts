import { parseDurationS } from '../../../scenarios/lib/env.ts';
import type { K6Scenario } from '../../../scenarios/lib/profiles.ts';

/**
 * When iterations start, for the arrival-rate executors: offsets in milliseconds from the start,
 * computed up front from the options (open model: they do not depend on how fast the server answers).
 */

export function durationMs(text: string): number {
  const s = parseDurationS(text);
  if (s === undefined) throw new Error(`bad duration "${text}"`);
  return s * 1000;
}

/** Total time a scenario schedules iterations for, without its graceful stop. */
export function scenarioDurationMs(scenario: K6Scenario): number {
  if (scenario.executor === 'ramping-arrival-rate') return scenario.stages.reduce((sum, s) => sum + durationMs(s.duration), 0);
  return durationMs(scenario.duration);
}

/**
 * Arrival offsets. Constant rate: evenly spaced, the first at 0 (as k6). Ramping: the rate changes
 * linearly within each stage; an iteration starts each time the integral of the rate crosses the
 * next whole number.
 */
export function* arrivalOffsetsMs(scenario: K6Scenario): Generator<number> {
  if (scenario.executor === 'constant-vus') return;
  const unitMs = durationMs(scenario.timeUnit);
  if (scenario.executor === 'constant-arrival-rate') {
    const gapMs = unitMs / scenario.rate;
    const endMs = durationMs(scenario.duration);
    for (let t = 0; t < endMs - 1e-9; t += gapMs) yield t;
    return;
  }
  let startMs = 0;
  let fromRate = scenario.startRate / unitMs; // iterations per ms
  let done = 0; // iterations integrated so far (fractional)
  let next = 0; // the next whole iteration count that starts one
  for (const stage of scenario.stages) {
    const lengthMs = durationMs(stage.duration);
    const toRate = stage.target / unitMs;
    const slope = lengthMs > 0 ? (toRate - fromRate) / lengthMs : 0;
    const stageTotal = (lengthMs * (fromRate + toRate)) / 2;
    while (next < done + stageTotal - 1e-9) {
      // Solve fromRate·x + slope·x²/2 = next − done for x in [0, lengthMs].
      const need = next - done;
      let x: number;
      if (Math.abs(slope) < 1e-15) x = fromRate > 0 ? need / fromRate : lengthMs;
      else x = (-fromRate + Math.sqrt(Math.max(0, fromRate * fromRate + 2 * slope * need))) / slope;
      yield startMs + Math.min(Math.max(x, 0), lengthMs);
      next++;
    }
    done += stageTotal;
    startMs += lengthMs;
    fromRate = toRate;
  }
}

/** An execution segment, k6's `--execution-segment 1/3:2/3`: this generator's share of the load. */
export interface Segment {
  from: number;
  to: number;
}

export const FULL_SEGMENT: Segment = { from: 0, to: 1 };

function fraction(text: string): number {
  const [num, den] = text.split('/');
  const value = den === undefined ? Number(num) : Number(num) / Number(den);
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new Error(`bad execution segment bound "${text}"`);
  return value;
}

/** `0:1/2`, `1/2:1`, `0.25:0.5`. */
export function parseSegment(text: string): Segment {
  const [from, to, extra] = text.split(':');
  if (from === undefined || to === undefined || extra !== undefined) throw new Error(`bad execution segment "${text}": expected from:to, e.g. 0:1/2`);
  const segment = { from: fraction(from), to: fraction(to) };
  if (segment.from >= segment.to) throw new Error(`bad execution segment "${text}": from must be below to`);
  return segment;
}

/** How many of the first `n` iterations fall in the segment; spreads them evenly, and the segments of a sequence never overlap. */
function countIn(n: number, segment: Segment): number {
  return Math.floor(n * segment.to + 1e-9) - Math.floor(n * segment.from + 1e-9);
}

/** Whether iteration `index` (0-based, in schedule order) is this segment's. */
export function inSegment(index: number, segment: Segment): boolean {
  return countIn(index + 1, segment) > countIn(index, segment);
}

/** This segment's share of a whole number of VUs (at least one when the segment has any). */
export function segmentShare(total: number, segment: Segment): number {
  return Math.max(1, countIn(total, segment));
}
