/**
 * Append-only NDJSON, for nodes.ndjson: a record is handed to the OS as soon as it arrives (a crash
 * loses at most the records of the last moment), and flush() makes everything so far durable
 * (fsync), which the pipeline calls at each point boundary.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { makeDir, OutputError, outputError } from '../kernel/files.ts';

export interface NdjsonWriter<T> {
  append(record: T): void;
  /** Resolves when every record appended so far is written and synced to disk. */
  flush(): Promise<void>;
  /** Flushes and closes; append() after close() throws. */
  close(): Promise<void>;
  /** Records appended so far. */
  readonly count: number;
}

export async function openNdjsonWriter<T>(path: string): Promise<NdjsonWriter<T>> {
  await makeDir(dirname(path));
  let file: FileHandle;
  try {
    file = await open(path, 'a');
  } catch (error) {
    throw outputError(error, path);
  }
  let pending: string[] = [];
  // One write at a time, in order: each append chains onto the previous write.
  let chain: Promise<void> = Promise.resolve();
  let failure: Error | null = null;
  let closed = false;
  let count = 0;

  const drain = () => {
    chain = chain.then(async () => {
      if (pending.length === 0 || failure) return;
      const text = pending.join('');
      pending = [];
      try {
        await file.appendFile(text, 'utf8');
      } catch (error) {
        const mapped = outputError(error, path);
        failure = mapped instanceof OutputError ? mapped : new Error(`cannot write ${path}: ${(error as Error).message}`, { cause: error });
      }
    });
  };

  const flush = async () => {
    drain();
    await chain;
    if (failure) throw failure;
    try {
      await file.datasync();
    } catch (error) {
      throw outputError(error, path);
    }
  };

  return {
    get count() {
      return count;
    },
    append(record) {
      if (closed) throw new Error(`${path}: append after close`);
      pending.push(`${JSON.stringify(record)}\n`);
      count++;
      if (pending.length === 1) drain();
    },
    flush,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await flush();
      } finally {
        await file.close();
      }
    },
  };
}
