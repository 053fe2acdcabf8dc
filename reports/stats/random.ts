// The planner's seeded PRNG (mulberry32) serves here too: bootstrap intervals and synthetic data
// must be reproducible, and one generator is enough.
export { seededRandom } from '../../bench/plan.ts';

/** A standard normal deviate (Box–Muller) from a uniform source. */
export function normalFrom(random: () => number): number {
  const u = Math.max(random(), Number.MIN_VALUE);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
