import { ENDPOINTS } from './catalog.ts';
import type { Mix, Profile, ScenarioConfig } from './env.ts';

/**
 * Profiles → k6 `options`. The same object drives a real k6 and the built-in generator, which
 * interprets the executors used here (constant/ramping-arrival-rate, constant-vus).
 * Open model by default: arrival-rate executors keep sending when the server slows down, so its
 * latency is not hidden (coordinated omission). `locust` is the closed model of the old test.
 */

export type TaskName = 'browse' | 'order' | 'list' | 'probe' | 'locust';

export type K6Scenario =
  | {
      executor: 'constant-arrival-rate';
      exec: TaskName;
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
      exec: TaskName;
      startRate: number;
      timeUnit: string;
      stages: { target: number; duration: string }[];
      preAllocatedVUs: number;
      maxVUs: number;
      gracefulStop: string;
      tags: Record<string, string>;
    }
  | { executor: 'constant-vus'; exec: TaskName; vus: number; duration: string; gracefulStop: string; tags: Record<string, string> };

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

function shares(mix: Mix): [TaskName, number][] {
  const total = mix.browse + mix.order + mix.list;
  return (['browse', 'order', 'list'] as const).filter((t) => mix[t] > 0).map((t) => [t, mix[t] / total]);
}

export function k6Options(config: ScenarioConfig): K6Options {
  const scenarios: Record<string, K6Scenario> = {};
  const gracefulStop = '5s';
  if (config.profile === 'locust') {
    scenarios.locust = {
      executor: 'constant-vus',
      exec: 'locust',
      vus: config.vus,
      duration: seconds(config.durationS),
      gracefulStop,
      tags: { task: 'locust' },
    };
  } else {
    for (const [task, share] of shares(config.mix)) {
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
  if (config.probe) {
    // Overlapping probes are allowed: one starts every interval and may wait up to the timeout, but the
    // point ends with the load window: a probe still waiting then is cut short and is not a sample
    // (waiting for it would add seconds of idle tail to every point).
    const maxVUs = Math.ceil(config.probeTimeoutS / config.probeIntervalS) + 1;
    scenarios.probe = {
      executor: 'constant-arrival-rate',
      exec: 'probe',
      rate: perMinute(1 / config.probeIntervalS),
      timeUnit: '1m',
      duration: seconds(config.durationS),
      preAllocatedVUs: Math.min(2, maxVUs),
      maxVUs,
      gracefulStop: PROBE_GRACEFUL_STOP,
      tags: { task: 'probe' },
    };
  }
  const thresholds: Record<string, string[]> = { ...THRESHOLDS[config.profile] };
  // A threshold on each endpoint's sub-metric makes k6's summary carry per-endpoint latency.
  for (const endpoint of [ENDPOINTS.itemTypes, ENDPOINTS.placeOrder, ENDPOINTS.fulfillmentOrders]) {
    thresholds[`http_req_duration{name:${endpoint.name}}`] = ['max>=0'];
  }
  return {
    scenarios,
    thresholds,
    summaryTrendStats: SUMMARY_TREND_STATS,
    discardResponseBodies: false,
    systemTags: ['status', 'method', 'name', 'group', 'check', 'error', 'error_code', 'scenario', 'expected_response'],
  };
}
