import { median } from './summary.ts';

/** Iglewicz and Hoaglin's cut-off for the modified z-score; hyperfine uses the same. */
export const MODIFIED_Z_THRESHOLD = 3.5;

/**
 * Modified z-scores 0.6745·(x − median)/MAD. When MAD is 0 (more than half the values equal) every
 * value that differs from the median is infinitely far, which is what it is on that scale.
 */
export function modifiedZScores(values: readonly number[]): number[] {
  const m = median(values);
  if (m === null) return [];
  const deviation = median(values.map((v) => Math.abs(v - m)))!;
  return values.map((v) => {
    if (v === m) return 0;
    if (deviation === 0) return v > m ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    return (0.6745 * (v - m)) / deviation;
  });
}

/** Indexes of MAD outliers; with fewer than 3 values nothing can be called an outlier. */
export function madOutliers(values: readonly number[], threshold = MODIFIED_Z_THRESHOLD): number[] {
  if (values.length < 3) return [];
  return modifiedZScores(values).flatMap((z, i) => (Math.abs(z) > threshold ? [i] : []));
}
