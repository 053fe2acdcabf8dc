import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

/**
 * The non-empty lines of a run-directory file (NDJSON, or gzip NDJSON such as k6-samples.ndjson.gz),
 * streamed. A missing file yields nothing; a gzip file cut short by a crash yields what was readable.
 */
export async function* readLines(path: string, gzip: boolean): AsyncGenerator<string> {
  const file = createReadStream(path);
  const opened = await new Promise<boolean>((resolve, reject) => {
    file.once('open', () => resolve(true));
    file.once('error', (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? resolve(false) : reject(error)));
  });
  if (!opened) return;
  const input = gzip ? file.pipe(createGunzip()) : file;
  const gunzipError = new Promise<never>((_, reject) => input.once('error', reject));
  gunzipError.catch(() => {});
  try {
    for await (const line of createInterface({ input, crlfDelay: Infinity })) if (line.trim()) yield line;
  } catch (error) {
    // A gzip file cut short by a crash: keep what was readable.
    if ((error as NodeJS.ErrnoException).code !== 'Z_BUF_ERROR') throw error;
  }
}
