/**
 * One VU: its own instance of the script (see runtime/script.ts), the k6 modules bound to it, its
 * globals and its iterations. The same class runs in a shared worker thread (async mode) and on a
 * thread of its own (thread mode); only its backend differs.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { AbortTestSignal, InterruptSignal, type VuBackend } from './backend.ts';
import { createModule, MODULE_NAMES } from './modules/index.ts';
import type { CompiledScript } from './script.ts';

export type Phase = 'init' | 'setup' | 'vu' | 'teardown' | 'summary';

export interface ScenarioInfo {
  name: string;
  executor: string;
  /** Epoch ms at which the scenario started. */
  startMs: number;
  /** Scheduled length (for exec.scenario.progress); 0 when it ends by iterations. */
  durationMs: number;
  tags: Record<string, string>;
}

export interface VuConfig {
  idInInstance: number;
  idInTest: number;
  /** __ENV: the process environment, -e values, and the scenario's env. */
  env: Record<string, string>;
  globalTags: Record<string, string>;
  systemTags: string[];
  discardResponseBodies: boolean;
  maxRedirects: number;
  throwOnError: boolean;
  /** exec.test.options. */
  options: Record<string, unknown>;
  /** Shared arrays computed once by the first init (JSON, by name). */
  sharedArrays: Record<string, string>;
  scenario: ScenarioInfo | null;
}

/** Things a thread shares between its VUs: parsed shared arrays and opened files. */
export interface ThreadShared {
  arrays: Map<string, unknown>;
  files: Map<string, string | ArrayBuffer>;
  /** Shared arrays this thread computed itself (the first init on the main thread reports them). */
  computed: Map<string, string>;
}

export function newThreadShared(): ThreadShared {
  return { arrays: new Map(), files: new Map(), computed: new Map() };
}

export type Outcome = { status: 'ok' } | { status: 'error'; message: string } | { status: 'interrupted' } | { status: 'aborted'; message: string };

const OK: Outcome = { status: 'ok' };

export class VuRuntime {
  exports: Record<string, unknown> = {};
  /** The VU's Math: the thread's, except for random() once randomSeed() seeds it. */
  readonly math: Math = Object.create(Math) as Math;
  private readonly env: Record<string, string>;
  private readonly console: Record<string, (...args: unknown[]) => void>;
  private readonly timers_: Record<string, unknown>;
  phase: Phase = 'init';
  groupPath = '';
  /** exec.vu.tags (= exec.vu.metrics.tags). */
  readonly userTags: Record<string, string>;
  readonly metadata: Record<string, string> = {};
  /** __ITER: this VU's iterations so far in the test. */
  iter = -1;
  iterationInScenario = -1;
  iterationInInstance = 0;
  iterationInTest = 0;
  scenario: ScenarioInfo | null;
  pending = 0;
  private drainWaiter: (() => void) | null = null;
  private interruptWaiter: ((signal: InterruptSignal) => void) | null = null;
  interruptedBy: InterruptSignal | null = null;
  private readonly modules = new Map<string, unknown>();
  readonly timers = new Map<number, { handle: NodeJS.Timeout; interval: boolean }>();
  nextTimerId = 1;
  readonly jsonParse: (text: string) => unknown = JSON.parse;

  constructor(
    readonly config: VuConfig,
    readonly backend: VuBackend,
    readonly compiled: CompiledScript,
    readonly shared: ThreadShared,
  ) {
    this.scenario = config.scenario;
    const vu = this;
    this.userTags = new Proxy({} as Record<string, string>, {
      set(target, key, value) {
        if (typeof key !== 'string') return false;
        if (typeof value === 'object' && value !== null) throw new TypeError(`exec.vu.tags.${key}: a tag value must be a string, number or boolean`);
        target[key] = String(value);
        vu.pushTags();
        return true;
      },
      deleteProperty(target, key) {
        if (typeof key === 'string') delete target[key];
        vu.pushTags();
        return true;
      },
    });
    this.env = { ...config.env };
    this.console = makeConsole(backend);
    // k6 makes the timers global as well as importable from k6/timers.
    this.timers_ = this.require('k6/timers') as Record<string, unknown>;
  }

  /** __ITER, as the bundle reads it (`__k6vu.iteration`). */
  get iteration(): number {
    return Math.max(0, this.iter);
  }

  /** Runs the script's init code: this VU's instance of every module of the script. */
  init(): void {
    const module = { exports: {} as Record<string, unknown> };
    const t = this.timers_;
    this.compiled.wrapper.call(
      undefined,
      module.exports,
      (name: string) => this.require(name),
      module,
      this,
      this.env,
      this.config.idInInstance,
      this.console,
      (path: string, mode?: string) => this.open(path, mode),
      t.setTimeout,
      t.clearTimeout,
      t.setInterval,
      t.clearInterval,
      this.math,
    );
    this.exports = module.exports;
    this.phase = 'vu';
    this.pushTags();
  }

  require(name: string): unknown {
    let mod = this.modules.get(name);
    if (mod === undefined) {
      if (!MODULE_NAMES.includes(name)) throw new Error(`unsupported module "${name}"`);
      mod = createModule(name, this);
      this.modules.set(name, mod);
    }
    return mod;
  }

  /** Calls an exported function outside an iteration (setup, teardown, handleSummary). */
  callExport(name: string, arg: unknown, phase: Phase): unknown {
    const fn = this.exports[name];
    if (typeof fn !== 'function') throw new Error(`${name} is not an exported function`);
    this.phase = phase;
    this.setGroup(phase === 'setup' || phase === 'teardown' ? `::${phase}` : '');
    try {
      return fn(arg);
    } finally {
      this.setGroup('');
      this.phase = 'vu';
    }
  }

  /** One iteration: the function, then whatever async work it left (timers, requests) until none is pending. */
  async runIteration(fn: (data: unknown) => unknown, data: unknown): Promise<Outcome> {
    this.iter++;
    this.iterationInScenario++;
    this.interruptedBy = null;
    try {
      const result = fn(data);
      if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
        await this.untilSettledOrInterrupted(result as PromiseLike<unknown>);
      }
      if (this.pending > 0) await this.untilDrained();
      return this.interruptedBy ? { status: 'interrupted' } : OK;
    } catch (error) {
      return this.classify(error);
    } finally {
      if (this.groupPath !== '') this.setGroup('');
    }
  }

  classify(error: unknown): Outcome {
    const interrupt = this.interruptedBy ?? (error instanceof InterruptSignal ? error : null);
    if (interrupt) return interrupt.reason === 'aborted' ? { status: 'aborted', message: interrupt.message } : { status: 'interrupted' };
    if (error instanceof AbortTestSignal) return { status: 'aborted', message: error.message };
    return { status: 'error', message: this.compiled.describe(error) };
  }

  /** Ends the current iteration where it stands (gracefulStop passed, or the test was aborted). */
  interrupt(reason: 'interrupted' | 'aborted', message: string): void {
    const signal = new InterruptSignal(reason, message);
    this.interruptedBy = signal;
    for (const timer of this.timers.values()) clearTimeout(timer.handle);
    this.timers.clear();
    this.pending = 0;
    this.interruptWaiter?.(signal);
    this.drainWaiter?.();
  }

  opStarted(): void {
    this.pending++;
  }

  opEnded(): void {
    if (this.pending > 0) this.pending--;
    if (this.pending === 0 && this.drainWaiter) this.drainWaiter();
  }

  private untilSettledOrInterrupted(promise: PromiseLike<unknown>): Promise<unknown> {
    return new Promise((resolveIt, reject) => {
      this.interruptWaiter = reject;
      promise.then(
        (value) => {
          this.interruptWaiter = null;
          resolveIt(value);
        },
        (error: unknown) => {
          this.interruptWaiter = null;
          reject(error);
        },
      );
    });
  }

  private untilDrained(): Promise<void> {
    return new Promise((resolveIt) => {
      this.drainWaiter = () => {
        this.drainWaiter = null;
        resolveIt();
      };
    });
  }

  setGroup(path: string): void {
    if (path === this.groupPath) return;
    this.groupPath = path;
    this.pushTags();
  }

  /** The VU's current tags to every sample it makes: global, scenario, exec.vu.tags, then scenario and group. */
  pushTags(): void {
    const sys = this.config.systemTags;
    const tags: Record<string, string> = { ...this.config.globalTags, ...(this.scenario?.tags ?? {}), ...this.userTags };
    if (this.scenario && sys.includes('scenario')) tags.scenario = this.scenario.name;
    if (sys.includes('group')) tags.group = this.groupPath;
    if (sys.includes('vu')) tags.vu = String(this.config.idInInstance);
    this.backend.setBaseTags(tags);
  }

  private open(path: string, mode?: string): string | ArrayBuffer {
    if (this.phase !== 'init') throw new Error('open() can only be called in the init context (outside exported functions)');
    if (typeof path !== 'string' || path === '') throw new TypeError('open(): the file path must be a non-empty string');
    const full = isAbsolute(path) ? path : resolve(this.compiled.source.dir, path);
    const key = `${mode === 'b' ? 'b' : 't'}:${full}`;
    let content = this.shared.files.get(key);
    if (content === undefined) {
      let data: Buffer;
      try {
        data = readFileSync(full);
      } catch (error) {
        throw new Error(
          `open(${JSON.stringify(path)}): ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? `no such file ${full}` : (error as Error).message}`,
        );
      }
      content = mode === 'b' ? (data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer) : data.toString('utf8');
      this.shared.files.set(key, content);
    }
    return content;
  }
}

function makeConsole(backend: VuBackend): Record<string, (...args: unknown[]) => void> {
  const format = (args: unknown[]) => args.map((a) => (typeof a === 'string' ? a : stringify(a))).join(' ');
  return {
    log: (...args) => backend.log('info', format(args)),
    info: (...args) => backend.log('info', format(args)),
    warn: (...args) => backend.log('warn', format(args)),
    error: (...args) => backend.log('error', format(args)),
    debug: (...args) => backend.log('debug', format(args)),
  };
}

function stringify(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return '[object Function]';
  if (typeof value === 'object' && value !== null && 'stack' in value && 'message' in value) return String((value as { stack: unknown }).stack ?? value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export { AbortTestSignal, InterruptSignal };
