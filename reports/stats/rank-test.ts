/**
 * Mann–Whitney U test and Cliff's delta, from two samples given as sorted (value, count) lists, so
 * the same code serves plain arrays (a few repetitions) and histograms (millions of raw samples,
 * one entry per bucket, in O(buckets)).
 */
import { twoSidedP } from './normal.ts';

export type Weighted = readonly (readonly [value: number, count: number])[];

export interface RankTestResult {
  n1: number;
  n2: number;
  /** U of the second sample: pairs where b > a, plus half the ties. */
  u: number;
  /** Two-sided p-value: exact for small samples without ties, normal approximation otherwise. */
  pValue: number;
  pMethod: 'exact' | 'normal';
  /** P(b > a) − P(b < a), in [−1, 1]; positive when the second sample is larger. */
  cliffsDelta: number;
  /** Romano et al.'s thresholds: negligible < 0.147 ≤ small < 0.33 ≤ medium < 0.474 ≤ large. */
  magnitude: 'negligible' | 'small' | 'medium' | 'large';
}

export function weighted(values: readonly number[]): [number, number][] {
  const ordered = [...values].sort((x, y) => x - y);
  const out: [number, number][] = [];
  for (const v of ordered) {
    const last = out[out.length - 1];
    if (last && last[0] === v) last[1]++;
    else out.push([v, 1]);
  }
  return out;
}

export function cliffsMagnitude(delta: number): RankTestResult['magnitude'] {
  const d = Math.abs(delta);
  return d < 0.147 ? 'negligible' : d < 0.33 ? 'small' : d < 0.474 ? 'medium' : 'large';
}

/** Null when either sample is empty. */
export function rankTest(a: Weighted, b: Weighted): RankTestResult | null {
  let n1 = 0;
  let n2 = 0;
  for (const [, c] of a) n1 += c;
  for (const [, c] of b) n2 += c;
  if (n1 === 0 || n2 === 0) return null;
  let i = 0;
  let j = 0;
  let aBelow = 0;
  let bBelow = 0;
  let bGreater = 0;
  let bLess = 0;
  let ties = 0;
  let tieCorrection = 0;
  while (i < a.length || j < b.length) {
    const va = i < a.length ? a[i]![0] : Number.POSITIVE_INFINITY;
    const vb = j < b.length ? b[j]![0] : Number.POSITIVE_INFINITY;
    const v = Math.min(va, vb);
    const ca = va === v ? a[i++]![1] : 0;
    const cb = vb === v ? b[j++]![1] : 0;
    bGreater += cb * aBelow;
    bLess += ca * bBelow;
    ties += ca * cb;
    const t = ca + cb;
    tieCorrection += t * t * t - t;
    aBelow += ca;
    bBelow += cb;
  }
  const pairs = n1 * n2;
  const u = bGreater + ties / 2;
  const cliffsDelta = (bGreater - bLess) / pairs;
  const exact = tieCorrection === 0 && n1 + n2 <= 40 && pairs <= 400;
  const pValue = exact ? exactP(n1, n2, u) : normalP(n1, n2, u, tieCorrection);
  return { n1, n2, u, pValue, pMethod: exact ? 'exact' : 'normal', cliffsDelta, magnitude: cliffsMagnitude(cliffsDelta) };
}

function normalP(n1: number, n2: number, u: number, tieCorrection: number): number {
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieCorrection / (n * (n - 1)));
  if (variance <= 0) return 1;
  const distance = Math.max(0, Math.abs(u - mean) - 0.5); // continuity correction
  return twoSidedP(distance / Math.sqrt(variance));
}

/** Exact null distribution of U by the recurrence f(m, n, u) = f(m−1, n, u−n) + f(m, n−1, u). */
function exactP(n1: number, n2: number, u: number): number {
  const max = n1 * n2;
  // counts[m][n] as rolling arrays over n2: table[m] = distribution for (m, current n).
  let previous: number[][] = Array.from({ length: n1 + 1 }, () => [1]); // n = 0: U is 0 whatever m
  for (let n = 1; n <= n2; n++) {
    const current: number[][] = [[1]];
    for (let m = 1; m <= n1; m++) {
      const size = m * n + 1;
      const dist = new Array<number>(size).fill(0);
      const left = current[m - 1]!; // (m-1, n): shifted by n
      const down = previous[m]!; // (m, n-1)
      for (let k = 0; k < left.length; k++) dist[k + n]! += left[k]!;
      for (let k = 0; k < down.length; k++) dist[k]! += down[k]!;
      current.push(dist);
    }
    previous = current;
  }
  const dist = previous[n1]!;
  let total = 0;
  for (const c of dist) total += c;
  let low = 0;
  let high = 0;
  for (let k = 0; k <= max; k++) {
    if (k <= u) low += dist[k] ?? 0;
    if (k >= u) high += dist[k] ?? 0;
  }
  return Math.min(1, (2 * Math.min(low, high)) / total);
}
