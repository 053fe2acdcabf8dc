import type { PointSpec } from './rundir/types.ts';
import type { BenchConfig } from './config.ts';

/**
 * The pure planner: the matrix (replicas × rates × repetitions) expanded into points, shuffled
 * with a seeded generator so slow drift (heat, battery) does not line up with one configuration,
 * repetition by repetition so every configuration is measured once before any is measured twice.
 */

/** mulberry32: small, fast and good enough to shuffle; the same seed gives the same order. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export function planPoints(config: BenchConfig, baseUrl = ''): PointSpec[] {
  const random = seededRandom(config.seed);
  const points: PointSpec[] = [];
  for (let repetition = 1; repetition <= config.matrix.repetitions; repetition++) {
    const combos = config.matrix.replicas.flatMap((replicas) => config.matrix.ratesRps.map((rateRps) => ({ replicas, rateRps })));
    for (const combo of shuffle(combos, random)) {
      const index = points.length;
      points.push({
        pointId: `p${String(index + 1).padStart(2, '0')}-r${combo.replicas}-${combo.rateRps}rps-rep${repetition}`,
        index,
        replicas: { shop: combo.replicas },
        rateRps: combo.rateRps,
        durationS: config.durationS,
        warmupS: config.warmupS,
        repetition,
        scenario: config.scenario,
        profile: config.profile,
        baseUrl,
      });
    }
  }
  return points;
}

/** Expected wall time: warm-up, load window, start-up and cooldown per point (seconds). */
export function estimateDurationS(config: BenchConfig, points: readonly PointSpec[], startupS = 1.5): number {
  return points.reduce((sum, p) => sum + p.warmupS + p.durationS + startupS + config.cooldownS, 0);
}
