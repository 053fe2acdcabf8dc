import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkScript } from '../engine/check.ts';
import { ConfigError, ScriptError } from '../engine/errors.ts';
import { UsageError } from '../kernel/errors.ts';
import { type BenchConfig, ENV_KEY, LIMITS } from './config.ts';
import type { PointSpec } from '../rundir/types.ts';

/**
 * The scenario variables of each point, from the bench config: the harness's side of the scenario
 * seam. The script is any k6 script in scenarios/ (the config's `scenario`); it gets BASE_URL,
 * PROFILE, RATE and DURATION, and the config's scenarioEnv, as __ENV.
 */

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

/** The variables each script declares (null: none), as the last check found them. */
const declaredVariables = new Map<string, string[] | null>();

/** The warm-up's variables: the point's, with the probe off where the script has one (PROBE). */
export function warmupEnv(script: string, env: Record<string, string>): Record<string, string> {
  const declared = declaredVariables.get(script);
  return declared?.includes('PROBE') ? { ...env, PROBE: 'off' } : env;
}

export function scriptPath(config: Pick<BenchConfig, 'scenario'>): string {
  return join(SCENARIOS_DIR, config.scenario);
}

/**
 * The scenario variables of a config (its scenarioEnv with any `-e` over it), checked before anything
 * starts: names, sizes (LIMITS: a value past a few KiB would fail the generator's start with E2BIG),
 * reserved names, then the script itself loads them as the engine would run it, once per rate: its
 * declared variables name an unknown key or a bad value, and its init code may refuse a combination.
 * One `error:` line per problem.
 */
export async function validateScenarioEnv(config: BenchConfig): Promise<void> {
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
    const script = scriptPath(config);
    for (const rateRps of config.matrix.ratesRps) {
      try {
        const facts = await checkScript(script, pointEnv(config, { rateRps, durationS: config.durationS }, ['http://127.0.0.1:1']));
        declaredVariables.set(script, facts.variables);
      } catch (error) {
        if (error instanceof ConfigError) problems.push(...error.problems.map((p) => p.replace(/^-e /, '')));
        else if (error instanceof ScriptError) problems.push(...scriptProblems(config.scenario, error.detail));
        else throw error;
      }
    }
  }
  if (problems.length > 0) throw new UsageError([...new Set(problems)].map((problem) => `scenario environment: ${problem}`).join('\n'));
}

/** A script's own refusal (its init threw): its message lines without the location and stack. */
function scriptProblems(scenario: string, detail: string): string[] {
  const lines = detail.split('\n').filter((line) => !/^\s+at /.test(line));
  const first = (lines[0] ?? '').replace(/^\S+:\d+:\d+: (\w*Error: )?/, '');
  return [first, ...lines.slice(1)].filter((line) => line.trim() !== '').map((line) => `${line} (${scenario} refused it)`);
}
