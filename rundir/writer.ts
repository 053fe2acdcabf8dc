import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, EnvironmentError, errorMessage } from '../kernel/errors.ts';
import { isDiskFull, makeDir, outputError, writeJsonAtomic } from '../kernel/files.ts';
import type { RunEvent, RunEventBody } from './events.ts';
import { ATTEMPTS_DIR, attemptPath, manifestPath, type PointFile, pointFilePath, pointPath, pointsPath, reservePath } from './layout.ts';
import { acquireRunLock, type RunLock } from './lock.ts';
import { type NdjsonWriter, openNdjsonWriter } from './ndjson.ts';
import { listPoints, readPointResult } from './reader.ts';
import { type Manifest, type PointResult, type PointSpec, SCHEMA_VERSION } from './types.ts';

/**
 * The typed writer of run directories, the source of truth. Files are written whole and renamed
 * into place, and a point's folder appears under its final name only when the point ends, so a
 * crash or Ctrl-C never leaves a half-written file or point that looks finished. One writer at a
 * time: the writer holds the run directory's lock (./lock.ts) from create/open to finish/close, and
 * a few hundred KiB of reserve so a full disk can still be recorded as the run's failure.
 */

export function newRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

/** One point while it runs, in `points/<pointId>.partial/`. */
export interface PointWriter {
  readonly runId: string;
  readonly pointId: string;
  /** The folder the point writes into while it runs. */
  readonly dir: string;
  /** The path of one of the point's files, e.g. `path('k6Samples')`. */
  path(file: PointFile): string;
  /** Where that file is once the point has ended (what a message should name). */
  finalPath(file: PointFile): string;
  /** Appends an event to events.ndjson, stamped with the time and the point. */
  event(body: RunEventBody): void;
  /** Appends an event that already has its time (a sampler's), stamped with the point. */
  record(event: RunEvent): void;
  /**
   * Writes spec.json (once, now that the target's URLs are known) and result.json, closes the
   * events, and moves the folder to its final name, even when the point was interrupted or failed.
   */
  finish(spec: PointSpec, result: PointResult): Promise<string>;
}

/** Space the writer keeps free for its last writes (a point's spec and result, the manifest) should the disk fill. */
export const RESERVE_BYTES = 256 * 1024;

export interface OpenOptions {
  /** Hears about a stale lock taken over. */
  warn?: (message: string) => void;
  /** The command line, recorded in the lock so a second writer can name it. */
  command?: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** manifest.json of an existing run, checked for what a writer relies on; a DataError (exit 2) otherwise. */
export async function readManifestForWriting(dir: string): Promise<Manifest> {
  const path = manifestPath(dir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataError(
      path,
      code === 'ENOENT' ? 'missing: this is not a run directory (results/<runId>/)' : `cannot be read (${code ?? errorMessage(error)})`,
      {
        cause: error,
      },
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new DataError(path, `not JSON (${(error as Error).message}); the run cannot be resumed, but \`bench report\` still reads its points`, {
      cause: error,
    });
  }
  if (!isRecord(data)) throw new DataError(path, `expected a run manifest (a JSON object), found ${data === null ? 'null' : typeof data}`);
  for (const [field, ok] of [
    ['runId', typeof data.runId === 'string' && data.runId !== ''],
    ['plannedPoints', Array.isArray(data.plannedPoints) && data.plannedPoints.every((p) => typeof p === 'string')],
    ['config', isRecord(data.config)],
    ['status', typeof data.status === 'string'],
  ] as const)
    if (!ok) throw new DataError(path, `${field}: missing or of the wrong type; the run cannot be resumed`);
  return data as unknown as Manifest;
}

export class RunDir {
  private finished = false;
  /** The first write that found the disk full (the reserve then went); the run must stop. */
  diskFull: unknown = null;

  private constructor(
    readonly dir: string,
    public manifest: Manifest,
    private readonly lock: RunLock,
  ) {}

  /** Creates `<root>/<runId>/` and takes its lock; an existing directory is an error, never overwritten. */
  static async create(root: string, manifest: Omit<Manifest, 'schemaVersion'>, options: OpenOptions = {}): Promise<RunDir> {
    await makeDir(root);
    const dir = join(root, manifest.runId);
    try {
      await mkdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST')
        throw new EnvironmentError(`run directory ${dir} already exists; results are never overwritten`, { cause: error });
      throw outputError(error, dir);
    }
    const lock = await acquireRunLock(dir, options.warn ?? (() => undefined), options.command);
    const run = new RunDir(dir, { schemaVersion: SCHEMA_VERSION, ...manifest }, lock);
    try {
      await makeDir(pointsPath(dir));
      await run.keepReserve();
      await run.saveManifest();
    } catch (error) {
      await run.close();
      throw error;
    }
    return run;
  }

  /**
   * An existing run directory, for `bench resume`: its manifest is checked, then its lock taken (a
   * live writer → RunLockedError, and nothing is touched), then the manifest read again.
   */
  static async open(dir: string, options: OpenOptions = {}): Promise<RunDir> {
    await readManifestForWriting(dir);
    const lock = await acquireRunLock(dir, options.warn ?? (() => undefined), options.command);
    try {
      const run = new RunDir(dir, await readManifestForWriting(dir), lock);
      await run.keepReserve();
      return run;
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  /** Sets aside RESERVE_BYTES; without room for it there is nothing to free later, which is no error. */
  private async keepReserve(): Promise<void> {
    await writeFile(reservePath(this.dir), Buffer.alloc(RESERVE_BYTES)).catch(() => rm(reservePath(this.dir), { force: true }).catch(() => undefined));
  }

  /**
   * Runs a write; when the disk is full, frees the reserve and tries once more, so the failure itself
   * can still be recorded (a point's result, the manifest's status).
   */
  async withReserve<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (!isDiskFull(error)) throw error;
      this.diskFull ??= error;
      await rm(reservePath(this.dir), { force: true });
      return write();
    }
  }

  async updateManifest(patch: Partial<Manifest>): Promise<void> {
    this.manifest = { ...this.manifest, ...patch };
    await this.withReserve(() => this.saveManifest());
  }

  private saveManifest(): Promise<void> {
    return writeJsonAtomic(manifestPath(this.dir), this.manifest);
  }

  /** The last write of this writer: the manifest's final fields; then the reserve and the lock go. */
  async finish(patch: Partial<Manifest>): Promise<void> {
    try {
      await this.updateManifest(patch);
    } finally {
      await this.close();
    }
  }

  /** Lets go of the run directory (reserve, lock); safe to call twice. */
  async close(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await rm(reservePath(this.dir), { force: true }).catch(() => undefined);
    await this.lock.release().catch(() => undefined);
  }

  async startPoint(pointId: string): Promise<PointWriter> {
    const dir = pointPath(this.dir, pointId, true);
    await makeDir(dir);
    const events: NdjsonWriter<RunEvent> = await openNdjsonWriter<RunEvent>(pointFilePath(dir, 'events'));
    return {
      runId: this.manifest.runId,
      pointId,
      dir,
      path: (file) => pointFilePath(dir, file),
      finalPath: (file) => pointFilePath(pointPath(this.dir, pointId), file),
      event: (body) => events.append({ timeMs: Date.now(), pointId, ...body } as RunEvent),
      record: (event) => events.append({ ...event, pointId }),
      finish: async (spec, result) => {
        // Events that could not be written (a full disk) fail the run once the point is on disk.
        let eventsError: unknown = null;
        await events.close().catch((error: unknown) => {
          eventsError = error;
        });
        await this.withReserve(() => writeJsonAtomic(pointFilePath(dir, 'spec'), spec));
        await this.withReserve(() => writeJsonAtomic(pointFilePath(dir, 'result'), result));
        const final = pointPath(this.dir, pointId);
        try {
          await rename(dir, final);
        } catch (error) {
          throw outputError(error, final);
        }
        if (eventsError) throw eventsError;
        return final;
      },
    };
  }

  /**
   * For `bench resume`: the ids of complete points. Anything else (interrupted, failed, or a
   * `.partial` folder left by a crash) is moved to `attempts/` — kept, never deleted — so the
   * point can run again under its own name.
   */
  async setAsideUnfinished(): Promise<Set<string>> {
    const complete = new Set<string>();
    for (const point of await listPoints(this.dir)) {
      const result = point.partial ? null : await readPointResult(point.dir);
      if (result?.status === 'complete') {
        complete.add(point.id);
        continue;
      }
      await makeDir(join(this.dir, ATTEMPTS_DIR));
      const aside = attemptPath(this.dir, point.id, Date.now());
      try {
        await rename(point.dir, aside);
      } catch (error) {
        throw outputError(error, aside);
      }
    }
    return complete;
  }
}
