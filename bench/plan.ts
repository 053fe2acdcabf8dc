import type { PointSpec } from '../rundir/types.ts';
import { seededRandom } from '../kernel/random.ts';
import { replicaMatrix, type BenchConfig } from './config.ts';

/**
 * The pure planner: the matrix (replicas × rates × repetitions) expanded into points, shuffled
 * with a seeded generator so slow drift (heat, battery) does not line up with one configuration,
 * repetition by repetition so every configuration is measured once before any is measured twice.
 */

export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Every combination of the per-service replica counts, e.g. {a: [1, 2], b: [1]} → [{a:1,b:1}, {a:2,b:1}]. */
export function replicaCombos(matrix: Record<string, number[]>): Record<string, number>[] {
  let combos: Record<string, number>[] = [{}];
  for (const [service, counts] of Object.entries(matrix)) {
    combos = combos.flatMap((combo) => counts.map((n) => ({ ...combo, [service]: n })));
  }
  return combos;
}

function label(replicas: Record<string, number>): string {
  return Object.entries(replicas)
    .map(([service, n]) => `${service.replace(/[^a-z0-9]/gi, '')}${n}`)
    .join('-');
}

export function planPoints(config: BenchConfig, baseUrl = ''): PointSpec[] {
  const random = seededRandom(config.seed);
  const points: PointSpec[] = [];
  for (let repetition = 1; repetition <= config.matrix.repetitions; repetition++) {
    const combos = replicaCombos(replicaMatrix(config)).flatMap((replicas) => config.matrix.ratesRps.map((rateRps) => ({ replicas, rateRps })));
    for (const combo of shuffle(combos, random)) {
      const index = points.length;
      points.push({
        pointId: [`p${String(index + 1).padStart(2, '0')}`, label(combo.replicas), `${combo.rateRps}rps`, `rep${repetition}`].filter(Boolean).join('-'),
        index,
        replicas: combo.replicas,
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

/**
 * Time left once some points have run: the plan's estimate of the rest, scaled by how far the points
 * so far ran over (or under) theirs. What the plan cannot know (scaling, a state reset, a slow
 * generator start) is then counted at the rate this run has shown. Before any point, the plan's.
 */
export function remainingEstimateS(plannedDoneS: number, elapsedS: number, plannedLeftS: number): number {
  return plannedDoneS > 0 && elapsedS > 0 ? plannedLeftS * (elapsedS / plannedDoneS) : plannedLeftS;
}

/** Expected wall time: warm-up, load window, start-up and cooldown per point (seconds). */
export function estimateDurationS(config: BenchConfig, points: readonly PointSpec[], startupS = 1.5): number {
  return points.reduce((sum, p) => sum + p.warmupS + p.durationS + startupS + config.pauseS, 0);
}
