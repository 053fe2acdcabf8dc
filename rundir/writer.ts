import { randomBytes } from 'node:crypto';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError } from '../kernel/errors.ts';
import { readJson, writeJsonAtomic } from '../kernel/files.ts';
import type { RunEvent, RunEventBody } from './events.ts';
import { ATTEMPTS_DIR, attemptPath, manifestPath, type PointFile, pointFilePath, pointPath, pointsPath } from './layout.ts';
import { type NdjsonWriter, openNdjsonWriter } from './ndjson.ts';
import { listPoints, readPointResult } from './reader.ts';
import { type Manifest, type PointResult, type PointSpec, SCHEMA_VERSION } from './types.ts';

/**
 * The typed writer of run directories, the source of truth. Files are written whole and renamed
 * into place, and a point's folder appears under its final name only when the point ends, so a
 * crash or Ctrl-C never leaves a half-written file or point that looks finished.
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

export class RunDir {
  private constructor(
    readonly dir: string,
    public manifest: Manifest,
  ) {}

  /** Creates `<root>/<runId>/`; an existing directory is an error, never overwritten. */
  static async create(root: string, manifest: Omit<Manifest, 'schemaVersion'>): Promise<RunDir> {
    await mkdir(root, { recursive: true });
    const dir = join(root, manifest.runId);
    try {
      await mkdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST')
        throw new EnvironmentError(`run directory ${dir} already exists; results are never overwritten`, { cause: error });
      throw error;
    }
    await mkdir(pointsPath(dir));
    const run = new RunDir(dir, { schemaVersion: SCHEMA_VERSION, ...manifest });
    await run.saveManifest();
    return run;
  }

  /** An existing run directory, for `bench resume`. */
  static async open(dir: string): Promise<RunDir> {
    return new RunDir(dir, await readJson<Manifest>(manifestPath(dir)));
  }

  async updateManifest(patch: Partial<Manifest>): Promise<void> {
    this.manifest = { ...this.manifest, ...patch };
    await this.saveManifest();
  }

  private saveManifest(): Promise<void> {
    return writeJsonAtomic(manifestPath(this.dir), this.manifest);
  }

  async startPoint(pointId: string): Promise<PointWriter> {
    const dir = pointPath(this.dir, pointId, true);
    await mkdir(dir, { recursive: true });
    const events: NdjsonWriter<RunEvent> = await openNdjsonWriter<RunEvent>(pointFilePath(dir, 'events'));
    return {
      runId: this.manifest.runId,
      pointId,
      dir,
      path: (file) => pointFilePath(dir, file),
      event: (body) => events.append({ timeMs: Date.now(), pointId, ...body } as RunEvent),
      record: (event) => events.append({ ...event, pointId }),
      finish: async (spec, result) => {
        await events.close().catch(() => undefined);
        await writeJsonAtomic(pointFilePath(dir, 'spec'), spec);
        await writeJsonAtomic(pointFilePath(dir, 'result'), result);
        const final = pointPath(this.dir, pointId);
        await rename(dir, final);
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
      await mkdir(join(this.dir, ATTEMPTS_DIR), { recursive: true });
      await rename(point.dir, attemptPath(this.dir, point.id, Date.now()));
    }
    return complete;
  }
}
