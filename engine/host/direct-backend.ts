/**
 * The backend of a VU that shares its worker thread with others (async mode): requests go straight
 * to the worker's HTTP client, samples straight into its registry. Blocking calls are refused with an
 * error that says how to run the script.
 */
import { CookieJar } from '../http/cookies.ts';
import { tagsKey, type RequestPerformer, type VuIo } from '../http/perform.ts';
import type { RequestSpec, ResponseInit } from '../http/types.ts';
import { parseTarget } from '../http/url.ts';
import type { Registry } from '../metrics/registry.ts';
import type { MetricInfo } from '../metrics/types.ts';
import { blockingMessage } from '../runtime/modules/http.ts';
import type { InstanceCounters, JarOp, VuBackend } from '../runtime/backend.ts';
import { epochMs } from '../time.ts';

export interface HostServices {
  registry: Registry;
  performer: RequestPerformer;
  instance(): InstanceCounters;
  abortTest(reason: string): void;
  failTest(message: string): void;
  log(level: string, text: string, vu: number): void;
  nextJarId(): number;
}

export class DirectBackend implements VuBackend {
  readonly blocking = false;
  constructor(
    private readonly host: HostServices,
    readonly io: VuIo,
    private readonly vuId: number,
  ) {}

  request(spec: RequestSpec): Promise<ResponseInit> {
    return new Promise((resolve) => this.host.performer.perform(this.io, spec, resolve));
  }

  requestSync(): ResponseInit {
    throw new Error(blockingMessage('an HTTP request'));
  }

  batchSync(): ResponseInit[] {
    throw new Error(blockingMessage('http.batch()'));
  }

  sleepSync(): void {
    throw new Error(blockingMessage('sleep()'));
  }

  emit(metric: string, value: number, extra: Record<string, string> | null): void {
    emitSample(this.host.registry, this.io, metric, value, extra, epochMs());
  }

  setBaseTags(tags: Record<string, string>): void {
    this.io.baseTags = this.host.registry.tags.intern(tags);
  }

  setExpected(expected: number[] | false): void {
    this.io.expected = expected;
  }

  defineMetric(info: MetricInfo): void {
    this.host.registry.define(info);
  }

  jar(op: JarOp): Record<string, string[]> | undefined {
    return jarOperation(this.io, op);
  }

  newJarId(): number {
    return this.host.nextJarId();
  }

  abortTest(reason: string): void {
    this.host.abortTest(reason);
  }

  failTest(message: string): void {
    this.host.failTest(message);
  }

  instance(): InstanceCounters {
    return this.host.instance();
  }

  log(level: 'info' | 'warn' | 'error' | 'debug', text: string): void {
    this.host.log(level, text, this.vuId);
  }
}

export function emitSample(registry: Registry, io: VuIo, metric: string, value: number, extra: Record<string, string> | null, timeMs: number): void {
  const m = registry.get(metric);
  if (!m) throw new Error(`metric "${metric}" was not declared in the init context`);
  const tags = extra ? io.baseTags.extend(registry.tags, tagsKey(extra), () => extra) : io.baseTags;
  registry.record(m, tags, value, timeMs);
}

export function jarOperation(io: VuIo, op: JarOp): Record<string, string[]> | undefined {
  const target = parseTarget(op.url);
  if (!target) throw new TypeError(`cookie jar: invalid URL ${JSON.stringify(op.url)}`);
  const jar = io.jar(op.jar) ?? new CookieJar();
  switch (op.op) {
    case 'cookiesForURL':
      return jar.namesForTarget(target, Date.now());
    case 'set':
      jar.set(target, op.name, op.value, op.options as Parameters<CookieJar['set']>[3]);
      return;
    case 'clear':
      jar.clear(target);
      return;
    case 'delete':
      jar.delete(target, op.name);
      return;
  }
}
