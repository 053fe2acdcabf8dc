/**
 * The consolidated, validated options of one run (k6's `options` after CLI flags are applied).
 * Every time is in milliseconds; every default is k6's.
 */

export type ExecutorName = 'shared-iterations' | 'per-vu-iterations' | 'constant-vus' | 'ramping-vus' | 'constant-arrival-rate' | 'ramping-arrival-rate';

export interface Stage {
  durationMs: number;
  target: number;
}

interface ScenarioCommon {
  name: string;
  /** Exported function the VUs run (default "default"). */
  exec: string;
  startTimeMs: number;
  /** Time in-flight iterations get after the scenario's end before they are interrupted (default 30s). */
  gracefulStopMs: number;
  tags: Record<string, string>;
  env: Record<string, string>;
}

export type Scenario = ScenarioCommon &
  (
    | { executor: 'shared-iterations'; vus: number; iterations: number; maxDurationMs: number }
    | { executor: 'per-vu-iterations'; vus: number; iterations: number; maxDurationMs: number }
    | { executor: 'constant-vus'; vus: number; durationMs: number }
    | { executor: 'ramping-vus'; startVUs: number; stages: Stage[]; gracefulRampDownMs: number }
    | { executor: 'constant-arrival-rate'; rate: number; timeUnitMs: number; durationMs: number; preAllocatedVUs: number; maxVUs: number }
    | { executor: 'ramping-arrival-rate'; startRate: number; timeUnitMs: number; stages: Stage[]; preAllocatedVUs: number; maxVUs: number }
  );

export interface ThresholdSpec {
  /** The expression as written, e.g. "p(95)<500". */
  source: string;
  abortOnFail: boolean;
  delayAbortEvalMs: number;
}

export interface RunOptions {
  scenarios: Scenario[];
  /** Metric key (`name` or `name{tag:value}`) → its thresholds. */
  thresholds: Record<string, ThresholdSpec[]>;
  summaryTrendStats: string[];
  systemTags: Set<string>;
  tags: Record<string, string>;
  discardResponseBodies: boolean;
  userAgent: string;
  noConnectionReuse: boolean;
  noVUConnectionReuse: boolean;
  noCookiesReset: boolean;
  batch: number;
  batchPerHost: number;
  insecureSkipTLSVerify: boolean;
  maxRedirects: number;
  minIterationDurationMs: number;
  setupTimeoutMs: number;
  teardownTimeoutMs: number;
  handleSummaryTimeoutMs: number;
  throw: boolean;
  /** The options object as the script's `exec.test.options` sees it (k6's consolidated form). */
  raw: Record<string, unknown>;
}

export const DEFAULT_SYSTEM_TAGS = [
  'check',
  'error',
  'error_code',
  'expected_response',
  'group',
  'method',
  'name',
  'proto',
  'scenario',
  'service',
  'status',
  'subproto',
  'tls_version',
  'url',
];

/** Tags k6 knows as system tags; a user tag of the same name is fine, but only these can be switched by systemTags. */
export const ALL_SYSTEM_TAGS = [...DEFAULT_SYSTEM_TAGS, 'vu', 'iter', 'ip', 'ocsp_status'];

export const DEFAULT_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];
