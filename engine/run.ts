/**
 * `engine run`: bundle → first init → options → workers (init VUs) → setup → scenarios → teardown →
 * outputs closed → summary → exit code. The end is ordered: scheduling stops, in-flight iterations
 * get their gracefulStop and are then interrupted (their requests aborted and still recorded), the
 * workers hand over their last intervals and samples, and only then are the files closed.
 */
import { totalmem } from 'node:os';
import { Worker } from 'node:worker_threads';
import { yieldToWorkers } from './host/priority.ts';
import { outputError, writeFileAtomic } from '../kernel/files.ts';
import { onInterrupt, type Interrupts } from '../kernel/interrupt.ts';
import { sleep as waitUpTo } from '../kernel/sleep.ts';
import { threadCode } from './build.ts';
import { ConfigError, EngineError, EXIT, ScriptError } from './errors.ts';
import { COUNTER, newCounters } from './host/counters.ts';
import type { FromWorker, ToWorker, WorkerInit } from './host/worker-protocol.ts';
import { Aggregator } from './metrics/aggregate.ts';
import { Registry } from './metrics/registry.ts';
import { BUILTIN_BY_NAME, BUILTIN_METRICS, type MetricInfo } from './metrics/types.ts';
import { consolidateOptions, type CliOverrides } from './options/consolidate.ts';
import { parseThresholdExpression, parseThresholdKey, statMismatch } from './options/thresholds.ts';
import type { RunOptions } from './options/types.ts';
import { HdrLog } from './output/hdr-log.ts';
import { InfluxLinesEncoder } from './output/influx-lines.ts';
import { InfluxSink, parseInfluxUrl } from './output/influx-sink.ts';
import { JsonLinesEncoder } from './output/json-lines.ts';
import { JsonSink } from './output/json-sink.ts';
import { buildSummary, evaluateThresholds, metricsInfo, type SummaryData } from './output/summary.ts';
import { summaryExport } from './output/summary-export.ts';
import { renderTextSummary } from './output/summary-text.ts';
import { defaultWorkers, planShares } from './plan.ts';
import { Progress } from './progress.ts';
import { parseExtraInfo } from './runtime/modules/metrics.ts';
import type { VuConfig } from './runtime/vu.ts';
import { blockingCalls } from './script/blocking.ts';
import { bundleScript } from './script/bundle.ts';
import { parseEnvSpec, validateEnv } from './script/env-spec.ts';
import { runInit, type InitResult } from './script/init.ts';
import { scenarioMaxVUs, scenarioPeakRate } from './schedule/plan.ts';
import { checkSegmentInSequence, FULL_SEGMENT, ownedCount, parseSegment, type Segment } from './schedule/segment.ts';
import { epochMs } from './time.ts';
import { ENGINE_NAME, ENGINE_VERSION, READY_ENV, READY_LINE } from './version.ts';
import { warmHistograms } from './metrics/hdr.ts';

export interface RunArgs {
  script: string;
  /** -e KEY=VALUE */
  env: Record<string, string>;
  includeSystemEnv: boolean;
  overrides: CliOverrides;
  summaryExport: string | null;
  outJson: string | null;
  outInflux: string | null;
  outHdr: string | null;
  noSamples: boolean;
  segment: Segment | null;
  sequence: number[] | null;
  quiet: boolean;
  noColor: boolean;
  noSummary: boolean;
  summaryMode: 'compact' | 'full' | 'legacy';
  workers: number | null;
  vuMode: 'auto' | 'async' | 'thread';
  histogramIntervalMs: number;
}

export interface Prepared {
  init: InitResult;
  options: RunOptions;
  modes: ('async' | 'thread')[];
  blocking: string[][];
  metrics: MetricInfo[];
  env: Record<string, string>;
  envSpec: ReturnType<typeof parseEnvSpec>;
  segment: Segment;
}

function log(level: string, text: string): void {
  const tag = { info: 'INFO', warn: 'WARN', error: 'ERRO', debug: 'DEBU' }[level] ?? 'INFO';
  process.stderr.write(`${tag}[0000] ${text}  source=console\n`);
}

function mainVuConfig(env: Record<string, string>, options: Record<string, unknown>, tags: Record<string, string>): VuConfig {
  return {
    idInInstance: 0,
    idInTest: 0,
    env,
    globalTags: tags,
    systemTags: [],
    discardResponseBodies: false,
    maxRedirects: 10,
    throwOnError: false,
    options,
    sharedArrays: {},
    scenario: null,
  };
}

/** Everything up to starting threads: also what `engine inspect` shows. */
export async function prepare(args: RunArgs): Promise<Prepared> {
  const source = await bundleScript(args.script);
  const env: Record<string, string> = {};
  if (args.includeSystemEnv) for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  Object.assign(env, args.env);
  // The declared variables are checked before the script reads them: a script that parses its own
  // __ENV would otherwise throw on a bad value first. They are read from an init without any -e value
  // (silent; a script that cannot start without one has its declaration checked after its own init).
  let declared: InitResult | null = null;
  if (Object.keys(args.env).length > 0) {
    try {
      declared = runInit(source, mainVuConfig({}, {}, {}), () => undefined);
    } catch {
      declared = null;
    }
  }
  const checkDeclared = (from: InitResult) => {
    const spec = parseEnvSpec(from.envSpec);
    if (spec) {
      const problems = validateEnv(spec, args.env);
      if (problems.length > 0) throw new ConfigError(problems);
    }
    return spec;
  };
  if (declared) checkDeclared(declared);
  const init = runInit(source, mainVuConfig(env, {}, {}), log);
  const envSpec = checkDeclared(init);
  const options = consolidateOptions(init.options, args.overrides);
  const metrics = declaredMetrics(init);
  const problems = [...checkExports(init, options), ...checkThresholds(options, metrics)];
  if (problems.length > 0) throw new ConfigError(problems);
  const segment = resolveSegment(args, init.options);
  const modes: ('async' | 'thread')[] = [];
  const blocking: string[][] = [];
  const cache = new Map<string, string[]>();
  for (const s of options.scenarios) {
    let calls = cache.get(s.exec);
    if (!calls) {
      calls = args.vuMode === 'auto' ? await blockingCalls(args.script, s.exec) : [];
      cache.set(s.exec, calls);
    }
    blocking.push(calls);
    modes.push(args.vuMode === 'auto' ? (calls.length > 0 ? 'thread' : 'async') : args.vuMode);
  }
  checkThreadMemory(options, modes, segment);
  return { init, options, modes, blocking, metrics, env, envSpec, segment };
}

/** Measured RSS of a VU on a thread of its own (a Node worker thread), rounded up. */
export const THREAD_VU_MB = 9;

/**
 * A worker's young generation (MB), chosen by the arrivals a second it may have to start.
 *
 * Up to SMALL_YOUNG_GENERATION_UP_TO arrivals a second, 3 MB: with V8's default (16 MB a semi-space)
 * a worker at 1,000/s paused 5-8 ms for a scavenge about once a second, and every arrival due
 * meanwhile started late; a small one is scavenged every ~0.1 s in about 0.6 ms (`npm run perf --
 * engine`: schedule error p99 1.17 against 1.85 ms at 1,000/s, CPU 0.223 against 0.242 CPU-s per
 * 1,000 requests).
 *
 * Above it, V8's default: at thousands a second a small young generation is scavenged hundreds of
 * times a second and promotes what a larger one would let die. Measured with --trace-gc, 4 s of a warm
 * worker (engine on one core, server on the other), 3 MB against the default: GC 9-12 against 5-6 µs a
 * request at 3,000/s; 15-17 against 6-7 at 6,000/s; 30-41 against 6-12 at 8,000/s, where the start
 * lag p99 was 283 and 455 ms against 167 and 221 ms. Tests of VU-based executors only (no schedule to
 * keep) get the default too.
 */
const SMALL_YOUNG_GENERATION_MB = 3;
const SMALL_YOUNG_GENERATION_UP_TO = 2000;

/** The young generation for workers that start at most `peakPerWorker` arrivals a second (undefined: V8's default). */
export function workerYoungGenerationMb(peakPerWorker: number): number | undefined {
  return peakPerWorker > 0 && peakPerWorker <= SMALL_YOUNG_GENERATION_UP_TO ? SMALL_YOUNG_GENERATION_MB : undefined;
}

/** Thread-mode VUs cost a thread each: refuse a test that cannot fit in memory, warn when it is close. */
function checkThreadMemory(options: RunOptions, modes: ('async' | 'thread')[], segment: Segment): void {
  const threadVus = options.scenarios.reduce((n, s, i) => n + (modes[i] === 'thread' ? ownedCount(segment, scenarioMaxVUs(s)) : 0), 0);
  const needMB = threadVus * THREAD_VU_MB;
  const totalMB = totalmem() / 1024 / 1024;
  const what = `${threadVus} VUs run in thread mode (a thread each, about ${THREAD_VU_MB} MB): about ${(needMB / 1024).toFixed(1)} GB of this machine's ${(totalMB / 1024).toFixed(1)} GB`;
  if (needMB > 0.9 * totalMB)
    throw new ConfigError(`${what}; use http.asyncRequest and timers instead of blocking calls (async mode needs about 0.05 MB a VU), or fewer VUs`);
  if (needMB > 0.5 * totalMB) process.stderr.write(`WARN ${what}\n`);
}

function resolveSegment(args: RunArgs, scriptOptions: unknown): Segment {
  const opts = (scriptOptions ?? {}) as { executionSegment?: unknown; executionSegmentSequence?: unknown };
  let segment = args.segment;
  try {
    if (!segment && typeof opts.executionSegment === 'string') segment = parseSegment(opts.executionSegment);
  } catch (error) {
    throw new ConfigError(`options.executionSegment: ${(error as Error).message}`);
  }
  const sequence = args.sequence;
  if (segment && sequence) {
    const problem = checkSegmentInSequence(segment, sequence);
    if (problem) throw new ConfigError(`--execution-segment: ${problem}`);
  }
  return segment ?? FULL_SEGMENT;
}

/** Custom metrics from the init, with the `metricsInfo` export applied. */
function declaredMetrics(init: InitResult): MetricInfo[] {
  const out = init.metrics.map((m) => ({ ...m }));
  if (init.metricsInfo === undefined) return out;
  if (init.metricsInfo === null || typeof init.metricsInfo !== 'object')
    throw new ConfigError('the exported metricsInfo: expected an object of metric name → { better, unit }');
  const problems: string[] = [];
  for (const [name, raw] of Object.entries(init.metricsInfo as Record<string, unknown>)) {
    const metric = out.find((m) => m.name === name);
    if (!metric) {
      problems.push(
        `metricsInfo.${name}: no custom metric of that name is declared in the init context${BUILTIN_BY_NAME.has(name) ? ' (built-in metrics already carry their info)' : ''}`,
      );
      continue;
    }
    try {
      const extra = parseExtraInfo(raw, `metricsInfo.${name}`);
      if (extra.better) metric.better = extra.better;
      if (extra.unit) metric.contains = extra.unit === 'none' ? 'default' : extra.unit;
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}

function checkExports(init: InitResult, options: RunOptions): string[] {
  const problems: string[] = [];
  for (const s of options.scenarios) {
    const kind = init.exports[s.exec];
    if (kind === 'function') continue;
    if (s.exec === 'default') problems.push(`scenario "${s.name}": the script has no default function to run (export one, or name a function with exec)`);
    else problems.push(`options.scenarios.${s.name}.exec: "${s.exec}" is not an exported function of the script`);
  }
  for (const name of ['setup', 'teardown', 'handleSummary']) {
    if (init.exports[name] !== undefined && init.exports[name] !== 'function') problems.push(`the exported ${name} must be a function`);
  }
  return problems;
}

function checkThresholds(options: RunOptions, metrics: MetricInfo[]): string[] {
  const problems: string[] = [];
  const known = new Map([...BUILTIN_METRICS, ...metrics].map((m) => [m.name, m]));
  for (const [key, specs] of Object.entries(options.thresholds)) {
    const { metric } = parseThresholdKey(key);
    const info = known.get(metric);
    if (!info) {
      problems.push(`options.thresholds["${key}"]: no metric "${metric}" (built-in or declared in the init context)`);
      continue;
    }
    for (const spec of specs) {
      const mismatch = statMismatch(parseThresholdExpression(spec.source), info.type);
      if (mismatch) problems.push(`options.thresholds["${key}"]: ${mismatch}`);
    }
  }
  return problems;
}

interface WorkerHandle {
  worker: Worker;
  post(msg: ToWorker): void;
  /** Hands a written samples buffer back to the worker's encoder. */
  recycle(buffer: ArrayBuffer): void;
}

/** Signal handling for a run; engine/cli.ts installs it before anything else, so a signal during start-up is not lost. */
export function engineInterrupts(): Interrupts {
  return onInterrupt({
    exitCode: EXIT.externalAbort,
    onStop: (signal) => process.stderr.write(`\n${signal}: stopping the test (in-flight iterations get their gracefulStop; ${signal} again to stop now)\n`),
    onForce: (signal) => process.stderr.write(`\n${signal}: stopping now\n`),
  });
}

export async function run(args: RunArgs, external?: Interrupts): Promise<number> {
  const runStartMs = epochMs();
  // Bundling runs esbuild's service as a child in this process group: a Ctrl-C to the group ends it
  // too, and the bundle fails. A stop that came during start-up is the stop, not a script error.
  const stoppedEarly = async (error: unknown): Promise<never> => {
    // esbuild's child may die of the group's signal before this process has handled its own copy.
    if (external && !external.stopping.aborted && /service was stopped/.test(String(error))) await waitUpTo(500, external.stopping);
    const stopped = external?.stopping.aborted ?? false;
    throw stopped ? new EngineError(`${external?.signal ?? 'a signal'} stopped the test before it started`, EXIT.externalAbort, { cause: error }) : error;
  };
  const prepared = await prepare(args).catch(stoppedEarly);
  const { init, options, modes, metrics, env, segment } = prepared;
  const workersCount = Math.max(1, args.workers ?? defaultWorkers());
  const shares = planShares(options.scenarios, modes, workersCount, segment);
  // Every arrival-rate scenario at its peak at once, this process's segment of it, shared by the workers.
  const peakPerWorker = (options.scenarios.reduce((n, s) => n + scenarioPeakRate(s), 0) * (segment.to - segment.from)) / workersCount;
  const youngGenerationMb = workerYoungGenerationMb(peakPerWorker);
  const counters = newCounters();
  const scenarioCounters = new SharedArrayBuffer(Math.max(1, options.scenarios.length) * 4);
  const intervalMs = args.histogramIntervalMs;

  // Outputs.
  const jsonSink = args.outJson && !args.noSamples ? new JsonSink(args.outJson, counters) : null;
  const influxSink = args.outInflux ? new InfluxSink(parseInfluxUrl(args.outInflux), (m) => process.stderr.write(`WARN ${m}\n`)) : null;
  const hdrLog = args.outHdr
    ? new HdrLog(args.outHdr, runStartMs, intervalMs, [
        `[${ENGINE_NAME} ${ENGINE_VERSION}: ${args.script}]`,
        '[values are value × 1000: microseconds for time metrics; Tag=metric?tag=value&… (URL-encoded)]',
      ])
    : null;
  const aggregator = new Aggregator(workersCount + 1, hdrLog ? (index, hists) => hdrLog.write(index, hists) : null);
  for (const info of [...BUILTIN_METRICS, ...metrics]) aggregator.define(info);

  // The main thread's own samples: vus and vus_max.
  const mainRegistry = new Registry();
  for (const info of BUILTIN_METRICS) mainRegistry.define(info);
  const mainJson = jsonSink ? new JsonLinesEncoder() : null;
  const mainInflux = influxSink ? new InfluxLinesEncoder() : null;
  if (mainJson) mainRegistry.encoders.push(mainJson);
  if (mainInflux) mainRegistry.encoders.push(mainInflux);
  const vusTags = mainRegistry.tags.intern(options.tags);
  const vusMetric = mainRegistry.get('vus');
  const vusMaxMetric = mainRegistry.get('vus_max');
  const flushMain = () => {
    const j = mainJson?.take();
    if (j && jsonSink) {
      Atomics.add(counters, COUNTER.sampleBacklog, j.bytes.length);
      jsonSink.write(j.declared, j.bytes, j.bytes.length, (buffer) => mainJson?.recycle(buffer));
    }
    const f = mainInflux?.take();
    if (f && influxSink) influxSink.write(f.text, f.lines);
  };

  const code = await threadCode().catch(stoppedEarly);
  // From here a signal stops the test in order (nothing of esbuild's is needed any more): the harness
  // holds a Ctrl-C until it sees this line.
  if (process.env[READY_ENV]) process.stderr.write(`${READY_LINE}\n`);
  const state = {
    aborted: null as string | null,
    failed: null as string | null,
    external: false,
    thresholdAbort: false,
    hard: false,
    scriptError: null as string | null,
  };
  const handles: WorkerHandle[] = [];
  // Each worker answers a phase once; a second answer (a stop racing an abort) is ignored.
  const waiters = new Map<string, { count: number; seen: Set<number>; resolve: () => void }>();
  const waitAll = (kind: string, count = workersCount) =>
    new Promise<void>((resolve) => {
      waiters.set(kind, { count, seen: new Set(), resolve });
    });
  const arrived = (kind: string, worker: number) => {
    const w = waiters.get(kind);
    if (!w || w.seen.has(worker)) return;
    w.seen.add(worker);
    if (w.seen.size >= w.count) {
      waiters.delete(kind);
      w.resolve();
    }
  };
  let setupResult: { ok: boolean; json: string | null; message: string } | null = null;
  let teardownResult: { ok: boolean; message: string } | null = null;
  const initErrors: string[] = [];
  const workerTids: number[] = [];
  const finishedCounts: Record<string, number>[] = [];

  const stopAll = (graceful: boolean) => {
    for (const h of handles) h.post(graceful ? { t: 'stop', graceful: true } : { t: 'abort' });
  };

  const onMessage = (index: number, msg: FromWorker) => {
    switch (msg.t) {
      case 'ready':
        workerTids.push(msg.tid);
        arrived('ready', index);
        return;
      case 'initError':
        initErrors.push(msg.message);
        arrived('ready', index);
        return;
      case 'setupDone':
        setupResult = msg;
        arrived('setup', index);
        return;
      case 'teardownDone':
        teardownResult = msg;
        arrived('teardown', index);
        return;
      case 'interval':
        aggregator.add(index, msg.report);
        return;
      case 'samples':
        if (jsonSink) jsonSink.write(msg.declared, msg.json, msg.bytes - msg.influx.length, (buffer) => handles[index]?.recycle(buffer));
        else Atomics.sub(counters, COUNTER.sampleBacklog, msg.bytes - msg.influx.length);
        Atomics.sub(counters, COUNTER.sampleBacklog, msg.influx.length);
        if (influxSink) influxSink.write(msg.influx, msg.influxLines);
        return;
      case 'abort':
        if (!state.aborted) {
          state.aborted = msg.reason;
          process.stderr.write(`ERRO test aborted: ${msg.reason}\n`);
          stopAll(false);
        }
        return;
      case 'fail':
        state.failed ??= msg.message;
        return;
      case 'scenariosDone':
        arrived('scenarios', index);
        return;
      case 'finished':
        finishedCounts.push(msg.sampleCounts);
        arrived('finished', index);
        return;
    }
  };

  const workerFailure = new Promise<never>((_, reject) => {
    for (let i = 0; i < workersCount; i++) {
      const init_: WorkerInit = {
        index: i,
        script: init.compiled.source,
        threadCode: code.thread,
        env,
        globalTags: options.tags,
        systemTags: [...options.systemTags],
        options: {
          discardResponseBodies: options.discardResponseBodies,
          maxRedirects: options.maxRedirects,
          throwOnError: options.throw,
          userAgent: options.userAgent,
          noConnectionReuse: options.noConnectionReuse,
          noVUConnectionReuse: options.noVUConnectionReuse,
          insecureSkipTLSVerify: options.insecureSkipTLSVerify,
          batch: options.batch,
          batchPerHost: options.batchPerHost,
          minIterationDurationMs: options.minIterationDurationMs,
          noCookiesReset: options.noCookiesReset,
          raw: options.raw,
        },
        sharedArrays: init.sharedArrays,
        shares: shares[i] ?? [],
        metrics,
        samples: { json: jsonSink !== null, influx: influxSink !== null },
        intervalMs,
        runStartMs,
        counters: counters.buffer as SharedArrayBuffer,
        scenarioCounters,
      };
      const worker = new Worker(code.worker, {
        eval: true,
        workerData: init_,
        stdout: false,
        stderr: false,
        resourceLimits: youngGenerationMb === undefined ? {} : { maxYoungGenerationSizeMb: youngGenerationMb },
      });
      worker.on('message', (msg: FromWorker) => onMessage(i, msg));
      worker.on('error', (error) => reject(new EngineError(`worker ${i} failed: ${error.stack ?? error.message}`, 70)));
      handles.push({
        worker,
        post: (msg) => worker.postMessage(msg),
        recycle: (buffer) => worker.postMessage({ t: 'recycle', buffer } satisfies ToWorker, [buffer]),
      });
    }
  });
  workerFailure.catch(() => {});
  const guard = <T>(p: Promise<T>) => Promise.race([p, workerFailure]);

  // Ctrl-C, SIGTERM and SIGHUP as kernel/interrupt.ts defines them: the first stops scheduling and
  // gives running iterations their gracefulStop, copies a wrapper re-sends do not count, a later one
  // aborts them (still recorded), a third exits 105 at once.
  const interrupts = external ?? engineInterrupts();
  const onStop = () => {
    state.external = true;
    stopAll(true);
  };
  const onForce = () => {
    state.external = true;
    state.hard = true;
    stopAll(false);
  };
  if (interrupts.stopping.aborted) state.external = true;
  else interrupts.stopping.addEventListener('abort', onStop, { once: true });
  if (interrupts.forced.aborted) state.hard = true;
  else interrupts.forced.addEventListener('abort', onForce, { once: true });

  const progress = new Progress(!args.quiet, Boolean(process.stderr.isTTY));
  let startMs = 0;
  let endMs = 0;
  let ticker: NodeJS.Timeout | null = null;
  try {
    await guard(waitAll('ready'));
    if (initErrors.length > 0) throw new ScriptError(initErrors[0] ?? 'init failed');
    yieldToWorkers(workerTids);

    let setupJson: string | null = null;
    let setupData: unknown;
    if (init.exports.setup === 'function' && !state.external) {
      const w0 = handles[0];
      w0?.post({ t: 'setup' });
      const timedOut = await guard(Promise.race([waitAll('setup', 1).then(() => false), sleep(options.setupTimeoutMs).then(() => true)]));
      if (timedOut) throw new EngineError(`setup() did not finish within setupTimeout (${options.setupTimeoutMs / 1000}s)`, 100);
      const result = setupResult as { ok: boolean; json: string | null; message: string } | null;
      if (!result?.ok) throw new ScriptError(`setup() failed: ${result?.message ?? 'unknown error'}`);
      setupJson = result.json;
      setupData = setupJson === null ? undefined : JSON.parse(setupJson);
    }

    const recordVus = (now: number) => {
      if (!vusMetric || !vusMaxMetric) return;
      mainRegistry.record(vusMetric, vusTags, Atomics.load(counters, COUNTER.vusActive), now);
      mainRegistry.record(vusMaxMetric, vusTags, Atomics.load(counters, COUNTER.vusInitialized), now);
    };
    warmHistograms(true);
    startMs = epochMs() + 20;
    recordVus(startMs);
    if (!state.external) for (const h of handles) h.post({ t: 'start', startMs, setupJson });
    else for (const h of handles) h.post({ t: 'stop', graceful: false });
    const scenariosDone = waitAll('scenarios');
    ticker = setInterval(() => {
      const now = epochMs();
      recordVus(now);
      flushMain();
      progress.update(
        now - startMs,
        Atomics.load(counters, COUNTER.vusActive),
        Atomics.load(counters, COUNTER.vusInitialized),
        Atomics.load(counters, COUNTER.iterationsCompleted),
        Atomics.load(counters, COUNTER.iterationsInterrupted),
      );
      checkAbortOnFail(now);
    }, 1000);
    let nextMainInterval = 1;
    const mainIntervals = setInterval(
      () => {
        while (runStartMs + nextMainInterval * intervalMs <= epochMs()) {
          nextMainInterval++;
          aggregator.add(workersCount, mainRegistry.takeInterval());
        }
      },
      Math.min(250, intervalMs),
    );
    const checkAbortOnFail = (now: number) => {
      if (state.thresholdAbort || state.aborted) return;
      const elapsed = now - startMs;
      const watched = Object.fromEntries(
        Object.entries(options.thresholds)
          .map(([k, list]) => [k, list.filter((t) => t.abortOnFail && elapsed >= t.delayAbortEvalMs)])
          .filter(([, list]) => (list as unknown[]).length > 0),
      );
      if (Object.keys(watched).length === 0) return;
      const crossed = evaluateThresholds(aggregator, watched, elapsed / 1000, options.summaryTrendStats).filter((r) => !r.ok);
      if (crossed.length > 0) {
        state.thresholdAbort = true;
        process.stderr.write(
          `ERRO thresholds on metrics '${[...new Set(crossed.map((c) => c.key))].join("', '")}' were crossed; abortOnFail is set, stopping the test\n`,
        );
        stopAll(false);
      }
    };
    await guard(scenariosDone);
    endMs = epochMs();
    recordVus(endMs);
    clearInterval(mainIntervals);

    if (init.exports.teardown === 'function' && !state.hard) {
      handles[0]?.post({ t: 'teardown', setupJson });
      const timedOut = await guard(Promise.race([waitAll('teardown', 1).then(() => false), sleep(options.teardownTimeoutMs).then(() => true)]));
      if (timedOut) state.scriptError = `teardown() did not finish within teardownTimeout (${options.teardownTimeoutMs / 1000}s)`;
      else {
        const result = teardownResult as { ok: boolean; message: string } | null;
        if (result && !result.ok) state.scriptError = `teardown() failed: ${result.message}`;
      }
      if (state.scriptError) process.stderr.write(`ERRO ${state.scriptError}\n`);
    }

    const finished = waitAll('finished');
    for (const h of handles) h.post({ t: 'finish' });
    await guard(finished);
    if (ticker) clearInterval(ticker);
    ticker = null;
    progress.update(
      endMs - startMs,
      0,
      Atomics.load(counters, COUNTER.vusInitialized),
      Atomics.load(counters, COUNTER.iterationsCompleted),
      Atomics.load(counters, COUNTER.iterationsInterrupted),
      true,
    );
    aggregator.add(workersCount, mainRegistry.takeInterval());
    flushMain();
    if (hdrLog) aggregator.flushIntervals();
    return await finish(args, prepared, aggregator, { jsonSink, influxSink, hdrLog }, state, endMs - startMs, setupData, finishedCounts, mainRegistry);
  } finally {
    if (ticker) clearInterval(ticker);
    interrupts.stopping.removeEventListener('abort', onStop);
    interrupts.forced.removeEventListener('abort', onForce);
    if (!external) interrupts.dispose();
    for (const h of handles) void h.worker.terminate();
  }
}

async function finish(
  args: RunArgs,
  prepared: Prepared,
  aggregator: Aggregator,
  sinks: { jsonSink: JsonSink | null; influxSink: InfluxSink | null; hdrLog: HdrLog | null },
  state: { aborted: string | null; failed: string | null; external: boolean; thresholdAbort: boolean; scriptError: string | null },
  durationMs: number,
  setupData: unknown,
  finishedCounts: Record<string, number>[],
  mainRegistry: Registry,
): Promise<number> {
  const { options, init } = prepared;
  await Promise.all([sinks.jsonSink?.close(), sinks.influxSink?.close(), sinks.hdrLog?.close()]);
  const results = evaluateThresholds(aggregator, options.thresholds, durationMs / 1000, options.summaryTrendStats);
  const data = buildSummary(
    aggregator,
    options.thresholds,
    results,
    options.summaryTrendStats,
    durationMs,
    { isStdOutTTY: Boolean(process.stdout.isTTY), isStdErrTTY: Boolean(process.stderr.isTTY), noColor: args.noColor },
    setupData,
  );
  // Samples per metric as the workers recorded them; the aggregator must agree (a cheap self-check).
  const recorded: Record<string, number> = {};
  for (const counts of [...finishedCounts, Object.fromEntries(mainRegistry.sampleCounts)])
    for (const [k, v] of Object.entries(counts)) recorded[k] = (recorded[k] ?? 0) + v;
  for (const [name, n] of Object.entries(recorded)) {
    if (aggregator.sampleCount(name) !== n)
      process.stderr.write(`WARN ${name}: ${n} samples recorded but ${aggregator.sampleCount(name)} aggregated (please report this)\n`);
  }
  if (args.summaryExport) {
    const doc = summaryExport(data, metricsInfo(aggregator), { name: ENGINE_NAME, version: ENGINE_VERSION, samples: recorded });
    // Whole or not at all: a reader never sees half a summary (kernel/files.ts).
    await writeFileAtomic(args.summaryExport, `${JSON.stringify(doc, null, 2)}\n`).catch((error: unknown) => {
      throw outputError(error, args.summaryExport as string);
    });
  }
  await printSummary(args, init, data);
  warnIfBehind(aggregator, durationMs);
  if (state.scriptError) return EXIT.scriptError;
  if (state.aborted && !state.thresholdAbort) return EXIT.scriptAborted;
  if (state.external) return EXIT.externalAbort;
  if (results.some((r) => !r.ok)) {
    process.stderr.write(`ERRO thresholds on metrics '${[...new Set(results.filter((r) => !r.ok).map((r) => r.key))].join("', '")}' have been crossed\n`);
    return EXIT.thresholds;
  }
  if (state.failed) return EXIT.testFailed;
  return EXIT.ok;
}

async function printSummary(args: RunArgs, init: InitResult, data: SummaryData): Promise<void> {
  const colors = !args.noColor && Boolean(process.stdout.isTTY);
  const text = () => renderTextSummary(data, { indent: ' ', colors, mode: args.summaryMode });
  if (init.exports.handleSummary === 'function') {
    try {
      let result = init.vu.callExport('handleSummary', data, 'summary');
      if (result && typeof (result as { then?: unknown }).then === 'function') result = await (result as Promise<unknown>);
      if (result === null || typeof result !== 'object') throw new Error('handleSummary() must return an object of output → content');
      for (const [target, content] of Object.entries(result as Record<string, unknown>)) {
        const body = typeof content === 'string' ? content : content instanceof ArrayBuffer ? Buffer.from(content) : JSON.stringify(content);
        if (target === 'stdout') process.stdout.write(body);
        else if (target === 'stderr') process.stderr.write(body);
        else await writeFileAtomic(target, body);
      }
      return;
    } catch (error) {
      process.stderr.write(`ERRO handleSummary() failed, printing the default summary: ${init.compiled.describe(error)}\n`);
    }
  }
  if (!args.noSummary) process.stdout.write(text());
}

/** "The generator could not keep up": dropped iterations, or starts later than 10 ms at p99. */
function warnIfBehind(aggregator: Aggregator, durationMs: number): void {
  const dropped = aggregator.stats('dropped_iterations', {}, durationMs / 1000, []);
  const lag = aggregator.stats('iteration_start_lag', {}, durationMs / 1000, ['p(99)', 'max']);
  const reasons: string[] = [];
  if (dropped && (dropped.count ?? 0) > 0)
    reasons.push(`${dropped.count} iterations were dropped (no free VU at their start time: raise preAllocatedVUs/maxVUs)`);
  if (lag && (lag['p(99)'] ?? 0) > 10)
    reasons.push(`iterations started up to ${(lag['p(99)'] ?? 0).toFixed(1)} ms late at p99 (max ${(lag.max ?? 0).toFixed(1)} ms)`);
  if (reasons.length > 0) process.stderr.write(`WARN the generator could not keep up with the schedule: ${reasons.join('; ')}\n`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
