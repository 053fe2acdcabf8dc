import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

/**
 * Child-process supervision (node builtins only).
 *
 * - Every child starts in a process group of its own (`setsid`), so the terminal's Ctrl-C reaches
 *   the supervising process only; it forwards one signal per group when it stops them.
 * - Every child dies with the supervising process, even when that one is SIGKILLed: a tiny
 *   watcher (`sh`, in a group of its own, deaf to INT/TERM/HUP) reads the live groups from a
 *   pipe; the pipe's end-of-file (the parent is gone, whatever the cause) makes it signal each
 *   group still registered, wait `graceMs`, then SIGKILL them.
 * - `stop()` stops children in the reverse order of their start: the child's stop signal to its
 *   group, then SIGKILL to the group after its timeout.
 */

export interface ChildSpec {
  /** Shown in messages and logs. */
  name: string;
  command: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
  /** Where stdout and stderr go: a file (appended), 'inherit', 'pipe' (read them from `child`), or 'ignore' (the default). */
  output?: string | 'inherit' | 'ignore' | 'pipe';
  /** Graceful stop signal (default SIGTERM; postgres wants SIGINT for a fast shutdown). */
  stopSignal?: NodeJS.Signals;
  /** How long a graceful stop may take before SIGKILL (default 5000 ms). */
  stopTimeoutMs?: number;
}

export interface Supervised {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or 128 + signal number) when the child exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly running: boolean;
  /** Sends `signal` to the child's process group (a no-op once it has exited). */
  signal(signal: NodeJS.Signals): void;
  /**
   * Sends `signal` to the child alone, for a child that stops its own children in order (the load
   * generator: a helper it started, hit by a group signal, would die before the summary is written).
   */
  signalLeader(signal: NodeJS.Signals): void;
}

export interface SupervisorOptions {
  /** Called when a child exits on its own (not during stop()). */
  onUnexpectedExit?: (child: Supervised, code: number | null, signal: NodeJS.Signals | null) => void;
  /** How long the watcher waits between the stop signal and SIGKILL once the parent is gone. */
  graceMs?: number;
}

// A group is registered as "+PGID SIGNAL" and dropped as "-PGID". On EOF each group still
// registered gets its signal (dash's kill takes neither `--` nor `-s NAME -PGID`: `kill -NAME -PGID`), then, after the grace, SIGKILL. Ignores the signals a terminal or
// a killed session would send, so it always outlives the parent long enough.
const WATCHER = `
trap '' INT TERM HUP QUIT
all=
while IFS=' ' read -r op sig; do
  case $op in
    +[0-9]*) id=\${op#+}; eval "g_$id=$sig"; all="$all $id" ;;
    -[0-9]*) id=\${op#-}; eval "g_$id=" ;;
  esac
done
live=
for id in $all; do
  eval "s=\\$g_$id"
  if [ -n "$s" ] && kill -0 "-$id" 2>/dev/null; then kill "-$s" "-$id" 2>/dev/null; live="$live $id"; fi
done
[ -z "$live" ] && exit 0
i=0
while [ $i -lt $1 ]; do
  left=
  for id in $live; do kill -0 "-$id" 2>/dev/null && left="$left $id"; done
  [ -z "$left" ] && exit 0
  live=$left
  sleep 0.1
  i=$((i + 1))
done
for id in $live; do kill -KILL "-$id" 2>/dev/null; done
exit 0
`;

interface Entry extends Supervised {
  spec: ChildSpec;
  stopping: boolean;
  alive: boolean;
}

export class Supervisor {
  private readonly entries: Entry[] = [];
  private watcher: ChildProcess | undefined;
  private closed = false;
  private readonly options: SupervisorOptions;

  constructor(options: SupervisorOptions = {}) {
    this.options = options;
  }

  /** Children started and not yet exited, in start order. */
  get children(): Supervised[] {
    return this.entries.filter((entry) => entry.alive);
  }

  private ensureWatcher(): ChildProcess {
    if (this.watcher) return this.watcher;
    const tenths = Math.max(1, Math.round((this.options.graceMs ?? 3000) / 100));
    const watcher = spawn('/bin/sh', ['-c', WATCHER, 'supervise-watcher', String(tenths)], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    watcher.unref();
    // The pipe must not keep our event loop alive, nor an error on it crash us.
    const stdin = watcher.stdin!;
    stdin.on('error', () => undefined);
    (stdin as unknown as { unref?: () => void }).unref?.();
    this.watcher = watcher;
    return watcher;
  }

  private tell(line: string): void {
    const stdin = this.watcher?.stdin;
    if (stdin && !stdin.destroyed) stdin.write(`${line}\n`);
  }

  /** Starts one child in a process group of its own, registered with the watcher. */
  start(spec: ChildSpec): Supervised {
    if (this.closed) throw new Error(`supervisor is stopped: cannot start ${spec.name}`);
    this.ensureWatcher();
    let output: 'inherit' | 'ignore' | 'pipe' | number = 'ignore';
    let fd: number | undefined;
    if (spec.output === 'inherit' || spec.output === 'pipe') output = spec.output;
    else if (spec.output && spec.output !== 'ignore') output = fd = openSync(spec.output, 'a');
    const child = spawn(spec.command, spec.args ?? [], {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      uid: spec.uid,
      gid: spec.gid,
      detached: true,
      stdio: ['ignore', output, output],
    });
    if (fd !== undefined) closeSync(fd);
    const entry = { spec, child, name: spec.name, pid: child.pid ?? -1, stopping: false, alive: child.pid !== undefined } as Entry;
    Object.defineProperty(entry, 'running', { get: () => entry.alive });
    entry.signal = (signal) => {
      if (entry.alive) killGroup(entry.pid, signal);
    };
    entry.signalLeader = (signal) => {
      if (!entry.alive) return;
      try {
        process.kill(entry.pid, signal);
      } catch {
        // Already gone.
      }
    };
    (entry as { exited: Supervised['exited'] }).exited = new Promise((resolve) => {
      const done = (code: number | null, signal: NodeJS.Signals | null) => {
        if (!entry.alive && entry.pid !== -1) return;
        entry.alive = false;
        // Its group may live on (a grandchild): keep it registered and listed until that is gone.
        if (!groupAlive(entry.pid)) {
          this.tell(`-${entry.pid}`);
          if (!entry.stopping) this.forget(entry);
        }
        if (!entry.stopping && !this.closed) this.options.onUnexpectedExit?.(entry, code, signal);
        resolve({ code, signal });
      };
      child.once('exit', done);
      child.once('error', (error) => {
        entry.alive = false;
        if (!entry.stopping && !this.closed) this.options.onUnexpectedExit?.(entry, null, null);
        resolve({ code: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 127 : 126, signal: null });
      });
    });
    if (entry.pid !== -1) this.tell(`+${entry.pid} ${(spec.stopSignal ?? 'SIGTERM').replace(/^SIG/, '')}`);
    this.entries.push(entry);
    return entry;
  }

  /** Stops one child: its stop signal to its group, then SIGKILL to the group after its timeout. */
  async stopChild(target: Supervised): Promise<void> {
    const entry = this.entries.find((candidate) => candidate === target);
    if (!entry) return;
    entry.stopping = true;
    if (!entry.alive) {
      killGroup(entry.pid, 'SIGKILL');
      this.tell(`-${entry.pid}`);
      this.forget(entry);
      return;
    }
    killGroup(entry.pid, entry.spec.stopSignal ?? 'SIGTERM');
    const timeoutMs = entry.spec.stopTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        killGroup(entry.pid, 'SIGKILL');
        resolve();
      }, timeoutMs);
    });
    await Promise.race([entry.exited, killed]);
    clearTimeout(timer);
    await entry.exited;
    // The leader is gone; whatever it left in its group goes too.
    killGroup(entry.pid, 'SIGKILL');
    this.tell(`-${entry.pid}`);
    this.forget(entry);
  }

  private forget(entry: Entry): void {
    const index = this.entries.indexOf(entry);
    if (index >= 0) this.entries.splice(index, 1);
  }

  /** Stops every child, last started first; then the watcher ends with nothing to kill. */
  async stop(): Promise<void> {
    this.closed = true;
    for (const entry of [...this.entries].reverse()) await this.stopChild(entry);
    const watcher = this.watcher;
    this.watcher = undefined;
    watcher?.stdin?.end();
  }
}

let shared: Supervisor | undefined;

/**
 * The process's own supervisor, for children started anywhere in it (a bench's shop, generators and
 * samplers): one watcher for all of them. Each owner stops its own children; whatever is left when
 * the process ends, however it ends, the watcher stops.
 */
export function processSupervisor(): Supervisor {
  shared ??= new Supervisor();
  return shared;
}

function groupAlive(pgid: number): boolean {
  if (pgid <= 0) return false;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  if (pgid <= 0) return;
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group is gone.
  }
}
