import { createReadStream, type Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { readJson } from '../kernel/files.ts';
import { manifestPath, PARTIAL_SUFFIX, pointFilePath, pointsPath } from './layout.ts';
import type { Manifest, PointResult } from './types.ts';

/**
 * The one reader of run directories: the report (reports/ingest/rundir.ts), `bench resume`
 * (rundir/writer.ts) and `bench backfill` (bench/influx/) all list points and stream their files
 * here. Files are streamed, never read whole: a long point's samples run to gigabytes. A missing
 * file yields nothing; a gzip file cut short by a crash yields what was readable; both are noted in
 * the `ReadNotes` the caller passes, for the ones that report them.
 */

/** What a read met besides records, for callers that say so (the report's warnings). */
export interface ReadNotes {
  /** The file was not there. */
  missing: boolean;
  /** Why the file ended early (a gzip stream cut short by a crash), or null. */
  cutShort: string | null;
  /** Lines that were not JSON (a line cut off by a crash), for readRecords. */
  badLines: number;
}

export const newReadNotes = (): ReadNotes => ({ missing: false, cutShort: null, badLines: 0 });

/** Decompressed bytes of a file (gunzipped when its name ends in .gz), in chunks of about `chunkBytes`. */
export async function* readChunks(path: string, options: { chunkBytes?: number; notes?: ReadNotes } = {}): AsyncGenerator<Buffer> {
  const chunkBytes = options.chunkBytes ?? 1 << 20;
  const file = createReadStream(path, { highWaterMark: chunkBytes });
  const opened = await new Promise<boolean>((resolve, reject) => {
    file.once('open', () => resolve(true));
    file.once('error', (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? resolve(false) : reject(error)));
  });
  if (!opened) {
    if (options.notes) options.notes.missing = true;
    return;
  }
  const gzip = path.endsWith('.gz');
  const input = gzip ? file.pipe(createGunzip({ chunkSize: Math.max(64, chunkBytes) })) : file;
  if (gzip) file.on('error', (error) => input.destroy(error));
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) yield chunk;
  } catch (error) {
    // A gzip file cut short by a crash: keep what was readable.
    if ((error as NodeJS.ErrnoException).code !== 'Z_BUF_ERROR') throw error;
    if (options.notes) options.notes.cutShort = (error as Error).message;
  } finally {
    file.destroy();
  }
}

/** The non-empty lines of a file (NDJSON, or gzip NDJSON such as k6-samples.ndjson.gz). */
export async function* readLines(path: string, options: { notes?: ReadNotes } = {}): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of readChunks(path, { notes: options.notes, chunkBytes: 1 << 16 })) {
    const lines = (rest + decoder.write(chunk)).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) yield line.endsWith('\r') ? line.slice(0, -1) : line;
  }
  rest += decoder.end();
  if (rest.trim()) yield rest;
}

/** Each line parsed as JSON; a line that does not parse (cut off by a crash) is counted in `notes.badLines`, not fatal. */
export async function* readRecords<T>(path: string, options: { notes?: ReadNotes } = {}): AsyncGenerator<T> {
  for await (const line of readLines(path, options)) {
    let record: T;
    try {
      record = JSON.parse(line) as T;
    } catch {
      if (options.notes) options.notes.badLines++;
      continue;
    }
    yield record;
  }
}

/** A point folder as found on disk. */
export interface PointEntry {
  /** The point id, without the `.partial` suffix. */
  id: string;
  dir: string;
  /** Still named `<id>.partial`: the point was running when the run stopped (or is running now). */
  partial: boolean;
}

/** Every point folder of a run, by name; none when points/ is missing. */
export async function listPoints(runDir: string): Promise<PointEntry[]> {
  const root = pointsPath(runDir);
  let entries: Dirent[];
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const partial = name.endsWith(PARTIAL_SUFFIX);
      return { id: partial ? name.slice(0, -PARTIAL_SUFFIX.length) : name, dir: join(root, name), partial };
    });
}

/** manifest.json as written (the caller checks what it relies on); throws when it is missing or not JSON. */
export function readManifest(runDir: string): Promise<Manifest> {
  return readJson<Manifest>(manifestPath(runDir));
}

/** A point's result.json, or null when it has none (a point cut short) or it does not parse. */
export function readPointResult(pointDir: string): Promise<PointResult | null> {
  return readJson<PointResult>(pointFilePath(pointDir, 'result')).catch(() => null);
}

/** The run id from manifest.json, or the directory name when the manifest is missing (a crashed run). */
export async function runIdOf(runDir: string): Promise<string> {
  const manifest = await readManifest(runDir).catch(() => null);
  if (typeof manifest?.runId === 'string' && manifest.runId) return manifest.runId;
  return runDir.replace(/\/+$/, '').split('/').pop() ?? runDir;
}
