/** Order statistics on plain arrays of numbers. */

export function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** Median of a sorted array (mean of the middle two for an even count); null when empty. */
export function medianOfSorted(values: readonly number[]): number | null {
  const n = values.length;
  if (n === 0) return null;
  const mid = n >> 1;
  return n % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

export function median(values: readonly number[]): number | null {
  return medianOfSorted(sorted(values));
}

/** Linear-interpolated quantile of a sorted array (type 7, as R and NumPy default). */
export function quantileOfSorted(values: readonly number[], q: number): number | null {
  const n = values.length;
  if (n === 0) return null;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return values[lo]! + (h - lo) * (values[hi]! - values[lo]!);
}

/** Median absolute deviation (unscaled). */
export function mad(values: readonly number[]): number | null {
  const m = median(values);
  if (m === null) return null;
  return median(values.map((v) => Math.abs(v - m)));
}
