/**
 * The first init: the script's init code run once on the main thread, as k6 does, to read its
 * options, its exports, its declared variables and metrics, and to compute its SharedArrays. The
 * same VU later runs handleSummary().
 */
import { ScriptError } from '../errors.ts';
import type { RequestSpec, ResponseInit } from '../http/types.ts';
import type { MetricInfo } from '../metrics/types.ts';
import type { InstanceCounters, JarOp, VuBackend } from '../runtime/backend.ts';
import { CompiledScript, type ScriptSource } from '../runtime/script.ts';
import { newThreadShared, VuRuntime, type VuConfig } from '../runtime/vu.ts';

export interface InitResult {
  vu: VuRuntime;
  compiled: CompiledScript;
  /** Exported names → typeof. */
  exports: Record<string, string>;
  /** The `options` export, copied into plain data. */
  options: unknown;
  /** The `env` export (declared __ENV variables), or undefined. */
  envSpec: unknown;
  /** The `metricsInfo` export, or undefined. */
  metricsInfo: unknown;
  /** Custom metrics the init code declared. */
  metrics: MetricInfo[];
  sharedArrays: Record<string, string>;
}

class InitBackend implements VuBackend {
  readonly blocking = false;
  readonly metrics: MetricInfo[] = [];
  constructor(private readonly log_: (level: string, text: string) => void) {}
  request(): Promise<ResponseInit> {
    return Promise.reject(new Error('HTTP requests are not available here'));
  }
  requestSync(_spec: RequestSpec): ResponseInit {
    throw new Error('HTTP requests are not available here');
  }
  batchSync(): ResponseInit[] {
    throw new Error('HTTP requests are not available here');
  }
  sleepSync(): void {
    throw new Error('sleep() is not available here');
  }
  emit(): void {}
  setBaseTags(): void {}
  setExpected(): void {}
  defineMetric(info: MetricInfo): void {
    const existing = this.metrics.find((m) => m.name === info.name);
    if (existing && existing.type !== info.type) throw new Error(`metric "${info.name}" is already a ${existing.type}; it cannot also be a ${info.type}`);
    if (!existing) this.metrics.push(info);
  }
  jar(_op: JarOp): undefined {
    return undefined;
  }
  newJarId(): number {
    return 1;
  }
  abortTest(): void {
    throw new Error('exec.test.abort() can only be called while the test runs');
  }
  failTest(): void {}
  instance(): InstanceCounters {
    return { iterationsCompleted: 0, iterationsInterrupted: 0, vusActive: 0, vusInitialized: 0, currentTestRunDuration: 0 };
  }
  log(level: 'info' | 'warn' | 'error' | 'debug', text: string): void {
    this.log_(level, text);
  }
}

export function runInit(source: ScriptSource, config: VuConfig, log: (level: string, text: string) => void): InitResult {
  let compiled: CompiledScript;
  try {
    compiled = new CompiledScript(source);
  } catch (error) {
    throw new ScriptError(`${source.path}: ${(error as Error).message}`);
  }
  const backend = new InitBackend(log);
  const shared = newThreadShared();
  const vu = new VuRuntime(config, backend, compiled, shared);
  try {
    vu.init();
  } catch (error) {
    const where = compiled.where(error);
    throw new ScriptError(`${where ? `${where}: ` : ''}${compiled.describe(error)}`);
  }
  const exports: Record<string, string> = {};
  for (const name of Object.keys(vu.exports)) exports[name] = typeof vu.exports[name];
  const plain = (value: unknown, what: string): unknown => {
    if (value === undefined) return undefined;
    try {
      return JSON.parse(JSON.stringify(value)) as unknown;
    } catch (error) {
      throw new ScriptError(`the exported ${what} must be plain data: ${(error as Error).message}`);
    }
  };
  return {
    vu,
    compiled,
    exports,
    options: plain(vu.exports.options, 'options'),
    envSpec: plain(vu.exports.env, 'env'),
    metricsInfo: plain(vu.exports.metricsInfo, 'metricsInfo'),
    metrics: backend.metrics,
    sharedArrays: Object.fromEntries(shared.computed),
  };
}
