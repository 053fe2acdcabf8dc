import { twoSidedP } from './normal.ts';

/** Two-proportion z-test (pooled), e.g. failed requests out of all in run A against run B. */
export function twoProportionP(failuresA: number, totalA: number, failuresB: number, totalB: number): number | null {
  if (totalA <= 0 || totalB <= 0) return null;
  const pooled = (failuresA + failuresB) / (totalA + totalB);
  const variance = pooled * (1 - pooled) * (1 / totalA + 1 / totalB);
  if (variance === 0) return failuresA / totalA === failuresB / totalB ? 1 : 0;
  return twoSidedP((failuresB / totalB - failuresA / totalA) / Math.sqrt(variance));
}
