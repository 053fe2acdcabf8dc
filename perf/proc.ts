/**
 * A process's own CPU use from /proc/<pid>/stat: utime + stime + cutime + cstime, so the `sleep`
 * and `date` children the sampler loop waits for are counted too. Used by `npm run perf -- sampler`.
 */
import { statFields } from '../kernel/process.ts';

/** USER_HZ: the unit of /proc tick counters, fixed at 100 in the Linux ABI on ARM and x86. */
export const USER_HZ = 100;

export function processCpuTicks(statText: string): number | null {
  const fields = statFields(statText);
  if (!fields) return null;
  // After the name, field 3 (state) is index 0, so utime (14) is index 11 … cstime (17) is 14.
  const ticks = fields.slice(11, 15).map(Number);
  if (ticks.length < 4 || ticks.some((v) => !Number.isFinite(v))) return null;
  return ticks.reduce((a, b) => a + b, 0);
}

/** Share of one core used between two readings, in percent. */
export function cpuPctOfOneCore(ticksBefore: number, ticksAfter: number, wallMs: number): number {
  return wallMs > 0 ? ((ticksAfter - ticksBefore) / USER_HZ / (wallMs / 1000)) * 100 : 0;
}
