import type { Profile, ScenarioConfig } from './env.ts';

/**
 * Profiles → k6 `options`, for any script whose tasks are exported functions with their weight and
 * thresholds beside them (see `task`). Open model by default: each task is an arrival-rate scenario
 * with its weight's share of the rate, so a server that slows down still gets its arrivals and its
 * latency is not hidden (coordinated omission). `locust` is the closed model of the old test.
 */

/** What a task declares beside its function: its weight in the open-model mix, and thresholds of its own. */
export interface TaskSpec {
  /** Relative weight in the mix (MIX overrides it); 0 leaves the task out of the mix. */
  weight: number;
  /** Thresholds the task adds, e.g. a sub-metric per endpoint so the summary carries its latency. */
  thresholds?: Record<string, string[]>;
}

export type Task = (() => Promise<void>) & TaskSpec;

/** An exported task: the function, with its weight and thresholds as properties k6 ignores. */
export function task(spec: TaskSpec, run: () => Promise<void>): Task {
  return Object.assign(run, spec);
}

/** The scenarios besides the mix: the probe (its own arrival rate) and the closed model, by exported function name. */
export interface SideTasks {
  probe?: string;
  closed?: string;
}

export type K6Scenario =
  | {
      executor: 'constant-arrival-rate';
      exec: string;
      rate: number;
      timeUnit: string;
      duration: string;
      preAllocatedVUs: number;
      maxVUs: number;
      gracefulStop: string;
      tags: Record<string, string>;
    }
  | {
      executor: 'ramping-arrival-rate';
      exec: string;
      startRate: number;
      timeUnit: string;
      stages: { target: number; duration: string }[];
      preAllocatedVUs: number;
      maxVUs: number;
      gracefulStop: string;
      tags: Record<string, string>;
    }
  | { executor: 'constant-vus'; exec: string; vus: number; duration: string; gracefulStop: string; tags: Record<string, string> };

export interface K6Options {
  scenarios: Record<string, K6Scenario>;
  thresholds: Record<string, string[]>;
  summaryTrendStats: string[];
  discardResponseBodies: boolean;
  /** Keeps per-request tags small and stable: the fixed `name` tag replaces the URL. */
  systemTags: string[];
}

/** How long a probe still waiting at the end of the window may go on. */
export const PROBE_GRACEFUL_STOP = '1s';

export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'];

/** Arrival rates are integers per time unit in k6; per minute gives 1/60 rps resolution. */
export function perMinute(rateRps: number): number {
  return Math.max(1, Math.round(rateRps * 60));
}

export function seconds(s: number): string {
  return `${Math.max(1, Math.round(s))}s`;
}

const THRESHOLDS: Record<Profile, Record<string, string[]>> = {
  smoke: { http_req_failed: ['rate<0.01'], checks: ['rate>0.99'] },
  load: { http_req_failed: ['rate<0.01'], http_req_duration: ['p(95)<500', 'p(99)<1500'], checks: ['rate>0.99'] },
  stress: { http_req_failed: ['rate<0.05'], http_req_duration: ['p(95)<2000'] },
  spike: { http_req_failed: ['rate<0.10'] },
  soak: { http_req_failed: ['rate<0.01'], http_req_duration: ['p(95)<500', 'p(99)<1500'], checks: ['rate>0.99'] },
  locust: { http_req_failed: ['rate<0.05'] },
};

/** Stages for the ramping profiles, as fractions of the duration and multiples of the rate. */
const RAMPS: Partial<Record<Profile, { start: number; stages: { share: number; times: number }[] }>> = {
  stress: {
    start: 0.25,
    stages: [
      { share: 0.2, times: 1 },
      { share: 0.2, times: 1 },
      { share: 0.2, times: 2 },
      { share: 0.2, times: 2 },
      { share: 0.2, times: 0 },
    ],
  },
  spike: {
    start: 0.25,
    stages: [
      { share: 0.3, times: 0.25 },
      { share: 0.05, times: 4 },
      { share: 0.15, times: 4 },
      { share: 0.05, times: 0.25 },
      { share: 0.45, times: 0.25 },
    ],
  },
};

/** Each task's share of the rate: MIX's weights when set, else the tasks' own. */
function shares(config: ScenarioConfig, tasks: Record<string, TaskSpec>): [string, number][] {
  const weights = Object.entries(tasks).map(([name, spec]): [string, number] => [
    name,
    config.mix[name] ?? (Object.keys(config.mix).length > 0 ? 0 : spec.weight),
  ]);
  const total = weights.reduce((sum, [, w]) => sum + w, 0);
  return weights.filter(([, w]) => w > 0).map(([name, w]) => [name, w / total]);
}

export function k6Options(config: ScenarioConfig, tasks: Record<string, TaskSpec>, side: SideTasks = {}): K6Options {
  const scenarios: Record<string, K6Scenario> = {};
  const gracefulStop = '5s';
  if (config.profile === 'locust') {
    if (!side.closed) throw new Error('PROFILE=locust: this script has no closed-model task');
    scenarios[side.closed] = {
      executor: 'constant-vus',
      exec: side.closed,
      vus: config.vus,
      duration: seconds(config.durationS),
      gracefulStop,
      tags: { task: side.closed },
    };
  } else {
    for (const [task, share] of shares(config, tasks)) {
      const rateRps = config.rateRps * share;
      const maxVUs = Math.max(1, Math.ceil(config.maxVUs * share));
      const preAllocatedVUs = Math.min(maxVUs, Math.max(1, Math.ceil(config.preAllocatedVUs * share)));
      const ramp = RAMPS[config.profile];
      scenarios[task] = ramp
        ? {
            executor: 'ramping-arrival-rate',
            exec: task,
            timeUnit: '1m',
            startRate: perMinute(rateRps * ramp.start),
            stages: ramp.stages.map((s) => ({ target: s.times === 0 ? 0 : perMinute(rateRps * s.times), duration: seconds(config.durationS * s.share) })),
            preAllocatedVUs,
            maxVUs,
            gracefulStop,
            tags: { task },
          }
        : {
            executor: 'constant-arrival-rate',
            exec: task,
            rate: perMinute(rateRps),
            timeUnit: '1m',
            duration: seconds(config.durationS),
            preAllocatedVUs,
            maxVUs,
            gracefulStop,
            tags: { task },
          };
    }
  }
  if (config.probe && side.probe) {
    // Overlapping probes are allowed: one starts every interval and may wait up to the timeout, but the
    // point ends with the load window: a probe still waiting then is cut short and is not a sample
    // (waiting for it would add seconds of idle tail to every point).
    const maxVUs = Math.ceil(config.probeTimeoutS / config.probeIntervalS) + 1;
    scenarios[side.probe] = {
      executor: 'constant-arrival-rate',
      exec: side.probe,
      rate: perMinute(1 / config.probeIntervalS),
      timeUnit: '1m',
      duration: seconds(config.durationS),
      preAllocatedVUs: Math.min(2, maxVUs),
      maxVUs,
      gracefulStop: PROBE_GRACEFUL_STOP,
      tags: { task: side.probe },
    };
  }
  const thresholds: Record<string, string[]> = { ...THRESHOLDS[config.profile] };
  for (const spec of Object.values(tasks)) Object.assign(thresholds, spec.thresholds);
  return {
    scenarios,
    thresholds,
    summaryTrendStats: SUMMARY_TREND_STATS,
    discardResponseBodies: false,
    systemTags: ['status', 'method', 'name', 'group', 'check', 'error', 'error_code', 'scenario', 'expected_response'],
  };
}
