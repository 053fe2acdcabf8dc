import { InvalidArgumentError } from 'commander';

/** Commander argument parsers: a bad value becomes commander's one-line error and exit code 2. */

export function intArg(min: number, max: number = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || n < min || n > max) {
      throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `expected an integer ≥ ${min}` : `expected an integer ${min}–${max}`);
    }
    return n;
  };
}

export function numberArg(min: number, options: { exclusive?: boolean } = {}): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || (options.exclusive ? n <= min : n < min)) {
      throw new InvalidArgumentError(`expected a number ${options.exclusive ? '>' : '≥'} ${min}`);
    }
    return n;
  };
}

/** A probability strictly between 0 and 1 (a significance level). */
export function probabilityArg(): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !(n > 0 && n < 1)) throw new InvalidArgumentError('expected a number between 0 and 1');
    return n;
  };
}
