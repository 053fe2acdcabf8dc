import { fileURLToPath } from 'node:url';
import { parseScenarioEnv, ScenarioEnvError } from '../scenarios/lib/env.ts';
import { UsageError } from '../kernel/errors.ts';
import { type BenchConfig, ENV_KEY, LIMITS } from './config.ts';
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

/**
 * The scenario variables of a config (its scenarioEnv with any `-e` over it), checked before anything
 * starts: names, sizes (LIMITS: a value past a few KiB would fail the generator's start with E2BIG),
 * reserved names, then every value as the scenario reads it. One `error:` line per problem.
 */
export function validateScenarioEnv(config: BenchConfig): void {
  const problems: string[] = [];
  const entries = Object.entries(config.scenarioEnv);
  if (entries.length > LIMITS.envKeys) problems.push(`${entries.length} variables; at most ${LIMITS.envKeys}`);
  let total = 0;
  for (const [key, value] of entries) {
    const bytes = Buffer.byteLength(key) + Buffer.byteLength(value);
    total += bytes;
    const name = ENV_KEY.test(key) ? key : JSON.stringify(key.slice(0, 80));
    if (!ENV_KEY.test(key)) problems.push(`${name}: a variable name is letters, digits and _, not starting with a digit`);
    else if (key in RESERVED_SCENARIO_ENV) problems.push(`${key}: set by the bench config's ${RESERVED_SCENARIO_ENV[key]}; set it there instead`);
    if (Buffer.byteLength(value) > LIMITS.envValueBytes)
      problems.push(`${name}: ${Buffer.byteLength(value)} bytes; a value is at most ${LIMITS.envValueBytes} bytes`);
  }
  if (total > LIMITS.envTotalBytes) problems.push(`${total} bytes in all; the variables together are at most ${LIMITS.envTotalBytes} bytes`);
  if (problems.length === 0) {
    try {
      for (const rateRps of config.matrix.ratesRps) parseScenarioEnv(pointEnv(config, { rateRps, durationS: config.durationS }, ['http://127.0.0.1:1']));
    } catch (error) {
      if (!(error instanceof ScenarioEnvError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new UsageError([...new Set(problems)].map((problem) => `scenario environment: ${problem}`).join('\n'));
}
