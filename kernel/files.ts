import { readFile, rename, stat, writeFile } from 'node:fs/promises';

/**
 * Files written whole or not at all: the text goes to a temporary file beside the target, then a
 * rename puts it in place, so a crash never leaves a half-written JSON file that looks finished.
 */
export async function writeJsonAtomic(path: string, data: unknown): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify(data, null, 2)}\n`);
  await rename(tmp, path);
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
