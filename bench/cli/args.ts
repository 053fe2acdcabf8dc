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

/** `1,2,4` → [1, 2, 4]. */
export function intListArg(min: number): (value: string) => number[] {
  const one = intArg(min);
  return (value) => {
    try {
      return value.split(',').map((part) => one(part.trim()));
    } catch {
      throw new InvalidArgumentError(`expected comma-separated integers ≥ ${min}, e.g. 1,2`);
    }
  };
}

export function numberListArg(min: number): (value: string) => number[] {
  const one = numberArg(min, { exclusive: true });
  return (value) => {
    try {
      return value.split(',').map((part) => one(part.trim()));
    } catch {
      throw new InvalidArgumentError(`expected comma-separated numbers > ${min}, e.g. 5,10`);
    }
  };
}
