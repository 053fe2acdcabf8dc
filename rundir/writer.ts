import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError } from '../kernel/errors.ts';
import { readJson, writeJsonAtomic } from '../kernel/files.ts';
import type { Manifest, PointResult, PointSpec } from './types.ts';

/**
 * The run directory is the source of truth. Files are written whole and renamed into place, and a
 * point's folder appears under its final name only when the point is complete, so a crash or
 * Ctrl-C never leaves a half-written file that looks finished.
 */

export function newRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

export const POINTS_DIR = 'points';
/** Earlier tries of points that a resume ran again. */
export const ATTEMPTS_DIR = 'attempts';
/** A point still running (or cut short) lives here; the rename on completion is the commit. */
export const PARTIAL_SUFFIX = '.partial';

export class RunDir {
  private constructor(
    readonly dir: string,
    public manifest: Manifest,
  ) {}

  /** Creates `<root>/<runId>/`; an existing directory is an error, never overwritten. */
  static async create(root: string, manifest: Manifest): Promise<RunDir> {
    await mkdir(root, { recursive: true });
    const dir = join(root, manifest.runId);
    try {
      await mkdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST')
        throw new EnvironmentError(`run directory ${dir} already exists; results are never overwritten`, { cause: error });
      throw error;
    }
    await mkdir(join(dir, POINTS_DIR));
    const run = new RunDir(dir, manifest);
    await run.saveManifest();
    return run;
  }

  static async open(dir: string): Promise<RunDir> {
    return new RunDir(dir, await readJson<Manifest>(join(dir, 'manifest.json')));
  }

  async updateManifest(patch: Partial<Manifest>): Promise<void> {
    this.manifest = { ...this.manifest, ...patch };
    await this.saveManifest();
  }

  private saveManifest(): Promise<void> {
    return writeJsonAtomic(join(this.dir, 'manifest.json'), this.manifest);
  }

  /** Folder a point writes into while it runs. */
  async startPoint(spec: PointSpec): Promise<string> {
    const dir = join(this.dir, POINTS_DIR, spec.pointId + PARTIAL_SUFFIX);
    await mkdir(dir, { recursive: true });
    await writeJsonAtomic(join(dir, 'spec.json'), spec);
    return dir;
  }

  /** Writes the point's result and moves it to its final name, even when interrupted or failed. */
  async finishPoint(spec: PointSpec, result: PointResult): Promise<string> {
    const partial = join(this.dir, POINTS_DIR, spec.pointId + PARTIAL_SUFFIX);
    const final = join(this.dir, POINTS_DIR, spec.pointId);
    await writeJsonAtomic(join(partial, 'result.json'), result);
    await rename(partial, final);
    return final;
  }

  /**
   * For `bench resume`: the ids of complete points. Anything else (interrupted, failed, or a
   * `.partial` folder left by a crash) is moved to `attempts/` — kept, never deleted — so the
   * point can run again under its own name.
   */
  async completedPoints(): Promise<Set<string>> {
    const complete = new Set<string>();
    const root = join(this.dir, POINTS_DIR);
    for (const name of await readdir(root)) {
      const id = name.endsWith(PARTIAL_SUFFIX) ? name.slice(0, -PARTIAL_SUFFIX.length) : name;
      const status = name.endsWith(PARTIAL_SUFFIX)
        ? null
        : await readJson<PointResult>(join(root, name, 'result.json')).then(
            (r) => r.status,
            () => null,
          );
      if (status === 'complete') {
        complete.add(id);
        continue;
      }
      await mkdir(join(this.dir, ATTEMPTS_DIR), { recursive: true });
      await rename(join(root, name), join(this.dir, ATTEMPTS_DIR, `${id}-${Date.now()}`));
    }
    return complete;
  }
}
