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
    const stageTotal = lengthMs * (fromRate + toRate) / 2;
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
