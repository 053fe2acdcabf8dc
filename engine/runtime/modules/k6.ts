/** `k6`: check, group, sleep, fail, randomSeed. */
import { epochMs } from '../../time.ts';
import type { VuRuntime } from '../vu.ts';

export function createK6(vu: VuRuntime): Record<string, unknown> {
  const k6 = {
    check(value: unknown, sets: Record<string, unknown>, tags?: Record<string, unknown>): boolean {
      if (vu.phase === 'init') throw new Error('check() cannot be called in the init context');
      if (sets === null || typeof sets !== 'object') throw new TypeError('check(): the second argument must be an object of name → condition');
      const extra = tags ? stringTags(tags) : null;
      let all = true;
      for (const name of Object.keys(sets)) {
        const condition = sets[name];
        const ok = typeof condition === 'function' ? Boolean((condition as (v: unknown) => unknown)(value)) : Boolean(condition);
        if (!ok) all = false;
        vu.backend.emit('checks', ok ? 1 : 0, extra ? { ...extra, check: name } : { check: name });
      }
      return all;
    },
    group<T>(name: string, fn: () => T): T {
      if (vu.phase === 'init') throw new Error('group() cannot be called in the init context');
      if (typeof name !== 'string' || name === '' || name.includes('::')) throw new Error('group(): the name must be a non-empty string without "::"');
      if (typeof fn !== 'function') throw new TypeError('group(): the second argument must be a function');
      const parent = vu.groupPath;
      const path = `${parent}::${name}`;
      vu.setGroup(path);
      const start = epochMs();
      try {
        return fn();
      } finally {
        // An async function's work after its first await is not in the group (as in k6).
        vu.backend.emit('group_duration', epochMs() - start, { group: path });
        vu.setGroup(parent);
      }
    },
    sleep(seconds: number): void {
      if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) throw new TypeError(`sleep(): expected seconds ≥ 0, got ${String(seconds)}`);
      if (vu.phase === 'init') throw new Error('sleep() cannot be called in the init context');
      vu.backend.sleepSync(seconds * 1000);
    },
    fail(message?: string): never {
      throw new Error(message ?? 'fail() called');
    },
    randomSeed(seed: number): void {
      const random = seededRandom(Math.trunc(Number(seed)) >>> 0);
      vu.math.random = random;
    },
  };
  return { ...k6, default: k6 };
}

export function stringTags(tags: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags)) {
    if (v === null || v === undefined || typeof v === 'object') throw new TypeError(`tag "${k}": a tag value must be a string, number or boolean`);
    out[k] = String(v);
  }
  return out;
}

/** sfc32: small, fast and good enough for test data (k6's randomSeed makes Math.random repeatable). */
function seededRandom(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed ^ 0xdeadbeef;
  const next = () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}
