/**
 * The pure part of starting a run: how many worker threads, and each worker's share of each scenario.
 */
import { availableParallelism } from 'node:os';
import type { ScenarioShare } from './host/executors.ts';
import type { Scenario } from './options/types.ts';
import { scenarioMaxVUs } from './schedule/plan.ts';
import { ownedCount, type Segment } from './schedule/segment.ts';

/** Half the cores (at least one): the rest is left to a system under test on the same machine. */
export function defaultWorkers(cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / 2));
}

/**
 * Shares of each worker. A scenario goes to k = min(workers, its VUs in this segment) workers, starting
 * at a different worker for each scenario so small ones spread out; scenarios with no VU in this
 * segment are left out.
 */
export function planShares(scenarios: Scenario[], modes: ('async' | 'thread')[], workers: number, segment: Segment): ScenarioShare[][] {
  const out: ScenarioShare[][] = Array.from({ length: workers }, () => []);
  let vuIdBase = 0;
  let idInTestBase = 0;
  scenarios.forEach((scenario, index) => {
    const max = scenarioMaxVUs(scenario);
    const processMax = ownedCount(segment, max);
    const k = Math.max(1, Math.min(workers, processMax));
    if (processMax > 0) {
      for (let slot = 0; slot < k; slot++) {
        out[(index + slot) % workers]?.push({ scenario, index, segment, k, slot, vuIdBase, idInTestBase, mode: modes[index] ?? 'async' });
      }
    }
    vuIdBase += processMax;
    idInTestBase += max;
  });
  return out;
}
