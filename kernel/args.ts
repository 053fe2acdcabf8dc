import { InvalidArgumentError, type Option } from 'commander';
import { parseDurationMs } from './duration.ts';

/**
 * The one set of command-line value parsers (commander argParsers) for every command of the project:
 * a bad value becomes commander's one-line error and exit code 2, naming the flag and what it takes.
 */

export function intArg(min: number, max: number = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || n < min || n > max) {
      throw new InvalidArgumentError(
        max === Number.MAX_SAFE_INTEGER ? `expected an integer ≥ ${min}, got "${value}"` : `expected an integer ${min}–${max}, got "${value}"`,
      );
    }
    return n;
  };
}

export function numberArg(min: number, options: { exclusive?: boolean } = {}): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || (options.exclusive ? n <= min : n < min)) {
      throw new InvalidArgumentError(`expected a number ${options.exclusive ? '>' : '≥'} ${min}, got "${value}"`);
    }
    return n;
  };
}

/** A probability strictly between 0 and 1 (a significance level). */
export function probabilityArg(): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !(n > 0 && n < 1)) throw new InvalidArgumentError(`expected a number between 0 and 1, got "${value}"`);
    return n;
  };
}

/**
 * A duration as k6 writes it (500ms, 2s, 1m30s; kernel/duration.ts), in milliseconds. `bareUnit`
 * keeps a flag's older form working: a plain number in the unit the flag used to take.
 */
export function durationArg(options: { bareUnit?: 'ms' | 's'; min?: number } = {}): (value: string) => number {
  return (value) => {
    const ms = parseDurationMs(value, options.bareUnit);
    const bare = options.bareUnit ? `; a bare number is ${options.bareUnit === 's' ? 'seconds' : 'milliseconds'}` : '';
    if (ms === null) throw new InvalidArgumentError(`expected a duration such as 500ms, 2s or 1m30s${bare}, got "${value}"`);
    if (ms < (options.min ?? 0)) throw new InvalidArgumentError(`expected a duration of at least ${options.min} ms, got "${value}"`);
    return ms;
  };
}

/** A comma-separated list, each item parsed by `item`. */
export function listArg<T>(item: (value: string) => T): (value: string) => T[] {
  return (value) => value.split(',').map((part) => item(part.trim()));
}

/** A repeatable `KEY=VALUE` flag, collected into one record (later wins). */
export function keyValueArg(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const i = value.indexOf('=');
  if (i <= 0) throw new InvalidArgumentError(`expected KEY=VALUE, got "${value}"`);
  return { ...previous, [value.slice(0, i)]: value.slice(i + 1) };
}

const REPEATABLE = Symbol('repeatable');

/** Marks an option that may be given several times (kernel/cli.ts refuses repeats of any other). */
export function repeatable<T extends Option>(option: T): T {
  (option as T & { [REPEATABLE]?: boolean })[REPEATABLE] = true;
  return option;
}

export function isRepeatable(option: Option): boolean {
  return (option as Option & { [REPEATABLE]?: boolean })[REPEATABLE] === true || option.variadic;
}
