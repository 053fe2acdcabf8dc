/**
 * The `--out json=FILE` file: batches from the workers written in order, gzip-compressed when the name
 * ends in .gz (level 1: the samples are repetitive, so it still shrinks them ~10× at a fraction of the
 * CPU; zlib's default 16 KB output chunks, as larger ones left megabytes a second of half-used buffers
 * for the garbage collector and made the RSS swing). Each batch's bytes count as backlog until written, which holds workers back when the disk or
 * gzip cannot keep up.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { createGzip, type Gzip } from 'node:zlib';
import { COUNTER } from '../host/counters.ts';

export class JsonSink {
  private readonly file: WriteStream;
  private readonly gzip: Gzip | null;
  private readonly declared = new Set<string>();
  private error: Error | null = null;

  constructor(
    readonly path: string,
    private readonly counters: Int32Array,
  ) {
    this.file = createWriteStream(path);
    this.file.on('error', (error) => (this.error ??= error));
    this.gzip = path.endsWith('.gz') ? createGzip({ level: 1 }) : null;
    if (this.gzip) {
      this.gzip.on('error', (error) => (this.error ??= error));
      this.gzip.pipe(this.file);
    }
  }

  /**
   * Metric lines (once per metric), then the batch (UTF-8). `written` gets the batch's buffer back once
   * it is written (compressed, or in the file), for the encoder to reuse.
   */
  write(declared: string[], batch: Uint8Array, bytes: number, written?: (buffer: ArrayBuffer) => void): void {
    let head = '';
    for (const line of declared) {
      const name = /"metric":"([^"]+)"}\n$/.exec(line)?.[1] ?? line;
      if (this.declared.has(name)) continue;
      this.declared.add(name);
      head += line;
    }
    const target = this.gzip ?? this.file;
    if (head.length > 0) target.write(head);
    if (batch.length === 0) {
      Atomics.sub(this.counters, COUNTER.sampleBacklog, bytes);
      return;
    }
    target.write(Buffer.from(batch.buffer, batch.byteOffset, batch.length), () => {
      Atomics.sub(this.counters, COUNTER.sampleBacklog, bytes);
      written?.(batch.buffer as ArrayBuffer);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.file.once('close', () => (this.error ? reject(this.error) : resolve()));
      if (this.gzip) this.gzip.end();
      else this.file.end();
    });
  }
}
