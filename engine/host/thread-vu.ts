/**
 * Entry of a VU that has a thread of its own (thread mode): k6's blocking calls (http.get, sleep,
 * batch) block only this thread, in Atomics.wait, while its worker performs the I/O.
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { RequestSpec, ResponseInit } from '../http/types.ts';
import type { MetricInfo } from '../metrics/types.ts';
import { InterruptSignal, type InstanceCounters, type JarOp, type VuBackend } from '../runtime/backend.ts';
import { CompiledScript } from '../runtime/script.ts';
import { newThreadShared, VuRuntime } from '../runtime/vu.ts';
import { epochMs } from '../time.ts';
import { COUNTER } from './counters.ts';
import { INTERRUPT, WAKE, type Effect, type ThreadVuData, type ToHost, type ToVu } from './thread-protocol.ts';

const data = workerData as ThreadVuData;
const flags = new Int32Array(data.flags);
const counters = new Int32Array(data.counters);
const port = data.port;

class ThreadBackend implements VuBackend {
  readonly blocking = true;
  private effects: Effect[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, (res: ResponseInit) => void>();
  private deferred: ToVu[] = [];
  private jarIds = 0;

  take(): Effect[] {
    const out = this.effects;
    this.effects = [];
    return out;
  }

  post(msg: ToHost): void {
    port.postMessage(msg);
  }

  request(spec: RequestSpec): Promise<ResponseInit> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.post({ t: 'areq', id, spec, effects: this.take() });
    });
  }

  requestSync(spec: RequestSpec): ResponseInit {
    const id = this.nextId++;
    this.post({ t: 'req', id, spec, effects: this.take() });
    return (this.wait(id) as Extract<ToVu, { t: 'res' }>).res;
  }

  batchSync(specs: RequestSpec[]): ResponseInit[] {
    const id = this.nextId++;
    this.post({ t: 'batch', id, specs, effects: this.take() });
    return (this.wait(id) as Extract<ToVu, { t: 'batchRes' }>).res;
  }

  sleepSync(ms: number): void {
    if (this.effects.length > 0) this.post({ t: 'effects', effects: this.take() });
    const until = performance.now() + ms;
    for (;;) {
      if (Atomics.load(flags, INTERRUPT) !== 0) throw new InterruptSignal('interrupted', 'interrupted');
      const left = until - performance.now();
      if (left <= 0) return;
      Atomics.wait(flags, INTERRUPT, 0, left);
    }
  }

  /** Blocks until the worker answers message `id`; async answers that arrive meanwhile are kept for later. */
  private wait(id: number): ToVu {
    for (;;) {
      const seen = Atomics.load(flags, WAKE);
      for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
        const msg = m.message as ToVu;
        if ('id' in msg && msg.id === id) {
          if (this.deferred.length > 0) setImmediate(() => this.flushDeferred());
          return msg;
        }
        this.deferred.push(msg);
      }
      if (Atomics.load(flags, INTERRUPT) !== 0) throw new InterruptSignal('interrupted', 'interrupted');
      Atomics.wait(flags, WAKE, seen, 1000);
    }
  }

  flushDeferred(): void {
    const list = this.deferred;
    this.deferred = [];
    for (const msg of list) handle(msg);
  }

  resolveAsync(id: number, res: ResponseInit): void {
    const resolve = this.pending.get(id);
    this.pending.delete(id);
    resolve?.(res);
  }

  emit(metric: string, value: number, extra: Record<string, string> | null): void {
    this.effects.push({ k: 'sample', metric, value, extra, timeMs: epochMs() });
    if (this.effects.length >= 256) this.post({ t: 'effects', effects: this.take() });
  }

  setBaseTags(tags: Record<string, string>): void {
    this.effects.push({ k: 'tags', tags });
  }

  setExpected(expected: number[] | false): void {
    this.effects.push({ k: 'expected', expected });
  }

  defineMetric(info: MetricInfo): void {
    this.effects.push({ k: 'define', info });
  }

  jar(op: JarOp): Record<string, string[]> | undefined {
    const id = this.nextId++;
    this.post({ t: 'jar', id, op, effects: this.take() });
    const res = this.wait(id) as Extract<ToVu, { t: 'jarRes' }>;
    if (res.error) throw new Error(res.error);
    return res.value ?? undefined;
  }

  newJarId(): number {
    // Jars made in this VU are numbered apart from any other VU's: ids are per VU on the worker.
    return ++this.jarIds;
  }

  abortTest(reason: string): void {
    this.post({ t: 'abort', reason, effects: this.take() });
  }

  failTest(message: string): void {
    this.post({ t: 'fail', message, effects: this.take() });
  }

  instance(): InstanceCounters {
    return {
      iterationsCompleted: Atomics.load(counters, COUNTER.iterationsCompleted),
      iterationsInterrupted: Atomics.load(counters, COUNTER.iterationsInterrupted),
      vusActive: Atomics.load(counters, COUNTER.vusActive),
      vusInitialized: Atomics.load(counters, COUNTER.vusInitialized),
      currentTestRunDuration: epochMs() - data.runStartMs,
    };
  }

  log(level: 'info' | 'warn' | 'error' | 'debug', text: string): void {
    this.effects.push({ k: 'log', level, text });
    if (level !== 'debug') this.post({ t: 'effects', effects: this.take() });
  }
}

const backend = new ThreadBackend();
const compiled = new CompiledScript(data.script);
const vu = new VuRuntime(data.config, backend, compiled, newThreadShared());

try {
  vu.init();
  backend.post({ t: 'ready', effects: backend.take() });
} catch (error) {
  backend.post({ t: 'initError', message: compiled.describe(error), where: compiled.where(error), effects: backend.take() });
}

function handle(msg: ToVu): void {
  switch (msg.t) {
    case 'iterate': {
      Atomics.store(flags, INTERRUPT, 0);
      vu.scenario = msg.scenario;
      vu.iterationInInstance = msg.iterationInInstance;
      vu.iterationInTest = msg.iterationInTest;
      const fn = vu.exports[msg.exec];
      const arg = msg.data === null ? undefined : JSON.parse(msg.data);
      if (typeof fn !== 'function') {
        backend.post({ t: 'done', outcome: { status: 'error', message: `${msg.exec} is not an exported function` }, effects: backend.take() });
        return;
      }
      void vu.runIteration(fn as (d: unknown) => unknown, arg).then((outcome) => backend.post({ t: 'done', outcome, effects: backend.take() }));
      return;
    }
    case 'call': {
      Atomics.store(flags, INTERRUPT, 0);
      void (async () => {
        try {
          let result = vu.callExport(msg.name, msg.arg === null ? undefined : JSON.parse(msg.arg), msg.phase);
          if (result && typeof (result as { then?: unknown }).then === 'function') result = await (result as Promise<unknown>);
          const json = result === undefined ? null : JSON.stringify(result);
          backend.post({ t: 'result', ok: true, json: json ?? null, message: '', effects: backend.take() });
        } catch (error) {
          backend.post({ t: 'result', ok: false, json: null, message: compiled.describe(error), effects: backend.take() });
        }
      })();
      return;
    }
    case 'res':
      backend.resolveAsync(msg.id, msg.res);
      return;
    case 'interrupt':
      vu.interrupt('interrupted', 'interrupted');
      return;
    case 'close':
      port.close();
      return;
    default:
      return;
  }
}

port.on('message', (msg: ToVu) => handle(msg));
