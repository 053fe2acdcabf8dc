/**
 * The scenario's knobs, parsed from environment variables (k6's `__ENV`, or `process.env` for the
 * built-in generator). Pure and dependency-free so k6 can load it. Every problem is collected and
 * reported at once, naming the variable and the fix.
 */

export const PROFILES = ['smoke', 'load', 'stress', 'spike', 'soak', 'locust'] as const;
export type Profile = (typeof PROFILES)[number];

/** Relative weights of the three Locust tasks in the open-model mix. */
export interface Mix {
  browse: number;
  order: number;
  list: number;
}

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

/** Every variable the scenarios read, with what it takes; `--help` texts and the README use this. */
export const ENV_DOC: Record<string, string> = {
  BASE_URL: 'gateway URL, http(s)://host:port, or several comma-separated to spread the load (default http://127.0.0.1:5000)',
  PROFILE: `one of ${PROFILES.join(', ')} (default smoke)`,
  RATE: 'main arrival rate, iterations per second, > 0 (default per profile)',
  DURATION: 'load window, e.g. 30s, 2m, 1h30m (default per profile)',
  MAX_VUS: 'concurrency cap for arrival-rate executors, integer ≥ 1 (default max(10, 5 × rate))',
  PRE_ALLOCATED_VUS: 'VUs started up front, integer ≥ 1 (default min(MAX_VUS, max(2, rate)))',
  MIX: 'task weights, e.g. browse=1,order=1,list=1 (default equal, as in the Locust test)',
  VUS: 'closed-model users for PROFILE=locust, integer ≥ 1 (default 10)',
  THINK_MIN: 'closed-model think time lower bound, seconds ≥ 0 (default 1)',
  THINK_MAX: 'closed-model think time upper bound, seconds ≥ THINK_MIN (default 3)',
  PROBE: 'order-to-fulfilled probe, on or off (default on)',
  PROBE_INTERVAL: 'seconds between probe orders, > 0 (default 5)',
  PROBE_TIMEOUT: 'seconds before a probe order counts as never fulfilled, > 0 (default 60)',
  PROBE_POLL: 'seconds between polls of the fulfilment list, > 0 (default 0.5)',
};

export class ScenarioEnvError extends Error {
  override name = 'ScenarioEnvError';
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
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

export function parseScenarioEnv(env: Record<string, string | undefined>): ScenarioConfig {
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

  const mix: Mix = { browse: 1, order: 1, list: 1 };
  const mixRaw = get('MIX');
  if (mixRaw !== undefined) {
    const seen: Partial<Mix> = {};
    for (const part of mixRaw.split(',')) {
      const [key, value] = part.split('=').map((s) => s.trim());
      const weight = Number(value);
      if ((key === 'browse' || key === 'order' || key === 'list') && value !== undefined && Number.isFinite(weight) && weight >= 0) {
        seen[key] = weight;
      } else {
        bad('MIX', 'comma-separated browse=<w>,order=<w>,list=<w> with weights ≥ 0', mixRaw);
        break;
      }
    }
    Object.assign(mix, { browse: 0, order: 0, list: 0 }, seen);
    if (mix.browse + mix.order + mix.list <= 0) problems.push('MIX: at least one weight must be > 0');
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
