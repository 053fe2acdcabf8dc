import { createReadStream, type Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { errorMessage } from '../kernel/errors.ts';
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
  /** Why the file could not be opened or read (a folder, no permission), or null. */
  unreadable: string | null;
  /** Why the file ended early (a gzip stream cut short by a crash, or damaged), or null. */
  cutShort: string | null;
  /** Lines that were not JSON or not a record of the file's kind, for readRecords. */
  badLines: number;
  /** The first few of them: 1-based line number and what is wrong. */
  badLineSamples: { line: number; problem: string }[];
}

export const newReadNotes = (): ReadNotes => ({ missing: false, unreadable: null, cutShort: null, badLines: 0, badLineSamples: [] });

/** How many bad lines a note names one by one. */
const BAD_LINE_SAMPLES = 3;

/** "line 3: …; line 9: …" of a note's first bad lines, for a warning. */
export function describeBadLines(notes: ReadNotes): string {
  return notes.badLineSamples.map((b) => `line ${b.line}: ${b.problem}`).join('; ');
}

/** Decompressed bytes of a file (gunzipped when its name ends in .gz), in chunks of about `chunkBytes`. */
export async function* readChunks(path: string, options: { chunkBytes?: number; notes?: ReadNotes } = {}): AsyncGenerator<Buffer> {
  const chunkBytes = options.chunkBytes ?? 1 << 20;
  const file = createReadStream(path, { highWaterMark: chunkBytes });
  // Opening a folder succeeds and fails on the first read; either way the file is unreadable, not a crash.
  const opened = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    file.once('ready', () => resolve(null));
    file.once('error', (error: NodeJS.ErrnoException) => resolve(error));
  });
  if (opened) {
    file.destroy();
    if (opened.code === 'ENOENT') {
      if (options.notes) options.notes.missing = true;
      return;
    }
    if (!options.notes) throw opened;
    options.notes.unreadable = opened.code ?? opened.message;
    return;
  }
  const gzip = path.endsWith('.gz');
  const input = gzip ? file.pipe(createGunzip({ chunkSize: Math.max(64, chunkBytes) })) : file;
  if (gzip) file.on('error', (error) => input.destroy(error));
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) yield chunk;
  } catch (error) {
    // A gzip file cut short by a crash, or damaged, or a file that cannot be read on: keep what was
    // readable and say why it ended.
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const zlib = code.startsWith('Z_');
    if (zlib) {
      if (options.notes) options.notes.cutShort = (error as Error).message;
    } else if (options.notes) options.notes.unreadable = code || (error as Error).message;
    else throw error;
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

/** What a record reader does with a parsed line: the record, or what is wrong with it. */
export type RecordCheck<T> = (value: unknown) => { record: T } | { problem: string };

/**
 * Each line parsed as JSON and, with `check`, checked against its contract; a line that does not
 * parse (cut off by a crash) or does not check is counted in `notes`, with its number, not fatal.
 */
export async function* readRecords<T>(path: string, options: { notes?: ReadNotes; check?: RecordCheck<T> } = {}): AsyncGenerator<T> {
  let number = 0;
  const bad = (problem: string) => {
    const notes = options.notes;
    if (!notes) return;
    notes.badLines++;
    if (notes.badLineSamples.length < BAD_LINE_SAMPLES) notes.badLineSamples.push({ line: number, problem });
  };
  for await (const line of readLines(path, options)) {
    number++;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      bad('not JSON');
      continue;
    }
    if (!options.check) {
      yield value as T;
      continue;
    }
    const checked = options.check(value);
    if ('problem' in checked) bad(checked.problem);
    else yield checked.record;
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

/**
 * Every point folder of a run, by name; none when points/ is missing. When points/ cannot be listed
 * (a file, no permission), `problems` hears why and the list is empty; without `problems` it throws.
 */
export async function listPoints(runDir: string, problems?: string[]): Promise<PointEntry[]> {
  const root = pointsPath(runDir);
  let entries: Dirent[];
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    if (!problems) throw error;
    problems.push(`${root} cannot be listed (${code === 'ENOTDIR' ? 'it is a file, not a folder' : (code ?? errorMessage(error))}): no point is read`);
    return [];
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

/** A point's result.json, or null when it has none (a point cut short), it does not parse, or it is no result. */
export async function readPointResult(pointDir: string): Promise<PointResult | null> {
  const result = await readJson<unknown>(pointFilePath(pointDir, 'result')).catch(() => null);
  return checkPointResult(result) ? result : null;
}

/** Whether a value has what readers use of a PointResult. */
export function checkPointResult(value: unknown): value is PointResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.status === 'string' &&
    (r.flags === undefined ||
      (Array.isArray(r.flags) && r.flags.every((f) => typeof f === 'object' && f !== null && typeof (f as { code?: unknown }).code === 'string'))) &&
    (r.loadExitCode === undefined || r.loadExitCode === null || typeof r.loadExitCode === 'number') &&
    (r.thresholdsPassed === undefined || r.thresholdsPassed === null || typeof r.thresholdsPassed === 'boolean')
  );
}

/** The run id from manifest.json, or the directory name when the manifest is missing (a crashed run). */
export async function runIdOf(runDir: string): Promise<string> {
  const manifest = (await readManifest(runDir).catch(() => null)) as Partial<Manifest> | null;
  if (typeof manifest?.runId === 'string' && manifest.runId) return manifest.runId;
  return runDir.replace(/\/+$/, '').split('/').pop() ?? runDir;
}
