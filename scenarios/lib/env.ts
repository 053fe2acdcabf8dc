/**
 * The scenario's knobs, parsed from k6's `__ENV`. Pure and dependency-free so k6 (and the engine) can
 * load it. Every problem is collected and reported at once, naming the variable and the fix.
 * `VARIABLES` declares them in the engine's format (a script exports it as `env`): then `npm run
 * engine` and the bench name an unknown or badly typed `-e` key before the script runs.
 */

export const PROFILES = ['smoke', 'load', 'stress', 'spike', 'soak', 'locust'] as const;
export type Profile = (typeof PROFILES)[number];

/** Relative weights of the open-model tasks, by task name (the script's exported functions). */
export type Mix = Record<string, number>;

export interface ScenarioConfig {
  /** The proxy (gateway) URL, without a trailing slash. Default http://127.0.0.1:5000. */
  baseUrl: string;
  /**
   * Every gateway to spread the load over (BASE_URL may list several, comma-separated: without a
   * routing mesh each node running the gateway is its own entry). The probe uses the first only.
   */
  baseUrls: string[];
  profile: Profile;
  /** Main arrival rate in iterations (≈ requests) per second; the profile's default when unset. */
  rateRps: number;
  /** Length of the load window; the profile's default when unset. */
  durationS: number;
  /** Concurrency cap for arrival-rate executors; iterations beyond it are dropped and counted. */
  maxVUs: number;
  preAllocatedVUs: number;
  /** Weights MIX sets (the tasks it names; the others 0); empty when MIX is unset: each task's own weight. */
  mix: Mix;
  /** Closed model (profile `locust`): virtual users and think time between tasks. */
  vus: number;
  thinkMinS: number;
  thinkMaxS: number;
  /** Order-to-fulfilled probe: one order every probeIntervalS, polled until fulfilled or probeTimeoutS. */
  probe: boolean;
  probeIntervalS: number;
  probeTimeoutS: number;
  probePollS: number;
}

export const PROFILE_DEFAULTS: Record<Profile, { rateRps: number; durationS: number }> = {
  smoke: { rateRps: 2, durationS: 10 },
  load: { rateRps: 20, durationS: 60 },
  stress: { rateRps: 40, durationS: 120 },
  spike: { rateRps: 20, durationS: 60 },
  soak: { rateRps: 10, durationS: 1800 },
  locust: { rateRps: 0, durationS: 60 },
};

/** A declared variable, in the engine's format (engine/script/env-spec.ts); k6 ignores the export. */
export interface VariableSpec {
  type: 'string' | 'number' | 'integer' | 'boolean' | 'duration' | 'url' | 'enum';
  help: string;
  default?: string | number | boolean;
  values?: string[];
  min?: number;
  max?: number;
  pattern?: string;
}

const SWITCH = ['on', 'off', 'true', 'false', '1', '0', 'yes', 'no'];

/** Every variable the scenario reads, with what it takes: the script exports it as `env`; `--help` texts use it. */
export const VARIABLES: Record<string, VariableSpec> = {
  BASE_URL: {
    type: 'string',
    pattern: String.raw`https?://[^\s/?#,]+(/[^\s?#,]*)?(,\s*https?://[^\s/?#,]+(/[^\s?#,]*)?)*`,
    default: 'http://127.0.0.1:5000',
    help: 'gateway URL, http(s)://host:port, or several comma-separated to spread the load',
  },
  PROFILE: { type: 'enum', values: [...PROFILES], default: 'smoke', help: `one of ${PROFILES.join(', ')}` },
  RATE: { type: 'number', min: 0, help: 'main arrival rate, iterations per second, > 0 (default per profile)' },
  DURATION: { type: 'duration', help: 'load window, e.g. 30s, 2m, 1h30m (default per profile)' },
  MAX_VUS: { type: 'integer', min: 1, help: 'concurrency cap for arrival-rate executors (default max(10, 5 × rate))' },
  PRE_ALLOCATED_VUS: { type: 'integer', min: 1, help: 'VUs started up front (default min(MAX_VUS, max(2, rate)))' },
  MIX: { type: 'string', help: "task weights, e.g. browse=1,order=1,list=1 (default each task's own weight)" },
  VUS: { type: 'integer', min: 1, default: 10, help: 'closed-model users for PROFILE=locust' },
  THINK_MIN: { type: 'number', min: 0, default: 1, help: 'closed-model think time lower bound, seconds' },
  THINK_MAX: { type: 'number', min: 0, default: 3, help: 'closed-model think time upper bound, seconds ≥ THINK_MIN' },
  PROBE: { type: 'enum', values: SWITCH, default: 'on', help: 'order-to-fulfilled probe, on or off' },
  PROBE_INTERVAL: { type: 'number', min: 0, default: 5, help: 'seconds between probe orders, > 0' },
  PROBE_TIMEOUT: { type: 'number', min: 0, default: 60, help: 'seconds before a probe order counts as never fulfilled, > 0' },
  PROBE_POLL: { type: 'number', min: 0, default: 0.5, help: 'seconds between polls of the fulfilment list, > 0' },
};

/** One line per variable, for `--help` texts and the README. */
export const ENV_DOC: Record<string, string> = Object.fromEntries(
  Object.entries(VARIABLES).map(([name, v]) => [name, v.default === undefined ? v.help : `${v.help} (default ${v.default})`]),
);

export class ScenarioEnvError extends Error {
  override name = 'ScenarioEnvError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** Parses `30s`, `2m`, `1h30m`, `1.5s` or a bare number of seconds. */
export function parseDurationS(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(trimmed); m; m = re.exec(trimmed)) {
    const value = Number(m[1]);
    const unit = m[2];
    total += unit === 'h' ? value * 3600 : unit === 'm' ? value * 60 : unit === 'ms' ? value / 1000 : value;
    matched = re.lastIndex;
  }
  return matched === trimmed.length && matched > 0 ? total : undefined;
}

/** `tasks`: the open-model tasks MIX may name (the script's exported task functions). */
export function parseScenarioEnv(env: Record<string, string | undefined>, tasks: readonly string[] = []): ScenarioConfig {
  const problems: string[] = [];
  const get = (key: string): string | undefined => {
    const value = env[key];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const bad = (key: string, expected: string, got: string) => {
    problems.push(`${key}: expected ${expected}, got "${got}"`);
  };
  const number = (key: string, fallback: number, expected: string, ok: (n: number) => boolean): number => {
    const raw = get(key);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || !ok(n)) {
      bad(key, expected, raw);
      return fallback;
    }
    return n;
  };
  const integer = (key: string, fallback: number): number => number(key, fallback, 'an integer ≥ 1', (n) => Number.isInteger(n) && n >= 1);

  const baseUrlRaw = get('BASE_URL') ?? 'http://127.0.0.1:5000';
  const baseUrls = baseUrlRaw.split(',').map((u) => u.trim().replace(/\/+$/, ''));
  if (!baseUrls.every((u) => /^https?:\/\/[^\s/?#,]+(\/[^\s?#,]*)?$/.test(u))) {
    bad('BASE_URL', 'an http(s) URL such as http://127.0.0.1:5000, or several separated by commas', baseUrlRaw);
  }
  const baseUrl = baseUrls[0] ?? '';

  const profileRaw = get('PROFILE') ?? 'smoke';
  let profile: Profile = 'smoke';
  if ((PROFILES as readonly string[]).includes(profileRaw)) profile = profileRaw as Profile;
  else bad('PROFILE', `one of ${PROFILES.join(', ')}`, profileRaw);
  const defaults = PROFILE_DEFAULTS[profile];

  const rateRps = number('RATE', defaults.rateRps || 1, 'a number of iterations per second > 0', (n) => n > 0);
  let durationS = defaults.durationS;
  const durationRaw = get('DURATION');
  if (durationRaw !== undefined) {
    const parsed = parseDurationS(durationRaw);
    if (parsed === undefined || parsed <= 0) bad('DURATION', 'a duration such as 30s, 2m or 1h30m', durationRaw);
    else durationS = parsed;
  }
  const maxVUs = integer('MAX_VUS', Math.max(10, Math.ceil(rateRps * 5)));
  const preAllocatedVUs = integer('PRE_ALLOCATED_VUS', Math.min(maxVUs, Math.max(2, Math.ceil(rateRps))));
  if (preAllocatedVUs > maxVUs) problems.push(`PRE_ALLOCATED_VUS: must not exceed MAX_VUS (${maxVUs}), got ${preAllocatedVUs}`);

  const mix: Mix = {};
  const mixRaw = get('MIX');
  if (mixRaw !== undefined) {
    const seen: Mix = Object.fromEntries(tasks.map((task) => [task, 0]));
    let wellFormed = true;
    for (const part of mixRaw.split(',')) {
      const [key, value] = part.split('=').map((s) => s.trim());
      const weight = Number(value);
      if (key !== undefined && tasks.includes(key) && value !== undefined && value !== '' && Number.isFinite(weight) && weight >= 0) {
        seen[key] = weight;
      } else {
        bad('MIX', `comma-separated ${tasks.map((task) => `${task}=<w>`).join(',')} with weights ≥ 0`, mixRaw);
        wellFormed = false;
        break;
      }
    }
    Object.assign(mix, seen);
    // A malformed MIX is one problem: its weights are not also "all zero".
    if (wellFormed && Object.values(mix).reduce((a, b) => a + b, 0) <= 0) problems.push('MIX: at least one weight must be > 0');
  }

  const vus = integer('VUS', 10);
  const thinkMinS = number('THINK_MIN', 1, 'seconds ≥ 0', (n) => n >= 0);
  const thinkMaxS = number('THINK_MAX', Math.max(3, thinkMinS), 'seconds ≥ 0', (n) => n >= 0);
  if (thinkMaxS < thinkMinS) problems.push(`THINK_MAX: must be ≥ THINK_MIN (${thinkMinS}), got ${thinkMaxS}`);

  const probeRaw = (get('PROBE') ?? 'on').toLowerCase();
  let probe = true;
  if (['on', 'true', '1', 'yes'].includes(probeRaw)) probe = true;
  else if (['off', 'false', '0', 'no'].includes(probeRaw)) probe = false;
  else bad('PROBE', 'on or off', probeRaw);
  const probeIntervalS = number('PROBE_INTERVAL', 5, 'seconds > 0', (n) => n > 0);
  const probeTimeoutS = number('PROBE_TIMEOUT', 60, 'seconds > 0', (n) => n > 0);
  const probePollS = number('PROBE_POLL', 0.5, 'seconds > 0', (n) => n > 0);

  if (problems.length > 0) throw new ScenarioEnvError(problems);
  return {
    baseUrl,
    baseUrls,
    profile,
    rateRps,
    durationS,
    maxVUs,
    preAllocatedVUs,
    mix,
    vus,
    thinkMinS,
    thinkMaxS,
    probe,
    probeIntervalS,
    probeTimeoutS,
    probePollS,
  };
}
