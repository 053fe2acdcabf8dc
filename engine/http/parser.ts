/**
 * An incremental HTTP/1.1 response parser over socket chunks: status line, headers, then a body by
 * Content-Length, chunked transfer coding, or until the connection closes. Bodies are counted, and
 * kept (as slices of the chunks) only when the caller wants them.
 */

const CR = 13;
const LF = 10;

type State = 'head' | 'length' | 'chunkSize' | 'chunkData' | 'chunkDataEnd' | 'trailer' | 'close' | 'done';

export class ResponseParser {
  state: State = 'head';
  status = 0;
  statusText = '';
  proto = 'HTTP/1.1';
  /** name, value, name, value … as received. */
  headers: string[] = [];
  keepAlive = true;
  bodyBytes = 0;
  body: Buffer[] = [];
  keepBody = true;
  /** The request was HEAD: no body whatever the headers say. */
  noBody = false;
  error: string | null = null;
  private head: Buffer | null = null;
  private remaining = 0;
  private line = '';

  reset(keepBody: boolean, noBody: boolean): void {
    this.state = 'head';
    this.status = 0;
    this.statusText = '';
    this.headers = [];
    this.keepAlive = true;
    this.bodyBytes = 0;
    this.body = [];
    this.keepBody = keepBody;
    this.noBody = noBody;
    this.error = null;
    this.head = null;
    this.remaining = 0;
    this.line = '';
  }

  /** Consumes a chunk; returns true when the response is complete (bytes after it are ignored). */
  feed(chunk: Buffer): boolean {
    let pos = 0;
    while (pos < chunk.length || this.state === 'done') {
      switch (this.state) {
        case 'done':
          return true;
        case 'head': {
          const data = this.head ? Buffer.concat([this.head, chunk.subarray(pos)]) : pos === 0 ? chunk : chunk.subarray(pos);
          const end = data.indexOf('\r\n\r\n', 0, 'latin1');
          if (end < 0) {
            if (data.length > 65536) return this.fail('response headers larger than 64 KiB');
            this.head = Buffer.from(data);
            return false;
          }
          const consumed = end + 4 - (this.head ? this.head.length : 0);
          this.head = null;
          if (!this.parseHead(data.toString('latin1', 0, end))) return true;
          pos += consumed;
          if (this.status >= 100 && this.status < 200 && this.status !== 101) {
            // 1xx informational: the real response follows.
            this.headers = [];
            this.state = 'head';
          }
          break;
        }
        case 'length': {
          const n = Math.min(this.remaining, chunk.length - pos);
          this.take(chunk, pos, n);
          pos += n;
          this.remaining -= n;
          if (this.remaining === 0) this.state = 'done';
          break;
        }
        case 'close': {
          this.take(chunk, pos, chunk.length - pos);
          pos = chunk.length;
          break;
        }
        case 'chunkSize':
        case 'trailer': {
          const nl = chunk.indexOf(LF, pos);
          const end = nl < 0 ? chunk.length : nl + 1;
          this.line += chunk.toString('latin1', pos, end);
          pos = end;
          if (nl < 0) {
            if (this.line.length > 4096) return this.fail('malformed chunked body');
            break;
          }
          const text = this.line.trim();
          this.line = '';
          if (this.state === 'trailer') {
            if (text === '') this.state = 'done';
            break;
          }
          const size = parseInt(text.split(';')[0] ?? '', 16);
          if (!Number.isFinite(size) || size < 0) return this.fail('malformed chunk size');
          if (size === 0) this.state = 'trailer';
          else {
            this.remaining = size;
            this.state = 'chunkData';
          }
          break;
        }
        case 'chunkData': {
          const n = Math.min(this.remaining, chunk.length - pos);
          this.take(chunk, pos, n);
          pos += n;
          this.remaining -= n;
          if (this.remaining === 0) {
            this.state = 'chunkDataEnd';
            this.remaining = 2;
          }
          break;
        }
        case 'chunkDataEnd': {
          const c = chunk[pos];
          if (c !== CR && c !== LF) return this.fail('malformed chunked body');
          pos++;
          if (c === LF) this.state = 'chunkSize';
          break;
        }
      }
    }
    return (this.state as State) === 'done';
  }

  /** The connection closed: complete for a read-until-close body, else an error. */
  closed(): boolean {
    if (this.state === 'close') {
      this.state = 'done';
      this.keepAlive = false;
      return true;
    }
    return this.state === 'done';
  }

  /** The body as one buffer (or null when none was kept). */
  bodyBuffer(): Buffer | null {
    if (!this.keepBody) return null;
    if (this.body.length === 1) return this.body[0] ?? null;
    return Buffer.concat(this.body, this.bodyBytes);
  }

  header(name: string): string | undefined {
    for (let i = 0; i < this.headers.length; i += 2) if ((this.headers[i] ?? '').toLowerCase() === name) return this.headers[i + 1];
    return undefined;
  }

  private take(chunk: Buffer, pos: number, n: number): void {
    if (n <= 0) return;
    this.bodyBytes += n;
    if (this.keepBody) this.body.push(pos === 0 && n === chunk.length ? chunk : chunk.subarray(pos, pos + n));
  }

  private fail(message: string): boolean {
    this.error = message;
    this.state = 'done';
    this.keepAlive = false;
    return true;
  }

  private parseHead(text: string): boolean {
    const lines = text.split('\r\n');
    const statusLine = lines[0] ?? '';
    const m = /^(HTTP\/\d\.\d) (\d{3})(?: (.*))?$/.exec(statusLine);
    if (!m) {
      this.fail(`malformed status line ${JSON.stringify(statusLine.slice(0, 80))}`);
      return false;
    }
    this.proto = m[1] ?? 'HTTP/1.1';
    this.status = Number(m[2]);
    this.statusText = m[3] ?? '';
    let length = -1;
    let chunked = false;
    let connection = '';
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] ?? '';
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon);
      const value = line.slice(colon + 1).trim();
      this.headers.push(name, value);
      const lower = name.length === 14 || name.length === 17 || name.length === 10 ? name.toLowerCase() : '';
      if (lower === 'content-length') length = Number(value);
      else if (lower === 'transfer-encoding') chunked = /chunked/i.test(value);
      else if (lower === 'connection') connection = value.toLowerCase();
    }
    this.keepAlive = this.proto === 'HTTP/1.1' ? connection !== 'close' : connection === 'keep-alive';
    if (this.noBody || this.status === 204 || this.status === 304 || (this.status >= 100 && this.status < 200)) this.state = 'done';
    else if (chunked) this.state = 'chunkSize';
    else if (length >= 0 && Number.isFinite(length)) {
      this.remaining = length;
      this.state = length === 0 ? 'done' : 'length';
    } else {
      this.state = 'close';
      this.keepAlive = false;
    }
    return true;
  }
}
