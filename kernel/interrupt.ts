/**
 * Ctrl-C, SIGTERM and SIGHUP as one user action, the same whether the signal reached this process
 * alone or its whole process group (a terminal's Ctrl-C, systemd's KillMode=control-group, `timeout`).
 *
 * - The first signal asks for a graceful stop (`stopping` aborts).
 * - A copy within `repeatMs` is the same action: wrappers re-send what they got (npm forwards it to
 *   its child, tsx re-sends it about 35 ms later), and a group signal arrives beside the forwarded one.
 * - A later signal is the user insisting: `forced` aborts (stop now, still record what can be).
 * - A third exits at once with `exitCode`; whatever children are left, their supervisor's watcher ends.
 *
 * Writes to a terminal that hung up fail (EIO, EPIPE): those errors are ignored from here on, so
 * finishing the work is not cut short by a progress line.
 */

export interface Interrupts {
  /** Aborted at the first signal, with the signal's name as the reason. */
  readonly stopping: AbortSignal;
  /** Aborted at a second signal that came later than `repeatMs` after the first. */
  readonly forced: AbortSignal;
  /** The first signal's name, once there was one. */
  readonly signal: NodeJS.Signals | null;
  /** Stops listening (the default actions come back). */
  dispose(): void;
}

export interface InterruptOptions {
  signals?: NodeJS.Signals[];
  /** A repeat within this many ms counts as the same signal. Default 500. */
  repeatMs?: number;
  onStop?(signal: NodeJS.Signals): void;
  onForce?(signal: NodeJS.Signals): void;
  /** Exit code of the third signal. Default 130. */
  exitCode?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export const INTERRUPT_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
export const REPEAT_MS = 500;

const ignore = () => undefined;

export function onInterrupt(options: InterruptOptions = {}): Interrupts {
  const signals = options.signals ?? INTERRUPT_SIGNALS;
  const repeatMs = options.repeatMs ?? REPEAT_MS;
  const now = options.now ?? Date.now;
  const stopping = new AbortController();
  const forced = new AbortController();
  let first: NodeJS.Signals | null = null;
  let lastMs = Number.NEGATIVE_INFINITY;
  let count = 0;
  process.stdout.on('error', ignore);
  process.stderr.on('error', ignore);
  const handler = (signal: NodeJS.Signals) => {
    const t = now();
    if (t - lastMs < repeatMs) return;
    lastMs = t;
    count++;
    if (count === 1) {
      first = signal;
      options.onStop?.(signal);
      stopping.abort(signal);
    } else if (count === 2) {
      options.onForce?.(signal);
      forced.abort(signal);
    } else process.exit(options.exitCode ?? 130);
  };
  for (const signal of signals) process.on(signal, handler);
  return {
    stopping: stopping.signal,
    forced: forced.signal,
    get signal() {
      return first;
    },
    dispose() {
      for (const signal of signals) process.off(signal, handler);
      process.stdout.off('error', ignore);
      process.stderr.off('error', ignore);
    },
  };
}
