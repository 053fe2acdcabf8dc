/**
 * VUs as a worker's executors see them: something that runs one iteration at a time and can be
 * interrupted. An AsyncVu is a context in this thread; a ThreadVu is a thread of its own whose I/O
 * this worker performs.
 */
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { VuIo, type RequestPerformer } from '../http/perform.ts';
import type { HttpClient } from '../http/client.ts';
import type { Registry } from '../metrics/registry.ts';
import type { ScriptSource, CompiledScript } from '../runtime/script.ts';
import { VuRuntime, type Outcome, type ThreadShared, type VuConfig } from '../runtime/vu.ts';
import { ScriptError } from '../errors.ts';
import { runBatch } from './batch.ts';
import { DirectBackend, emitSample, jarOperation, type HostServices } from './direct-backend.ts';
import { INTERRUPT, WAKE, type Effect, type ThreadVuData, type ToHost, type ToVu } from './thread-protocol.ts';

export interface IterationStart {
  exec: string;
  /** Setup data as JSON (null: setup returned nothing). */
  dataJson: string | null;
  iterationInInstance: number;
  iterationInTest: number;
  scenario: VuConfig['scenario'];
}

export interface Vu {
  readonly id: number;
  readonly io: VuIo;
  busy: boolean;
  /** It has run an iteration: its connections are open (a new VU must first make them). */
  warm: boolean;
  run(start: IterationStart): Promise<Outcome>;
  interrupt(reason: 'interrupted' | 'aborted', message: string): void;
  close(): void;
}

export interface VuFactoryDeps {
  host: HostServices;
  client: HttpClient;
  compiled: CompiledScript;
  shared: ThreadShared;
  script: ScriptSource;
  threadCode: string;
  counters: SharedArrayBuffer;
  runStartMs: number;
  batchLimits: { batch: number; batchPerHost: number };
}

export class AsyncVu implements Vu {
  busy = false;
  warm = false;
  readonly runtime: VuRuntime;
  readonly io: VuIo;
  /** The VU's own copy of the setup data (k6 gives each VU one), parsed once. */
  private data: { json: string | null; value: unknown } = { json: null, value: undefined };
  constructor(
    readonly id: number,
    config: VuConfig,
    private readonly deps: VuFactoryDeps,
  ) {
    this.io = new VuIo(deps.host.registry.tags.empty);
    this.runtime = new VuRuntime(config, new DirectBackend(deps.host, this.io, id), deps.compiled, deps.shared);
    try {
      this.runtime.init();
    } catch (error) {
      throw new ScriptError(deps.compiled.describe(error));
    }
  }

  run(start: IterationStart): Promise<Outcome> {
    const vu = this.runtime;
    vu.scenario = start.scenario;
    vu.iterationInInstance = start.iterationInInstance;
    vu.iterationInTest = start.iterationInTest;
    const fn = vu.exports[start.exec];
    if (typeof fn !== 'function') return Promise.resolve({ status: 'error', message: `${start.exec} is not an exported function` });
    if (start.dataJson !== this.data.json) this.data = { json: start.dataJson, value: start.dataJson === null ? undefined : vu.jsonParse(start.dataJson) };
    return vu.runIteration(fn as (data: unknown) => unknown, this.data.value);
  }

  interrupt(reason: 'interrupted' | 'aborted', message: string): void {
    this.runtime.interrupt(reason, message);
    this.deps.client.abortVu(this.io.conns, 'request canceled: the iteration was interrupted');
  }

  close(): void {
    this.io.conns.closeAll();
  }
}

/** A VU on its own thread; this worker answers its requests. */
export class ThreadVu implements Vu {
  busy = false;
  warm = false;
  readonly io: VuIo;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flags: Int32Array;
  private waiting: ((outcome: Outcome) => void) | null = null;
  private callWaiting: ((msg: Extract<ToHost, { t: 'result' }>) => void) | null = null;
  readonly ready: Promise<void>;
  private closed = false;

  constructor(
    readonly id: number,
    config: VuConfig,
    private readonly deps: VuFactoryDeps,
    private readonly performer: RequestPerformer,
    private readonly registry: Registry,
  ) {
    this.io = new VuIo(registry.tags.empty);
    const flags = new SharedArrayBuffer(8);
    this.flags = new Int32Array(flags);
    const channel = new MessageChannel();
    this.port = channel.port1;
    const workerData: ThreadVuData = {
      script: deps.script,
      config: { ...config, systemTags: config.systemTags },
      flags,
      counters: deps.counters,
      port: channel.port2,
      runStartMs: deps.runStartMs,
    };
    this.worker = new Worker(deps.threadCode, { eval: true, workerData, transferList: [channel.port2], stdout: false, stderr: false });
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (msg: ToHost) => {
        if (msg.t === 'ready') {
          this.apply(msg.effects);
          resolve();
        } else if (msg.t === 'initError') {
          this.apply(msg.effects);
          reject(new ScriptError(msg.message));
        } else this.handle(msg);
      };
      this.port.on('message', onMessage);
      this.worker.once('error', (error) => reject(new ScriptError(`VU ${id}: ${error.message}`)));
    });
    // A VU thread that dies (out of memory, say) fails its iteration and is not used again.
    this.worker.on('error', (error) => {
      this.closed = true;
      const waiting = this.waiting;
      this.waiting = null;
      waiting?.({ status: 'error', message: `VU ${id}'s thread failed: ${error.message}` });
      const calling = this.callWaiting;
      this.callWaiting = null;
      calling?.({ t: 'result', ok: false, json: null, message: `VU ${id}'s thread failed: ${error.message}`, effects: [] });
    });
    this.worker.unref();
  }

  run(start: IterationStart): Promise<Outcome> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.send({
        t: 'iterate',
        exec: start.exec,
        data: start.dataJson,
        iterationInInstance: start.iterationInInstance,
        iterationInTest: start.iterationInTest,
        scenario: start.scenario,
      });
    });
  }

  /** setup() or teardown(): its return value as JSON. */
  call(name: string, phase: 'setup' | 'teardown', argJson: string | null): Promise<{ ok: boolean; json: string | null; message: string }> {
    return new Promise((resolve) => {
      this.callWaiting = resolve;
      this.send({ t: 'call', name, phase, arg: argJson });
    });
  }

  interrupt(): void {
    if (this.closed) return;
    this.port.postMessage({ t: 'interrupt' } satisfies ToVu);
    Atomics.store(this.flags, INTERRUPT, 1);
    Atomics.notify(this.flags, INTERRUPT);
    Atomics.add(this.flags, WAKE, 1);
    Atomics.notify(this.flags, WAKE);
    this.deps.client.abortVu(this.io.conns, 'request canceled: the iteration was interrupted');
    // A VU busy in plain JavaScript cannot see the flag: give it a moment, then count it as interrupted.
    const resolve = this.waiting;
    if (resolve) {
      setTimeout(() => {
        if (this.waiting === resolve) {
          this.waiting = null;
          resolve({ status: 'interrupted' });
          this.close();
        }
      }, 2000).unref();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.io.conns.closeAll();
    void this.worker.terminate();
  }

  private send(msg: ToVu): void {
    this.port.postMessage(msg);
    Atomics.add(this.flags, WAKE, 1);
    Atomics.notify(this.flags, WAKE);
  }

  private apply(effects: Effect[]): void {
    for (const e of effects) {
      switch (e.k) {
        case 'sample':
          emitSample(this.registry, this.io, e.metric, e.value, e.extra, e.timeMs);
          break;
        case 'tags':
          this.io.baseTags = this.registry.tags.intern(e.tags);
          break;
        case 'define':
          this.registry.define(e.info);
          break;
        case 'expected':
          this.io.expected = e.expected;
          break;
        case 'log':
          this.deps.host.log(e.level, e.text, this.id);
          break;
      }
    }
  }

  private handle(msg: ToHost): void {
    this.apply(msg.effects);
    switch (msg.t) {
      case 'req':
      case 'areq':
        this.performer.perform(this.io, msg.spec, (res) => {
          if (!this.closed) this.send({ t: 'res', id: msg.id, res });
        });
        return;
      case 'batch':
        runBatch(this.performer, this.io, msg.specs, this.deps.batchLimits, (res) => {
          if (!this.closed) this.send({ t: 'batchRes', id: msg.id, res });
        });
        return;
      case 'jar': {
        let value: Record<string, string[]> | null = null;
        let error: string | null = null;
        try {
          value = jarOperation(this.io, msg.op) ?? null;
        } catch (e) {
          error = (e as Error).message;
        }
        this.send({ t: 'jarRes', id: msg.id, value, error });
        return;
      }
      case 'abort':
        this.deps.host.abortTest(msg.reason);
        return;
      case 'fail':
        this.deps.host.failTest(msg.message);
        return;
      case 'done': {
        const resolve = this.waiting;
        this.waiting = null;
        resolve?.(msg.outcome);
        return;
      }
      case 'result': {
        const resolve = this.callWaiting;
        this.callWaiting = null;
        resolve?.(msg);
        return;
      }
      default:
        return;
    }
  }
}
