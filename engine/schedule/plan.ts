/**
 * Pure schedules of the six executors: how many VUs a segment runs at a time, and when arrivals are
 * due. Times are milliseconds from the scenario's start.
 */
import type { Scenario, Stage } from '../options/types.ts';
import { ownedCount, type Segment } from './segment.ts';

/** VUs a scenario needs in the whole test (k6's "max VUs" of the scenario). */
export function scenarioMaxVUs(s: Scenario): number {
  switch (s.executor) {
    case 'shared-iterations':
    case 'per-vu-iterations':
    case 'constant-vus':
      return s.vus;
    case 'ramping-vus':
      return Math.max(s.startVUs, ...s.stages.map((st) => st.target));
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      return s.maxVUs;
  }
}

/** VUs to initialise before the test starts. */
export function scenarioInitialVUs(s: Scenario): number {
  return s.executor === 'constant-arrival-rate' || s.executor === 'ramping-arrival-rate' ? s.preAllocatedVUs : scenarioMaxVUs(s);
}

/** Iterations a second an arrival-rate scenario starts at its peak (0 for the VU-based executors). */
export function scenarioPeakRate(s: Scenario): number {
  switch (s.executor) {
    case 'constant-arrival-rate':
      return (s.rate * 1000) / s.timeUnitMs;
    case 'ramping-arrival-rate':
      return (Math.max(s.startRate, ...s.stages.map((st) => st.target)) * 1000) / s.timeUnitMs;
    default:
      return 0;
  }
}

/** Scheduled length without gracefulStop (for iteration-based executors: maxDuration). */
export function scenarioDurationMs(s: Scenario): number {
  switch (s.executor) {
    case 'shared-iterations':
    case 'per-vu-iterations':
      return s.maxDurationMs;
    case 'constant-vus':
    case 'constant-arrival-rate':
      return s.durationMs;
    case 'ramping-vus':
    case 'ramping-arrival-rate':
      return s.stages.reduce((sum, st) => sum + st.durationMs, 0);
  }
}

/** Whole VUs wanted by a ramping-vus schedule at time t: steps up when the line reaches k, down when it falls to k. */
export function rampingVUsAt(startVUs: number, stages: Stage[], tMs: number): number {
  let from = startVUs;
  let t0 = 0;
  for (const stage of stages) {
    if (tMs < t0 + stage.durationMs) {
      const exact = from + ((stage.target - from) * (tMs - t0)) / stage.durationMs;
      return stage.target >= from ? Math.floor(exact + 1e-9) : Math.ceil(exact - 1e-9);
    }
    from = stage.target;
    t0 += stage.durationMs;
  }
  return from;
}

/** The times (ms) at which a ramping-vus segment's VU count changes, with the new counts. */
export function rampingVUsSteps(startVUs: number, stages: Stage[], segment: Segment): { atMs: number; vus: number }[] {
  const steps: { atMs: number; vus: number }[] = [{ atMs: 0, vus: ownedCount(segment, startVUs) }];
  let from = startVUs;
  let t0 = 0;
  for (const stage of stages) {
    const delta = stage.target - from;
    if (stage.durationMs === 0) {
      steps.push({ atMs: t0, vus: ownedCount(segment, stage.target) });
    } else if (delta !== 0) {
      const n = Math.abs(delta);
      for (let k = 1; k <= n; k++) {
        // Up: the k-th VU joins when the line reaches from+k. Down: one leaves when it reaches from-k.
        const atMs = t0 + (stage.durationMs * k) / n;
        const vus = delta > 0 ? from + k : from - k;
        steps.push({ atMs, vus: ownedCount(segment, vus) });
      }
    }
    from = stage.target;
    t0 += stage.durationMs;
  }
  // Keep only changes, in time order.
  const out: { atMs: number; vus: number }[] = [];
  for (const step of steps) {
    const last = out[out.length - 1];
    if (last && Math.abs(last.atMs - step.atMs) < 1e-9) last.vus = step.vus;
    else if (!last || last.vus !== step.vus) out.push({ ...step });
  }
  return out;
}

/**
 * Arrival times of an arrival-rate executor: iteration i starts when the area under the rate curve
 * reaches i (so the first starts at 0, and at a constant rate r they are 1/r apart). Iterates without
 * allocating; `next()` returns the time of arrival `index` or null after the last.
 */
export class ArrivalSchedule {
  index = -1;
  private stage = 0;
  private stageStartMs = 0;
  private stageStartArea = 0;
  private readonly stages: { durationMs: number; fromPerMs: number; toPerMs: number }[];

  constructor(s: Extract<Scenario, { executor: 'constant-arrival-rate' | 'ramping-arrival-rate' }>) {
    if (s.executor === 'constant-arrival-rate') {
      const perMs = s.rate / s.timeUnitMs;
      this.stages = [{ durationMs: s.durationMs, fromPerMs: perMs, toPerMs: perMs }];
    } else {
      let from = s.startRate / s.timeUnitMs;
      this.stages = s.stages.map((st) => {
        const to = st.target / s.timeUnitMs;
        const out = { durationMs: st.durationMs, fromPerMs: from, toPerMs: to };
        from = to;
        return out;
      });
    }
  }

  /** Total arrivals of the whole (unsegmented) schedule. */
  static total(s: Extract<Scenario, { executor: 'constant-arrival-rate' | 'ramping-arrival-rate' }>): number {
    const schedule = new ArrivalSchedule(s);
    let area = 0;
    for (const st of schedule.stages) area += ((st.fromPerMs + st.toPerMs) / 2) * st.durationMs;
    return Math.ceil(area - 1e-9);
  }

  next(): number | null {
    const target = ++this.index;
    for (;;) {
      const st = this.stages[this.stage];
      if (!st) return null;
      const need = target - this.stageStartArea;
      const stageArea = ((st.fromPerMs + st.toPerMs) / 2) * st.durationMs;
      if (need < stageArea - 1e-9) {
        const a = (st.toPerMs - st.fromPerMs) / (2 * st.durationMs);
        const b = st.fromPerMs;
        // Solve a·τ² + b·τ = need for the first τ ≥ 0, in the form that stays exact when a → 0.
        const disc = b * b + 4 * a * need;
        const tau = need === 0 ? 0 : (2 * need) / (b + Math.sqrt(Math.max(0, disc)));
        return this.stageStartMs + Math.min(tau, st.durationMs);
      }
      this.stageStartArea += stageArea;
      this.stageStartMs += st.durationMs;
      this.stage++;
    }
  }
}
