/**
 * The run-directory contract: what each file holds (names and paths: ./layout.ts).
 *
 *   manifest.json                  Manifest
 *   points/<pointId>/spec.json     PointSpec
 *   points/<pointId>/result.json   PointResult
 *   points/<pointId>/k6-summary.json      k6 `--summary-export` format (K6Summary, ./k6.ts)
 *   points/<pointId>/k6-samples.ndjson.gz k6 `--out json` format, one K6SampleLine a line (./k6.ts)
 *   points/<pointId>/nodes.ndjson  NodeSample, one node and second a line
 *   points/<pointId>/events.ndjson RunEvent, one a line (./events.ts)
 *   points/<pointId>/shop.ndjson   ShopSample, the shop's own metrics, one a second (./shop-sample.ts)
 *
 * Every unit is in the field name. Times are epoch milliseconds (`...Ms` of a clock) or ISO 8601.
 */

/** manifest.json's `schemaVersion` for run directories written by this version. */
export const SCHEMA_VERSION = 1;

export type RunStatus = 'running' | 'complete' | 'interrupted' | 'failed';
export type PointStatus = 'complete' | 'interrupted' | 'failed';

/** Which program produced k6-summary.json and k6-samples.ndjson.gz. */
export interface LoadGeneratorInfo {
  /** `engine` (this project's k6-compatible engine), `k6` (a user's own k6 binary), or `builtin` (the generator before the engine: old runs). */
  name: 'engine' | 'k6' | 'builtin';
  version: string;
  /** Path of the binary or module that ran. */
  path: string;
}

export interface Manifest {
  schemaVersion: number;
  toolVersion: string;
  /** `git rev-parse HEAD` of the tool, or null outside a checkout. */
  gitCommit: string | null;
  /** process.argv after the node binary, as typed. */
  commandLine: string[];
  runId: string;
  /** The fully resolved bench config (defaults applied), without secrets. */
  config: unknown;
  /** The resolved inventory, without secrets; null for the embedded default (local host). */
  inventory: unknown;
  /** Nodes, roles, leader, arch, engine version, labels; the local host for the embedded default. */
  cluster: ClusterSnapshot;
  /** Image references with digests, empty for local processes. */
  images: { service: string; image: string; digest: string | null }[];
  loadGenerator: LoadGeneratorInfo;
  startedAt: string;
  endedAt: string | null;
  status: RunStatus;
  /** Point ids in execution order, as planned. */
  plannedPoints: string[];
  /** Error message when status is `failed`. */
  error?: string;
  /**
   * Points of the last invocation (run or resume) that failed: their generator crashed or wrote
   * nothing, or their target went down. The run still completed; `bench resume` runs them again.
   */
  failedPoints?: string[];
  /** When `bench resume` picked the run up again. */
  resumes?: string[];
}

export interface ClusterSnapshot {
  nodes: {
    name: string;
    role: 'manager' | 'worker' | 'local';
    leader: boolean;
    arch: string;
    engineVersion: string | null;
    labels: Record<string, string>;
    cpuCount?: number;
    memTotalKB?: number;
  }[];
}

/** One point of the plan: what was run, with which parameters. */
export interface PointSpec {
  pointId: string;
  /** Position in execution order, from 0. */
  index: number;
  /** Service name → replica count at this point. */
  replicas: Record<string, number>;
  /** Target arrival rate of the main load, iterations (≈ requests) per second. */
  rateRps: number;
  /** Length of the measured load window. */
  durationS: number;
  /** Warm-up before the measured window; excluded from results. */
  warmupS: number;
  repetition: number;
  scenario: string;
  profile: string;
  /** Target URL the load went to. */
  baseUrl: string;
}

export interface PointResult {
  pointId: string;
  status: PointStatus;
  startedAt: string;
  endedAt: string;
  /** Exit code of the load generator (k6's codes, ./k6.ts): 99, thresholds crossed, is a result, not a crash. */
  loadExitCode: number | null;
  thresholdsPassed: boolean | null;
  /** Harness flags, each a short machine-readable word with a hint, e.g. "cooldown-timeout". */
  flags: { code: string; message: string }[];
  /**
   * The shop's state the point started from (after the reset or drain, before the warm-up) and
   * ended with (after the load), and the config's `state` mode; absent when the target does not
   * know its shop's state (the reference shop, a URL not told how).
   */
  state?: { mode: StateMode; start: ShopStateSnapshot | null; end: ShopStateSnapshot | null };
}

/** The bench config's `state`: what happens to the shop's state before each point. */
export type StateMode = 'none' | 'reset' | 'drain';

/** The shop's state at one moment, in totals (SQL counts, every queue summed). */
export interface ShopStateSnapshot {
  timeMs: number;
  /** Orders in the counter's table. */
  orders: number;
  fulfilled: number;
  /** Placed and not fulfilled (waiting, being made, or lost: see the report's never-fulfilled warning). */
  inProgress: number;
  /** Messages ready in every queue. */
  queued: number;
  /** Messages delivered to a consumer and not acknowledged yet (being made). */
  unacked: number;
  /** Orders never to be fulfilled: every item made more than 10 s ago, the order not fulfilled (lost updates). */
  neverFulfilled?: number;
}

/** One queue of the shop's broker at one moment. */
export interface ShopQueue {
  name: string;
  /** Messages ready for delivery. */
  depth: number;
  unacked: number;
  consumers: number;
}

/**
 * One record of shop.ndjson: the shop's own metrics at one moment, about once a second (SQL counts
 * and the broker's queues, read inside the shop's database and broker, never through its API). A
 * part that could not be read in that second is null (its error is in events.ndjson).
 */
export interface ShopSample {
  /** Harness clock, the middle of the reads. */
  timeMs: number;
  pointId: string | null;
  orders: number | null;
  fulfilled: number | null;
  inProgress: number | null;
  queues: ShopQueue[] | null;
}

/** One sampler record of one node, a second apart (the sampler: bench/nodes/script.ts). */
export interface NodeSample {
  node: string;
  /** Harness clock when the record arrived. */
  timeMs: number;
  /** The node's own clock, corrected by clockOffsetMs to the harness clock. */
  nodeTimeMs: number;
  /** harness − node, from request/response midpoints; 0 for the local host. */
  clockOffsetMs: number;
  pointId: string | null;
  /** Overall CPU busy share since the previous record, 0–100. */
  cpuPct: number | null;
  /** Per core; an offline core has online=false and cpuPct null. */
  cores: { core: number; online: boolean; cpuPct: number | null; freqKHz: number | null; maxFreqKHz: number | null }[];
  load1: number;
  memTotalKB: number;
  memAvailableKB: number;
  thermal: { zone: string; type: string; tempC: number | null }[];
  batteryTempC: number | null;
  /** A core runs below its max frequency while the node is busy. */
  throttled: boolean;
}
