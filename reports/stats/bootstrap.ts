import { seededRandom } from '../../kernel/random.ts';
import { median, quantileOfSorted, sorted } from './summary.ts';

export interface Interval {
  low: number;
  high: number;
}

export interface BootstrapOptions {
  /** Resamples drawn; 2000 keeps the 95 % ends stable to about a percent. */
  iterations?: number;
  /** Two-sided confidence level, default 0.95. */
  confidence?: number;
  /** Fixed seed so the same data gives the same report. */
  seed?: number;
}

function resample(values: readonly number[], random: () => number, into: number[]): number[] {
  for (let i = 0; i < values.length; i++) into[i] = values[Math.floor(random() * values.length)]!;
  return into;
}

/** Percentile-bootstrap interval of a statistic of one sample; null with fewer than 2 values. */
export function bootstrapInterval(
  values: readonly number[],
  statistic: (sample: number[]) => number | null = median,
  options: BootstrapOptions = {},
): Interval | null {
  if (values.length < 2) return null;
  const random = seededRandom(options.seed ?? 0x5eed);
  const iterations = options.iterations ?? 2000;
  const estimates: number[] = [];
  const scratch = new Array<number>(values.length);
  for (let i = 0; i < iterations; i++) {
    const estimate = statistic(resample(values, random, scratch));
    if (estimate !== null && Number.isFinite(estimate)) estimates.push(estimate);
  }
  return percentileInterval(estimates, options.confidence ?? 0.95);
}

/**
 * Interval of the relative change median(b)/median(a) − 1, resampling each side on its own.
 * Null when either side has fewer than 2 values or a resampled median of `a` is 0.
 */
export function bootstrapRelativeChange(a: readonly number[], b: readonly number[], options: BootstrapOptions = {}): Interval | null {
  if (a.length < 2 || b.length < 2) return null;
  const random = seededRandom(options.seed ?? 0x5eed);
  const iterations = options.iterations ?? 2000;
  const estimates: number[] = [];
  const scratchA = new Array<number>(a.length);
  const scratchB = new Array<number>(b.length);
  for (let i = 0; i < iterations; i++) {
    const ma = median(resample(a, random, scratchA));
    const mb = median(resample(b, random, scratchB));
    if (ma !== null && mb !== null && ma !== 0) estimates.push(mb / ma - 1);
  }
  return percentileInterval(estimates, options.confidence ?? 0.95);
}

function percentileInterval(estimates: number[], confidence: number): Interval | null {
  if (estimates.length === 0) return null;
  const ordered = sorted(estimates);
  const tail = (1 - confidence) / 2;
  return { low: quantileOfSorted(ordered, tail)!, high: quantileOfSorted(ordered, 1 - tail)! };
}
