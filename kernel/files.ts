import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { EnvironmentError } from './errors.ts';

/**
 * Files written whole or not at all: the bytes go to a temporary file beside the target, are synced,
 * then a rename puts them in place, so a crash or a full disk leaves the old file or none, never half
 * of one; the temporary file is removed when anything fails. A file-system error that the user can
 * fix (full disk, permissions, read-only, a file where a folder should be) becomes an OutputError:
 * one line naming the path and the fix, exit code 2.
 */

/** What to do about each file-system error a user can fix. */
const FIXES: Record<string, string> = {
  ENOSPC: 'no space left on the device: free space there, or write somewhere else',
  EDQUOT: 'disk quota exceeded: free space there, or write somewhere else',
  EACCES: 'permission denied: give yourself write access to it, or write somewhere else',
  EPERM: 'operation not permitted (an immutable or protected file?): clear that, or write somewhere else',
  EROFS: 'the file system is read-only: write somewhere else',
  ENOTDIR: 'a part of the path is a file, not a folder: move the file away, or write somewhere else',
  EEXIST: 'a file is in the way of a folder: move it away, or write somewhere else',
  EISDIR: 'a folder is in the way of a file: move it away, or write somewhere else',
};

/** A file the tool must write (or a folder it must create) cannot be: the path and the fix. Exit 2. */
export class OutputError extends EnvironmentError {
  override name = 'OutputError';
  constructor(
    readonly path: string,
    readonly code: string,
    options?: { cause?: unknown; where?: string },
  ) {
    super(`cannot write ${path}${options?.where ? ` (${options.where})` : ''}: ${FIXES[code] ?? code} (${code})`, options);
  }
}

const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;

/** The error as an OutputError when it is one a user can fix, else itself. */
export function outputError(error: unknown, path: string): unknown {
  if (error instanceof OutputError) return error;
  const code = codeOf(error);
  return code && code in FIXES ? new OutputError(path, code, { cause: error }) : error;
}

/** Whether an error (or an OutputError's cause) says the disk is full. */
export function isDiskFull(error: unknown): boolean {
  const code = error instanceof OutputError ? error.code : codeOf(error);
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** The temporary name `writeFileAtomic` uses beside `path`; readers skip names like it. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`);
}

/** Writes `data` to `path` whole or not at all (temp file, sync, rename); the temp file never stays. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    const file = await open(tmp, 'wx');
    try {
      await file.writeFile(data);
      await file.datasync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw outputError(error, path);
  }
}

export async function writeJsonAtomic(path: string, data: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(data, null, 2)}\n`);
}

/** `mkdir -p`, with the errors a user can fix as OutputErrors. */
export async function makeDir(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
  } catch (error) {
    throw outputError((error as NodeJS.ErrnoException).code === 'ENOENT' ? await mkdirCause(path, error) : error, path);
  }
}

/**
 * Node's recursive mkdir says ENOENT when the real cause is a read-only file system or a missing
 * permission above the new folder; a plain mkdir of the first missing folder tells the truth.
 */
async function mkdirCause(path: string, error: unknown): Promise<unknown> {
  let missing = resolve(path);
  while (dirname(missing) !== missing && !(await pathExists(dirname(missing)))) missing = dirname(missing);
  try {
    await mkdir(missing);
    await rm(missing, { recursive: true, force: true });
  } catch (cause) {
    return cause;
  }
  return error;
}

/**
 * Checks up front that `dir` can take output: creates it when missing, then writes and removes a
 * small file in it. `what` names the flag in the message (e.g. `--results`).
 */
export async function assertWritableDir(dir: string, what: string): Promise<void> {
  try {
    await makeDir(dir);
    await writeFileAtomic(join(dir, '.write-check'), 'ok\n');
    await rm(join(dir, '.write-check'), { force: true });
  } catch (error) {
    const mapped = outputError(error, dir);
    if (mapped instanceof OutputError) throw new OutputError(mapped.path, mapped.code, { cause: error, where: what });
    throw mapped;
  }
}

/** Parses a JSON file; the caller says what it holds (no check beyond JSON syntax). */
export async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

export async function pathExists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
