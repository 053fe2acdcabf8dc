import { fileURLToPath } from 'node:url';
import { parseScenarioEnv, ScenarioEnvError } from '../scenarios/lib/env.ts';
import { UsageError } from '../kernel/errors.ts';
import type { BenchConfig } from './config.ts';
import type { PointSpec } from '../rundir/types.ts';

/** The scenario variables of each point, from the bench config: the harness's side of the scenario seam. */

export const SCENARIOS_DIR = fileURLToPath(new URL('../scenarios/', import.meta.url));

/** Set per point from the config; a user value would be silently overridden, so it is refused. */
export const RESERVED_SCENARIO_ENV: Record<string, string> = {
  BASE_URL: 'target (the bench finds the gateways)',
  PROFILE: 'profile',
  RATE: 'matrix.ratesRps',
  DURATION: 'durationS',
};

/** The scenario variables of one point; checked before anything starts. */
export function pointEnv(config: BenchConfig, spec: Pick<PointSpec, 'rateRps' | 'durationS'>, baseUrls: string[]): Record<string, string> {
  return { ...config.scenarioEnv, BASE_URL: baseUrls.join(','), PROFILE: config.profile, RATE: String(spec.rateRps), DURATION: `${spec.durationS}s` };
}

export function validateScenarioEnv(config: BenchConfig): void {
  const reserved = Object.keys(config.scenarioEnv).filter((key) => key in RESERVED_SCENARIO_ENV);
  if (reserved.length > 0) {
    throw new UsageError(
      reserved.map((key) => `scenario environment: ${key} is set by the bench config's ${RESERVED_SCENARIO_ENV[key]}; set it there instead`).join('\n'),
    );
  }
  try {
    for (const rateRps of config.matrix.ratesRps) parseScenarioEnv(pointEnv(config, { rateRps, durationS: config.durationS }, ['http://127.0.0.1:1']));
  } catch (error) {
    if (error instanceof ScenarioEnvError) throw new UsageError(`scenario environment: ${error.message}`, { cause: error });
    throw error;
  }
}
