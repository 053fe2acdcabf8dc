import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { EnvironmentError } from '../kernel/errors.ts';
import { outputError } from '../kernel/files.ts';
import { pidAlive } from '../kernel/process.ts';
import { lockPath } from './layout.ts';
import { statFields } from '../kernel/process.ts';

/**
 * One writer per run directory. `bench run` and `bench resume` hold `writer.lock` (pid, host, start
 * time) while they write; a second writer is refused with the holder's name and touches nothing. A
 * lock whose process is gone (same host: no such pid, or a pid reused by another process) is stale
 * and taken over with a warning, so a run killed by SIGKILL can be resumed.
 */

export interface LockHolder {
  pid: number;
  host: string;
  /** When the holder took the lock, ISO 8601. */
  startedAt: string;
  /** The holder's start time in clock ticks since boot (/proc/<pid>/stat field 22), to tell a reused pid apart. */
  procStart?: number | null;
  command?: string;
}

/** Another process writes this run directory. Exit 2; nothing was changed. */
export class RunLockedError extends EnvironmentError {
  override name = 'RunLockedError';
  constructor(
    readonly runDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `${runDir} is being written by pid ${holder.pid} on ${holder.host} since ${holder.startedAt}${holder.command ? ` (${holder.command})` : ''}: wait for it to end, or stop it (Ctrl-C) and try again`,
    );
  }
}

async function procStartOf(pid: number): Promise<number | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (!stat) return null;
  const start = Number(statFields(stat)?.[19]);
  return Number.isFinite(start) ? start : null;
}

/** Whether the holder still runs; a holder on another host is taken to (its pid cannot be checked). */
export async function holderAlive(holder: LockHolder): Promise<boolean> {
  if (holder.host !== hostname()) return true;
  if (!pidAlive(holder.pid)) return false;
  if (typeof holder.procStart === 'number') {
    const now = await procStartOf(holder.pid);
    if (now !== null && now !== holder.procStart) return false;
  }
  return true;
}

function parseHolder(text: string | null): LockHolder | null {
  if (!text) return null;
  try {
    const data = JSON.parse(text) as Partial<LockHolder> | null;
    if (data && typeof data.pid === 'number' && typeof data.host === 'string' && typeof data.startedAt === 'string') return data as LockHolder;
  } catch {
    // A lock cut short while it was written: no holder to name.
  }
  return null;
}

/** The lock's holder, or null when the run directory has no lock (or one that names nobody). */
export async function readLock(runDir: string): Promise<LockHolder | null> {
  return parseHolder(await readFile(lockPath(runDir), 'utf8').catch(() => null));
}

/** The live holder of a run directory's lock, or null when nobody writes it. */
export async function liveWriter(runDir: string): Promise<LockHolder | null> {
  const holder = await readLock(runDir);
  return holder && (await holderAlive(holder)) ? holder : null;
}

export interface RunLock {
  readonly holder: LockHolder;
  /** Removes the lock, if it is still ours. */
  release(): Promise<void>;
}

/** Takes the run directory's lock, or throws RunLockedError; `warn` hears about a stale lock taken over. */
export async function acquireRunLock(runDir: string, warn: (message: string) => void, command = ''): Promise<RunLock> {
  const path = lockPath(runDir);
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    procStart: await procStartOf(process.pid),
    ...(command ? { command } : {}),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const file = await open(path, 'wx');
      try {
        await file.writeFile(`${JSON.stringify(holder)}\n`);
      } finally {
        await file.close();
      }
      return {
        holder,
        async release() {
          const now = await readLock(runDir);
          if (now && now.pid === holder.pid && now.startedAt === holder.startedAt) await rm(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw outputError(error, path);
    }
    const text = await readFile(path, 'utf8').catch(() => null);
    if (text === null) continue; // released meanwhile: try again
    const other = parseHolder(text);
    if (other && (await holderAlive(other))) throw new RunLockedError(runDir, other);
    // Stale: move it aside under a name of our own, check that what we moved is what we judged
    // (not a lock another writer took meanwhile), and try again.
    const aside = `${path}.stale-${randomBytes(3).toString('hex')}`;
    try {
      await rename(path, aside);
    } catch {
      continue;
    }
    const moved = await readFile(aside, 'utf8').catch(() => null);
    if (moved !== text) {
      await rename(aside, path).catch(() => undefined);
      const now = parseHolder(moved);
      if (now) throw new RunLockedError(runDir, now);
      continue;
    }
    await rm(aside, { force: true });
    warn(
      other
        ? `${runDir}: taking over the lock of pid ${other.pid} on ${other.host} (since ${other.startedAt}), which is no longer running`
        : `${runDir}: taking over an unreadable lock file (a writer that crashed while taking it)`,
    );
  }
  const last = await readLock(runDir);
  throw last ? new RunLockedError(runDir, last) : new EnvironmentError(`${runDir}: could not take the lock ${path}; try again`);
}
