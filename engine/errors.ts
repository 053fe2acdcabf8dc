/**
 * The engine's exit codes (k6's, where k6 has one) and the typed errors that carry them. They are
 * kernel errors (kernel/errors.ts): thrown deep and turned into exit codes and `error:` lines in one
 * place, kernel/cli.ts `exitCodeFor`, called by engine/cli.ts.
 */
import { UsageError as KernelUsageError } from '../kernel/errors.ts';

export const EXIT = {
  ok: 0,
  /** Unknown flag or missing argument. */
  usage: 2,
  /** One or more thresholds crossed (also when abortOnFail stopped the test). */
  thresholds: 99,
  /** setup() did not finish within setupTimeout. */
  setupTimeout: 100,
  /** Bad options, flags or `-e` values. */
  invalidConfig: 104,
  /** SIGINT/SIGTERM/SIGHUP stopped the test; the summary and samples were still written. */
  externalAbort: 105,
  /** An exception in the init context, setup, teardown or handleSummary. */
  scriptError: 107,
  /** The script called `exec.test.abort()`. */
  scriptAborted: 108,
  /** The script called `exec.test.fail()`: the test ran to its end and is marked failed. */
  testFailed: 110,
} as const;

/** An error with a k6 exit code; kernel/cli.ts prints each line of its message as an `error:` line. */
export class EngineError extends Error {
  override name = 'EngineError';
  constructor(
    message: string,
    readonly exitCode: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Flag syntax: an unknown flag, a missing value or script path. Exit 2 (the kernel's usage error). */
export class UsageError extends KernelUsageError {}

/** Options, flags or `-e` values that k6 would reject, or that this engine does not support. Exit 104. */
export class ConfigError extends EngineError {
  override name = 'ConfigError';
  /** One message per bad field; each becomes an `error:` line. */
  readonly problems: string[];
  constructor(problems: string | string[]) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(list.join('\n'), EXIT.invalidConfig);
    this.problems = list;
  }
}

/** An exception thrown by the script outside an iteration (init, setup, teardown, handleSummary). Exit 107. */
export class ScriptError extends EngineError {
  override name = 'ScriptError';
  /** What the script threw (its file:line first), without the `script error:` prefix. */
  readonly detail: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(`script error: ${message}`, EXIT.scriptError, options);
    this.detail = message;
  }
}

export { errorMessage as errorText } from '../kernel/errors.ts';
