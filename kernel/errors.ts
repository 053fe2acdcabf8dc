/**
 * Typed errors, thrown deep and turned into exit codes in one place (kernel/cli.ts `runCli`).
 * The message says what to do next; `cause` is always kept.
 */

/** Exit codes shared by every command. */
export const EXIT = {
  ok: 0,
  /** A regression beyond the threshold (nightly), or a failed check (doctor). */
  regression: 1,
  /** Bad input or the run could not happen: usage, config, environment, a file that cannot be written. */
  usage: 2,
  /** The run completed, but at least one point failed (its generator crashed, wrote nothing, or its target went down). */
  failedPoints: 3,
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

/** The user stopped the command (Ctrl-C, SIGTERM, SIGHUP) after it kept what it had. Exit 130, one line. */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
  readonly exitCode: number = EXIT.interrupted;
}

/**
 * A file the tool reads (a run directory's, a generator's output, a sampler's) does not hold what its
 * contract says. The message names the file and the line or field. Readers that can go on turn it
 * into a warning; a command that cannot exits 2.
 */
export class DataError extends UsageError {
  override name = 'DataError';
  constructor(
    readonly where: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${where}: ${problem}`, options);
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
