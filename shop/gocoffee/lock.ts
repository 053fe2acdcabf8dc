import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pidAlive } from '../../kernel/process.ts';

/**
 * A lock between processes on this machine: a folder made atomically, holding the owner's pid.
 * Test files and users build into one cache at the same time; the second waits for the first and
 * then finds the result cached. A lock whose owner died is taken over.
 */
export async function withLock<T>(path: string, fn: () => Promise<T>, onWait?: () => void): Promise<T> {
  const lock = `${path}.lock`;
  await mkdir(dirname(lock), { recursive: true });
  let told = false;
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(join(lock, 'pid'), 'utf8').catch(() => '')).trim());
      if (owner > 0 && !pidAlive(owner)) {
        await rm(lock, { recursive: true, force: true });
        continue;
      }
      if (!told) onWait?.();
      told = true;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}
