/**
 * Entry of a worker thread: it owns an HTTP client, a metrics registry and raw-sample encoders, runs
 * its share of every scenario (VU contexts in this thread, or VU threads it serves), and reports
 * interval aggregates and sample batches to the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { HttpClient } from '../http/client.ts';
import { RequestPerformer } from '../http/perform.ts';
import { Registry } from '../metrics/registry.ts';
import { BUILTIN_METRICS } from '../metrics/types.ts';
import { InfluxLinesEncoder } from '../output/influx-lines.ts';
import { JsonLinesEncoder } from '../output/json-lines.ts';
import { CompiledScript, type ScriptSource } from '../runtime/script.ts';
import { newThreadShared, type VuConfig } from '../runtime/vu.ts';
import { epochMs } from '../time.ts';
import { AlarmHub } from './alarm.ts';
import { COUNTER } from './counters.ts';
import type { HostServices } from './direct-backend.ts';
import { createRunner, executorMetrics, ScenarioRunner, type ExecutorContext, type ScenarioShare } from './executors.ts';
import { AsyncVu, ThreadVu, type Vu, type VuFactoryDeps } from './vus.ts';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.ts';
import { warmHistograms } from '../metrics/hdr.ts';
import { threadId } from './priority.ts';
import { collectGarbage, type MachineryEvents, WARM_EVENTS, warmUp } from './warm.ts';

const init = workerData as WorkerInit;
/**
 * The samples' buffers are transferred to the main thread, which detaches them here. V8 assumes no
 * ArrayBuffer is ever detached until one is, and then throws away every optimised function that
 * touches a typed array or a Buffer: the hot path's HTTP client, histograms and encoders, and Node's
 * streams and async hooks. The first batch of samples did that 50 ms into the test. Detaching one
 * buffer now makes V8 optimise with that check from the start.
 */
const detached = new ArrayBuffer(8);
structuredClone(detached, { transfer: [detached] });
const port = parentPort;
if (!port) throw new Error('engine/host/worker.ts runs as a worker thread');
const post = (msg: FromWorker) => port.postMessage(msg);
const postTransfer = (msg: FromWorker, transfer: ArrayBuffer[]) => port.postMessage(msg, transfer);

/** The test's metrics registry, sample encoders and HTTP client: one set per worker. */
interface Core {
  registry: Registry;
  json: JsonLinesEncoder | null;
  influx: InfluxLinesEncoder | null;
  client: HttpClient;
  performer: RequestPerformer;
}

/**
 * The engine's machinery for one script on the core: the test's, or the warm-up's. The warm-up runs
 * on the test's very registry, encoders and client (and discards what it recorded): code V8 optimised
 * on scratch objects of its own was thrown away once they were collected, and the test's first
 * second ran unoptimised (6,000/s: arrivals up to 150–200 ms late, where a second scenario of the
 * same run, warmed by the first, started on time).
 */
interface Machinery extends Core {
  ctx: ExecutorContext;
  deps: VuFactoryDeps;
}

/** While the warm-up runs: what the registry and encoders hold is its own, neither reported nor written. */
let warming = false;

const hasThreadVus = init.shares.some((s) => s.mode === 'thread');
/** The alarm hub's precise sleep must not hold up a response of the worker's client (the warm-up shares it). */
const alarms = new AlarmHub(() => (hasThreadVus ? -Infinity : core.client.oldestInFlightMs()));

function makeCore(): Core {
  const registry = new Registry((message) => process.stderr.write(`WARN ${message}\n`));
  for (const info of BUILTIN_METRICS) registry.define(info);
  for (const info of init.metrics) registry.define(info);
  const json = init.samples.json ? new JsonLinesEncoder() : null;
  const influx = init.samples.influx ? new InfluxLinesEncoder() : null;
  if (json) registry.encoders.push(json);
  if (influx) registry.encoders.push(influx);
  const client = new HttpClient({ insecureSkipTLSVerify: init.options.insecureSkipTLSVerify, noConnectionReuse: init.options.noConnectionReuse });
  const performer = new RequestPerformer(client, registry, {
    systemTags: new Set(init.systemTags),
    userAgent: init.options.userAgent,
    noConnectionReuse: init.options.noConnectionReuse,
  });
  return { registry, json, influx, client, performer };
}

function machinery(
  core: Core,
  counterBuffer: SharedArrayBuffer,
  scenarioCounters: SharedArrayBuffer,
  script: ScriptSource,
  events: MachineryEvents,
): Machinery {
  const { registry, client, performer } = core;
  const counters = new Int32Array(counterBuffer);
  let jarIds = 1;
  const host: HostServices = {
    registry,
    performer,
    instance: () => ({
      iterationsCompleted: Atomics.load(counters, COUNTER.iterationsCompleted),
      iterationsInterrupted: Atomics.load(counters, COUNTER.iterationsInterrupted),
      vusActive: Atomics.load(counters, COUNTER.vusActive),
      vusInitialized: Atomics.load(counters, COUNTER.vusInitialized),
      currentTestRunDuration: epochMs() - init.runStartMs,
    }),
    abortTest: events.abort,
    failTest: events.fail,
    log: events.log,
    nextJarId: () => ++jarIds,
  };
  const deps: VuFactoryDeps = {
    host,
    client,
    compiled: new CompiledScript(script),
    shared: newThreadShared(),
    script,
    threadCode: init.threadCode,
    counters: counterBuffer,
    runStartMs: init.runStartMs,
    batchLimits: { batch: init.options.batch, batchPerHost: init.options.batchPerHost },
  };
  const ctx: ExecutorContext = {
    registry,
    alarms,
    counters,
    scenarioCounters: new Int32Array(scenarioCounters),
    metrics: executorMetrics(registry),
    globalTags: init.globalTags,
    requestsInFlight: () => client.inFlight,
    minIterationDurationMs: init.options.minIterationDurationMs,
    noCookiesReset: init.options.noCookiesReset,
    async createVu(share, slot, scenario) {
      const id = share.vuIdBase + slot + 1;
      const config = vuConfig(share, id, ScenarioRunner.idInTest(share, slot), scenario);
      let vu: Vu;
      if (share.mode === 'thread') {
        const t = new ThreadVu(id, config, deps, performer, registry);
        await t.ready;
        vu = t;
      } else vu = new AsyncVu(id, config, deps);
      if (init.options.noVUConnectionReuse) {
        const original = vu.run.bind(vu);
        vu.run = async (start) => {
          const outcome = await original(start);
          vu.io.conns.closeAll();
          return outcome;
        };
      }
      return vu;
    },
    setupDataJson: () => setupJson,
    iterationError: events.iterationError,
    aborted: events.abort,
  };
  return { ...core, ctx, deps };
}

let setupJson: string | null = null;

/** Iteration errors, as k6 logs them, at most 10 a second (then a count of the rest). */
class ErrorLog {
  private second = -1;
  private shown = 0;
  private suppressed = 0;
  add(scenario: string, executor: string, message: string): void {
    const now = Math.floor(epochMs() / 1000);
    if (now !== this.second) {
      if (this.suppressed > 0) process.stderr.write(`ERRO ${this.suppressed} more iteration errors in the last second were not shown\n`);
      this.second = now;
      this.shown = 0;
      this.suppressed = 0;
    }
    if (this.shown++ < 10) {
      const t = Math.max(0, Math.floor((epochMs() - init.runStartMs) / 1000));
      process.stderr.write(`ERRO[${String(t).padStart(4, '0')}] ${message}  executor=${executor} scenario=${scenario} source=stacktrace\n`);
    } else this.suppressed++;
  }
}

const errors = new ErrorLog();

function vuConfig(share: ScenarioShare | null, idInInstance: number, idInTest: number, scenario: VuConfig['scenario'] = null): VuConfig {
  return {
    idInInstance,
    idInTest,
    env: { ...init.env, ...(share?.scenario.env ?? {}) },
    globalTags: init.globalTags,
    systemTags: init.systemTags,
    discardResponseBodies: init.options.discardResponseBodies,
    maxRedirects: init.options.maxRedirects,
    throwOnError: init.options.throwOnError,
    options: init.options.raw,
    sharedArrays: init.sharedArrays,
    scenario,
  };
}

const core = makeCore();
const { registry, json, influx, client, ctx, deps } = machinery(core, init.counters, init.scenarioCounters, init.script, {
  abort: (reason) => post({ t: 'abort', reason }),
  fail: (message) => post({ t: 'fail', message }),
  log: (level, text, vu) => writeLog(level, text, vu),
  iterationError: (share, message) => errors.add(share.scenario.name, share.scenario.executor, message),
});
const performer = deps.host.performer;

const runners = init.shares.map((share) => createRunner(share, ctx));

// Intervals and sample batches, on the run's clock.
let intervalTimer: NodeJS.Timeout | null = null;
let nextInterval = 1;
function scheduleInterval(): void {
  const at = init.runStartMs + nextInterval * init.intervalMs;
  intervalTimer = setTimeout(reportInterval, Math.max(0, at - epochMs()));
  intervalTimer.unref();
}
function reportInterval(): void {
  if (warming) {
    // The warm-up's samples are discarded when it ends: this interval is reported after that.
    intervalTimer = setTimeout(reportInterval, 5);
    intervalTimer.unref();
    return;
  }
  nextInterval++;
  post({ t: 'interval', report: registry.takeInterval() });
  scheduleInterval();
}
scheduleInterval();

const EMPTY_BYTES = new Uint8Array(0);

function flushSamples(): void {
  if (warming) return;
  const j = json?.take() ?? null;
  const f = influx?.take() ?? null;
  if (!j && !f) return;
  const batch = j?.bytes ?? EMPTY_BYTES;
  const bytes = batch.length + (f?.text.length ?? 0);
  Atomics.add(ctx.counters, COUNTER.sampleBacklog, bytes);
  // The batch's buffer is the encoder's no longer: handed over, not copied.
  postTransfer(
    { t: 'samples', declared: j?.declared ?? [], json: batch, influx: f?.text ?? '', influxLines: f?.lines ?? 0, bytes },
    batch.length > 0 ? [batch.buffer as ArrayBuffer] : [],
  );
}
const sampleTimer = json || influx ? setInterval(flushSamples, 50) : null;
sampleTimer?.unref();

function writeLog(level: string, text: string, vu: number): void {
  const t = Math.max(0, Math.floor((epochMs() - init.runStartMs) / 1000));
  const tag = { info: 'INFO', warn: 'WARN', error: 'ERRO', debug: 'DEBU' }[level] ?? 'INFO';
  process.stderr.write(`${tag}[${String(t).padStart(4, '0')}] ${text}  source=console vu=${vu}\n`);
}

async function prepare(): Promise<void> {
  try {
    for (const runner of runners) await runner.prepare();
    collectGarbage();
    // After the VUs are made: making them changed objects the hot path uses, and that had thrown
    // away code the warm-up had optimised before it.
    warmHistograms(false);
    await warmUp((script) => {
      warming = true;
      const m = machinery(core, new SharedArrayBuffer(init.counters.byteLength), new SharedArrayBuffer(4), script, WARM_EVENTS);
      return {
        ctx: m.ctx,
        done: () => {
          // Nothing of the test is in flight yet: whatever the warm-up left is its own.
          client.abortAll('warm-up over');
          json?.discard();
          influx?.discard();
          registry.discardInterval();
          warming = false;
        },
      };
    });
    post({ t: 'ready', vus: runners.reduce((n, r) => n + r.vusMax, 0), tid: threadId() });
  } catch (error) {
    post({ t: 'initError', message: (error as Error).message });
  }
}

/** setup() and teardown() run on a VU thread of their own, so they may block (k6 runs them outside any scenario). */
let lifecycleVu: ThreadVu | null = null;
async function lifecycle(name: 'setup' | 'teardown', arg: string | null): Promise<{ ok: boolean; json: string | null; message: string }> {
  try {
    if (!lifecycleVu) {
      lifecycleVu = new ThreadVu(0, vuConfig(null, 0, 0), deps, performer, registry);
      await lifecycleVu.ready;
    }
    const sent = lifecycleVu.io.conns.dataSent;
    const received = lifecycleVu.io.conns.dataReceived;
    const result = await lifecycleVu.call(name, name, arg);
    const now = epochMs();
    const tags = lifecycleVu.io.baseTags;
    if (lifecycleVu.io.conns.dataSent > sent) registry.record(ctx.metrics.dataSent, tags, lifecycleVu.io.conns.dataSent - sent, now);
    if (lifecycleVu.io.conns.dataReceived > received) registry.record(ctx.metrics.dataReceived, tags, lifecycleVu.io.conns.dataReceived - received, now);
    return result;
  } catch (error) {
    return { ok: false, json: null, message: (error as Error).message };
  }
}

let started = false;
port.on('message', (msg: ToWorker) => {
  switch (msg.t) {
    case 'setup':
      void lifecycle('setup', null).then((r) => post({ t: 'setupDone', ok: r.ok, json: r.json, message: r.message }));
      return;
    case 'start':
      started = true;
      setupJson = msg.setupJson;
      for (const runner of runners) runner.begin(msg.startMs);
      void Promise.all(runners.map((r) => r.done)).then(() => post({ t: 'scenariosDone' }));
      return;
    case 'stop':
      for (const runner of runners) runner.stop(msg.graceful ? runner.scenario.gracefulStopMs : 0);
      if (!started) post({ t: 'scenariosDone' });
      return;
    case 'abort':
      for (const runner of runners) runner.abort();
      client.abortAll('request canceled: the test was aborted');
      if (!started) post({ t: 'scenariosDone' });
      return;
    case 'recycle':
      json?.recycle(msg.buffer);
      return;
    case 'teardown':
      void lifecycle('teardown', msg.setupJson).then((r) => post({ t: 'teardownDone', ok: r.ok, message: r.message }));
      return;
    case 'finish': {
      client.abortAll('request canceled: the test ended');
      for (const runner of runners) runner.closeVus();
      lifecycleVu?.close();
      if (intervalTimer) clearTimeout(intervalTimer);
      if (sampleTimer) clearInterval(sampleTimer);
      post({ t: 'interval', report: registry.takeInterval() });
      flushSamples();
      client.close();
      alarms.close();
      post({ t: 'finished', sampleCounts: Object.fromEntries(registry.sampleCounts) });
      port.close();
      return;
    }
  }
});

void prepare();
