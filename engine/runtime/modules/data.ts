/**
 * `k6/data`: SharedArray. Its function runs once, in the first init (on the main thread); every
 * thread then parses that one JSON copy once and its VUs share the frozen result, read-only as in k6.
 */
import type { VuRuntime } from '../vu.ts';

export function createData(vu: VuRuntime): Record<string, unknown> {
  function SharedArray(this: unknown, name: unknown, fn: unknown): unknown {
    if (new.target === undefined) throw new TypeError('SharedArray must be called with new');
    if (vu.phase !== 'init') throw new Error('new SharedArray() can only be called in the init context');
    if (typeof name !== 'string' || name === '') throw new TypeError('SharedArray: the name must be a non-empty string');
    if (typeof fn !== 'function') throw new TypeError('SharedArray: the second argument must be a function returning an array');
    const cached = vu.shared.arrays.get(name);
    if (cached) return cached;
    let json = vu.config.sharedArrays[name];
    if (json === undefined) {
      const value = (fn as () => unknown)();
      if (!Array.isArray(value)) throw new TypeError(`SharedArray "${name}": the function must return an array`);
      json = JSON.stringify(value);
      vu.shared.computed.set(name, json);
    }
    const array = deepFreeze(JSON.parse(json) as unknown[]);
    vu.shared.arrays.set(name, array);
    return array;
  }
  return { SharedArray, default: { SharedArray } };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
