/**
 * Script `options` + `k6 run` flags → RunOptions, validated the way k6 validates them. Every problem
 * becomes one line naming the field (`options.scenarios.browse.rate: ...`); an option k6 has but this
 * engine lacks, or one neither knows, is an error rather than something silently ignored.
 */
import { ConfigError } from '../errors.ts';
import { parseDurationMs } from '../time.ts';
import { parseThresholdKey, parseThresholdExpression } from './thresholds.ts';
import {
  ALL_SYSTEM_TAGS,
  DEFAULT_SYSTEM_TAGS,
  DEFAULT_TREND_STATS,
  type ExecutorName,
  type RunOptions,
  type Scenario,
  type Stage,
  type ThresholdSpec,
} from './types.ts';
import { ENGINE_VERSION } from '../version.ts';

/** What `k6 run` flags can set; null/undefined means "not given". */
export interface CliOverrides {
  vus?: number;
  durationMs?: number;
  iterations?: number;
  stages?: Stage[];
  tags?: Record<string, string>;
  summaryTrendStats?: string[];
  systemTags?: string[];
  noThresholds?: boolean;
  userAgent?: string;
}

const SUPPORTED = new Set([
  'scenarios',
  'vus',
  'duration',
  'iterations',
  'stages',
  'thresholds',
  'summaryTrendStats',
  'summaryTimeUnit',
  'systemTags',
  'tags',
  'discardResponseBodies',
  'userAgent',
  'noConnectionReuse',
  'noVUConnectionReuse',
  'noCookiesReset',
  'batch',
  'batchPerHost',
  'insecureSkipTLSVerify',
  'maxRedirects',
  'minIterationDuration',
  'setupTimeout',
  'teardownTimeout',
  'handleSummaryTimeout',
  'throw',
  'executionSegment',
  'executionSegmentSequence',
  'noUsageReport',
  'vusMax',
  // Read by k6 cloud or outputs only; a local run ignores them, as k6 does.
  'ext',
  'cloud',
  'linger',
]);

/** k6 options this engine does not implement: an error names them rather than ignoring them. */
const UNSUPPORTED = new Set([
  'blacklistIPs',
  'blockHostnames',
  'dns',
  'hosts',
  'httpDebug',
  'paused',
  'rps',
  'tlsAIAFetch',
  'tlsAuth',
  'tlsCipherSuites',
  'tlsVersion',
  'localIPs',
]);

const EXECUTOR_KEYS: Record<ExecutorName, string[]> = {
  'shared-iterations': ['vus', 'iterations', 'maxDuration'],
  'per-vu-iterations': ['vus', 'iterations', 'maxDuration'],
  'constant-vus': ['vus', 'duration'],
  'ramping-vus': ['startVUs', 'stages', 'gracefulRampDown'],
  'constant-arrival-rate': ['rate', 'timeUnit', 'duration', 'preAllocatedVUs', 'maxVUs'],
  'ramping-arrival-rate': ['startRate', 'timeUnit', 'stages', 'preAllocatedVUs', 'maxVUs'],
};
const COMMON_KEYS = ['executor', 'exec', 'startTime', 'gracefulStop', 'tags', 'env', 'options'];
const SCENARIO_NAME = /^[0-9a-zA-Z_-]+$/;

export function consolidateOptions(scriptOptions: unknown, cli: CliOverrides = {}): RunOptions {
  const problems: string[] = [];
  const opts = isRecord(scriptOptions) ? scriptOptions : {};
  if (scriptOptions !== undefined && !isRecord(scriptOptions)) problems.push('options: expected an object');
  for (const key of Object.keys(opts)) {
    if (UNSUPPORTED.has(key)) problems.push(`options.${key}: not supported by this engine (remove it, or run the script with k6 through K6_BIN)`);
    else if (!SUPPORTED.has(key)) problems.push(`options.${key}: unknown option`);
  }
  const p = new Problems(problems);

  const scenarios = buildScenarios(opts, cli, p);
  const thresholds = cli.noThresholds ? {} : buildThresholds(opts.thresholds, p);
  const trendStats = cli.summaryTrendStats ?? p.stringList(opts.summaryTrendStats, 'options.summaryTrendStats') ?? DEFAULT_TREND_STATS;
  for (const stat of trendStats) {
    if (!/^(avg|min|med|max|count|p\(\d+(\.\d+)?\))$/.test(stat))
      problems.push(`options.summaryTrendStats: "${stat}" is not a trend statistic (avg, min, med, max, count, p(N))`);
  }
  const systemTags = cli.systemTags ?? p.stringList(opts.systemTags, 'options.systemTags') ?? DEFAULT_SYSTEM_TAGS;
  for (const tag of systemTags)
    if (!ALL_SYSTEM_TAGS.includes(tag)) problems.push(`options.systemTags: "${tag}" is not a system tag (${ALL_SYSTEM_TAGS.join(', ')})`);
  const tags = { ...(p.stringMap(opts.tags, 'options.tags') ?? {}), ...(cli.tags ?? {}) };
  if (opts.summaryTimeUnit !== undefined && !['s', 'ms', 'us'].includes(String(opts.summaryTimeUnit)))
    problems.push('options.summaryTimeUnit: expected s, ms or us');

  const result: RunOptions = {
    scenarios,
    thresholds,
    summaryTrendStats: trendStats,
    systemTags: new Set(systemTags),
    tags,
    discardResponseBodies: p.bool(opts.discardResponseBodies, 'options.discardResponseBodies') ?? false,
    userAgent: cli.userAgent ?? p.string(opts.userAgent, 'options.userAgent') ?? `cloudlet-bench-engine/${ENGINE_VERSION} (k6-compatible)`,
    noConnectionReuse: p.bool(opts.noConnectionReuse, 'options.noConnectionReuse') ?? false,
    noVUConnectionReuse: p.bool(opts.noVUConnectionReuse, 'options.noVUConnectionReuse') ?? false,
    noCookiesReset: p.bool(opts.noCookiesReset, 'options.noCookiesReset') ?? false,
    batch: p.int(opts.batch, 'options.batch', 1) ?? 20,
    batchPerHost: p.int(opts.batchPerHost, 'options.batchPerHost', 0) ?? 6,
    insecureSkipTLSVerify: p.bool(opts.insecureSkipTLSVerify, 'options.insecureSkipTLSVerify') ?? false,
    maxRedirects: p.int(opts.maxRedirects, 'options.maxRedirects', 0) ?? 10,
    minIterationDurationMs: p.duration(opts.minIterationDuration, 'options.minIterationDuration') ?? 0,
    setupTimeoutMs: p.duration(opts.setupTimeout, 'options.setupTimeout') ?? 60_000,
    teardownTimeoutMs: p.duration(opts.teardownTimeout, 'options.teardownTimeout') ?? 60_000,
    handleSummaryTimeoutMs: p.duration(opts.handleSummaryTimeout, 'options.handleSummaryTimeout') ?? 120_000,
    throw: p.bool(opts.throw, 'options.throw') ?? false,
    raw: {},
  };
  if (problems.length > 0) throw new ConfigError(problems);
  result.raw = rawOptions(opts, result);
  return result;
}

function buildScenarios(opts: Record<string, unknown>, cli: CliOverrides, p: Problems): Scenario[] {
  const cliShortcut = cli.durationMs !== undefined || cli.iterations !== undefined || cli.stages !== undefined;
  const scriptShortcut = opts.duration !== undefined || opts.iterations !== undefined || opts.stages !== undefined;
  if (opts.scenarios !== undefined && !cliShortcut) {
    if (scriptShortcut) {
      p.add('options: "scenarios" and the shortcuts duration/iterations/stages cannot be used together; move them into a scenario');
      return [];
    }
    if (cli.vus !== undefined) p.add('--vus: cannot change options.scenarios; give --duration or --iterations too, which replace the scenarios');
    if (!isRecord(opts.scenarios)) {
      p.add('options.scenarios: expected an object of named scenarios');
      return [];
    }
    const out: Scenario[] = [];
    for (const [name, raw] of Object.entries(opts.scenarios)) {
      const s = buildScenario(name, raw, p);
      if (s) out.push(s);
    }
    if (Object.keys(opts.scenarios).length === 0) p.add('options.scenarios: no scenario defined');
    return out;
  }
  // Shortcuts: flags win over the script's values (k6's order: defaults < script < env < flags).
  const vus = cli.vus ?? p.int(opts.vus, 'options.vus', 0);
  const durationMs = cli.durationMs ?? p.duration(opts.duration, 'options.duration');
  const iterations = cli.iterations ?? p.int(opts.iterations, 'options.iterations', 1);
  const stages = cli.stages ?? (opts.stages !== undefined ? stagesOf(opts.stages, 'options.stages', 'target', p) : undefined);
  const base = { name: 'default', exec: 'default', startTimeMs: 0, gracefulStopMs: 30_000, tags: {}, env: {} };
  if (stages !== undefined) {
    if (durationMs !== undefined || iterations !== undefined) p.add('options: stages cannot be combined with duration or iterations');
    return [{ ...base, executor: 'ramping-vus', startVUs: vus ?? 1, stages, gracefulRampDownMs: 30_000 }];
  }
  if (iterations !== undefined) {
    return [{ ...base, executor: 'shared-iterations', vus: vus ?? 1, iterations, maxDurationMs: durationMs ?? 600_000 }];
  }
  if (durationMs !== undefined) {
    if (durationMs <= 0) {
      p.add('options.duration: must be more than 0');
      return [];
    }
    if ((vus ?? 1) < 1) p.add('options.vus: must be at least 1 with a duration');
    return [{ ...base, executor: 'constant-vus', vus: vus ?? 1, durationMs }];
  }
  return [{ ...base, executor: 'shared-iterations', vus: vus ?? 1, iterations: 1, maxDurationMs: 600_000 }];
}

function buildScenario(name: string, raw: unknown, p: Problems): Scenario | null {
  const at = `options.scenarios.${name}`;
  if (!SCENARIO_NAME.test(name)) p.add(`${at}: a scenario name may contain only letters, digits, "_" and "-"`);
  if (!isRecord(raw)) {
    p.add(`${at}: expected an object`);
    return null;
  }
  const executor = raw.executor;
  if (executor === 'externally-controlled') {
    p.add(`${at}.executor: "externally-controlled" is not supported by this engine (supported: ${Object.keys(EXECUTOR_KEYS).join(', ')})`);
    return null;
  }
  if (typeof executor !== 'string' || !(executor in EXECUTOR_KEYS)) {
    p.add(`${at}.executor: expected one of ${Object.keys(EXECUTOR_KEYS).join(', ')}, got ${JSON.stringify(executor)}`);
    return null;
  }
  const ex = executor as ExecutorName;
  const allowed = new Set([...COMMON_KEYS, ...EXECUTOR_KEYS[ex]]);
  for (const key of Object.keys(raw)) if (!allowed.has(key)) p.add(`${at}.${key}: not an option of the ${ex} executor (it takes ${[...allowed].join(', ')})`);
  if (raw.options !== undefined) p.add(`${at}.options: scenario options (browser) are not supported by this engine`);
  const exec = raw.exec === undefined ? 'default' : (p.string(raw.exec, `${at}.exec`) ?? 'default');
  const common = {
    name,
    exec,
    startTimeMs: p.duration(raw.startTime, `${at}.startTime`) ?? 0,
    gracefulStopMs: p.duration(raw.gracefulStop, `${at}.gracefulStop`) ?? 30_000,
    tags: p.stringMap(raw.tags, `${at}.tags`) ?? {},
    env: p.stringMap(raw.env, `${at}.env`) ?? {},
  };
  const required = <T>(value: T | undefined, key: string): T | undefined => {
    if (value === undefined && raw[key] === undefined) p.add(`${at}.${key}: required by the ${ex} executor`);
    return value;
  };
  switch (ex) {
    case 'shared-iterations':
    case 'per-vu-iterations': {
      const vus = p.int(raw.vus, `${at}.vus`, 1) ?? 1;
      const iterations = p.int(raw.iterations, `${at}.iterations`, 1) ?? 1;
      if (ex === 'shared-iterations' && iterations < vus) p.add(`${at}.iterations: ${iterations} is less than vus (${vus}); k6 requires iterations ≥ vus`);
      return { ...common, executor: ex, vus, iterations, maxDurationMs: p.duration(raw.maxDuration, `${at}.maxDuration`) ?? 600_000 };
    }
    case 'constant-vus': {
      const durationMs = positive(required(p.duration(raw.duration, `${at}.duration`), 'duration'), `${at}.duration`, p);
      return { ...common, executor: ex, vus: p.int(raw.vus, `${at}.vus`, 1) ?? 1, durationMs };
    }
    case 'ramping-vus': {
      const stages = required(stagesOf(raw.stages, `${at}.stages`, 'target', p), 'stages') ?? [];
      return {
        ...common,
        executor: ex,
        startVUs: p.int(raw.startVUs, `${at}.startVUs`, 0) ?? 1,
        stages,
        gracefulRampDownMs: p.duration(raw.gracefulRampDown, `${at}.gracefulRampDown`) ?? 30_000,
      };
    }
    case 'constant-arrival-rate': {
      const rate = required(p.int(raw.rate, `${at}.rate`, 1), 'rate') ?? 1;
      const durationMs = positive(required(p.duration(raw.duration, `${at}.duration`), 'duration'), `${at}.duration`, p);
      const preAllocatedVUs = required(p.int(raw.preAllocatedVUs, `${at}.preAllocatedVUs`, 0), 'preAllocatedVUs') ?? 0;
      const maxVUs = p.int(raw.maxVUs, `${at}.maxVUs`, 0) ?? preAllocatedVUs;
      if (maxVUs < preAllocatedVUs) p.add(`${at}.maxVUs: ${maxVUs} is less than preAllocatedVUs (${preAllocatedVUs})`);
      if (maxVUs < 1) p.add(`${at}.maxVUs: needs at least 1 VU (set preAllocatedVUs or maxVUs)`);
      return { ...common, executor: ex, rate, timeUnitMs: timeUnit(raw.timeUnit, `${at}.timeUnit`, p), durationMs, preAllocatedVUs, maxVUs };
    }
    case 'ramping-arrival-rate': {
      const stages = required(stagesOf(raw.stages, `${at}.stages`, 'target', p), 'stages') ?? [];
      const preAllocatedVUs = required(p.int(raw.preAllocatedVUs, `${at}.preAllocatedVUs`, 0), 'preAllocatedVUs') ?? 0;
      const maxVUs = p.int(raw.maxVUs, `${at}.maxVUs`, 0) ?? preAllocatedVUs;
      if (maxVUs < preAllocatedVUs) p.add(`${at}.maxVUs: ${maxVUs} is less than preAllocatedVUs (${preAllocatedVUs})`);
      if (maxVUs < 1) p.add(`${at}.maxVUs: needs at least 1 VU (set preAllocatedVUs or maxVUs)`);
      return {
        ...common,
        executor: ex,
        startRate: p.int(raw.startRate, `${at}.startRate`, 0) ?? 0,
        timeUnitMs: timeUnit(raw.timeUnit, `${at}.timeUnit`, p),
        stages,
        preAllocatedVUs,
        maxVUs,
      };
    }
  }
}

/** A parsed duration that must be more than 0 (unparsable ones were reported already). */
function positive(ms: number | undefined, at: string, p: Problems): number {
  if (ms === undefined) return 0;
  if (ms <= 0) p.add(`${at}: must be more than 0`);
  return ms;
}

function timeUnit(raw: unknown, at: string, p: Problems): number {
  const ms = p.duration(raw, at) ?? 1000;
  if (ms <= 0) p.add(`${at}: must be more than 0`);
  return ms > 0 ? ms : 1000;
}

function stagesOf(raw: unknown, at: string, _target: 'target', p: Problems): Stage[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw) || raw.length === 0) {
    p.add(`${at}: expected a non-empty list of { duration, target }`);
    return undefined;
  }
  return raw.map((stage: unknown, i) => {
    if (!isRecord(stage)) {
      p.add(`${at}[${i}]: expected { duration, target }`);
      return { durationMs: 0, target: 0 };
    }
    const durationMs = p.duration(stage.duration, `${at}[${i}].duration`);
    if (durationMs === undefined) p.add(`${at}[${i}].duration: required`);
    const target = p.int(stage.target, `${at}[${i}].target`, 0);
    if (target === undefined) p.add(`${at}[${i}].target: required`);
    return { durationMs: durationMs ?? 0, target: target ?? 0 };
  });
}

function buildThresholds(raw: unknown, p: Problems): Record<string, ThresholdSpec[]> {
  if (raw === undefined) return {};
  if (!isRecord(raw)) {
    p.add('options.thresholds: expected an object of metric → list of thresholds');
    return {};
  }
  const out: Record<string, ThresholdSpec[]> = {};
  for (const [key, list] of Object.entries(raw)) {
    const at = `options.thresholds["${key}"]`;
    try {
      parseThresholdKey(key);
    } catch (error) {
      p.add(`${at}: ${(error as Error).message}`);
      continue;
    }
    const items = Array.isArray(list) ? list : typeof list === 'string' ? [list] : null;
    if (!items) {
      p.add(`${at}: expected a list of thresholds, e.g. ["p(95)<500"]`);
      continue;
    }
    out[key] = [];
    for (const [i, item] of items.entries()) {
      const spec: ThresholdSpec | null =
        typeof item === 'string'
          ? { source: item, abortOnFail: false, delayAbortEvalMs: 0 }
          : isRecord(item) && typeof item.threshold === 'string'
            ? {
                source: item.threshold,
                abortOnFail: p.bool(item.abortOnFail, `${at}[${i}].abortOnFail`) ?? false,
                delayAbortEvalMs: p.duration(item.delayAbortEval, `${at}[${i}].delayAbortEval`) ?? 0,
              }
            : null;
      if (!spec) {
        p.add(`${at}[${i}]: expected "expression" or { threshold, abortOnFail, delayAbortEval }`);
        continue;
      }
      try {
        parseThresholdExpression(spec.source);
      } catch (error) {
        p.add(`${at}[${i}]: ${(error as Error).message}`);
        continue;
      }
      out[key].push(spec);
    }
  }
  return out;
}

/** The options as k6 shows them to `exec.test.options`: the script's own, plus consolidated values. */
function rawOptions(opts: Record<string, unknown>, run: RunOptions): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(opts)) as Record<string, unknown>;
  copy.summaryTrendStats = run.summaryTrendStats;
  copy.systemTags = [...run.systemTags];
  copy.tags = run.tags;
  copy.discardResponseBodies = run.discardResponseBodies;
  copy.userAgent = run.userAgent;
  copy.batch = run.batch;
  copy.batchPerHost = run.batchPerHost;
  copy.maxRedirects = run.maxRedirects;
  if (copy.scenarios === undefined) {
    copy.scenarios = Object.fromEntries(run.scenarios.map((s) => [s.name, { executor: s.executor, exec: s.exec }]));
  }
  return copy;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Typed readers that record a problem and return undefined on bad input. */
class Problems {
  constructor(private readonly list: string[]) {}
  add(message: string): void {
    this.list.push(message);
  }
  int(value: unknown, at: string, min: number): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      this.add(`${at}: expected a whole number ≥ ${min}, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return value;
  }
  bool(value: unknown, at: string): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') {
      this.add(`${at}: expected true or false, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return value;
  }
  string(value: unknown, at: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      this.add(`${at}: expected a string, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return value;
  }
  duration(value: unknown, at: string): number | undefined {
    if (value === undefined || value === null) return undefined;
    const ms = parseDurationMs(value);
    if (ms === null) {
      this.add(`${at}: expected a duration such as "30s", "1m30s" or "500ms", got ${JSON.stringify(value)}`);
      return undefined;
    }
    return ms;
  }
  stringList(value: unknown, at: string): string[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
      this.add(`${at}: expected a list of strings`);
      return undefined;
    }
    return value as string[];
  }
  stringMap(value: unknown, at: string): Record<string, string> | undefined {
    if (value === undefined || value === null) return undefined;
    if (!isRecord(value)) {
      this.add(`${at}: expected an object of strings`);
      return undefined;
    }
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
      else this.add(`${at}.${k}: expected a string`);
    }
    return out;
  }
}
