/**
 * Typed errors, thrown deep and turned into exit codes in one place (kernel/cli.ts `runCli`).
 * The message says what to do next; `cause` is always kept.
 */

/** Exit codes shared by every command. */
export const EXIT = {
  ok: 0,
  /** A regression beyond the threshold (nightly), or a failed check (doctor). */
  regression: 1,
  /** Bad input or the run could not happen: usage, config, environment. */
  usage: 2,
  /** Interrupted by SIGINT/SIGTERM; everything gathered so far was kept. */
  interrupted: 130,
} as const;

/** Bad input from the user: a flag, a file, an env value. Exit code 2, one line, no stack. */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly exitCode: number = EXIT.usage;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The environment cannot run the job: a missing binary, a port in use, an unreachable host. Exit 2. */
export class EnvironmentError extends UsageError {
  override name = 'EnvironmentError';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
