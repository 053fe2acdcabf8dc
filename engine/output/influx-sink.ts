/**
 * `--out influxdb=http://host:8086/db`: line protocol batches POSTed to InfluxDB 1.x's /write, a few
 * at a time. The sink never stops or crashes a run: a failed write is retried once, then dropped and
 * counted; when InfluxDB falls behind, the oldest queued batches are dropped (and counted) rather than
 * letting memory grow.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface InfluxTarget {
  url: URL;
  database: string;
}

/** k6's form: http://host:8086/database (user:pass@ allowed). */
export function parseInfluxUrl(text: string): InfluxTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`--out influxdb=${text}: expected http(s)://host:port/database`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, ''));
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || database === '' || database.includes('/')) {
    throw new Error(`--out influxdb=${text}: expected http(s)://host:port/database`);
  }
  return { url, database };
}

const MAX_QUEUED_BYTES = 64 * 1024 * 1024;
const BATCH_BYTES = 1024 * 1024;
const CONCURRENCY = 2;

export class InfluxSink {
  private queue: { text: string; lines: number }[] = [];
  private queuedBytes = 0;
  private buffer = '';
  private bufferLines = 0;
  private inflight = 0;
  private idle: (() => void) | null = null;
  private readonly flushTimer: NodeJS.Timeout;
  written = 0;
  dropped = 0;
  private lastWarnMs = 0;

  constructor(
    private readonly target: InfluxTarget,
    private readonly warn: (message: string) => void,
  ) {
    this.flushTimer = setInterval(() => this.cut(), 1000);
    this.flushTimer.unref();
  }

  write(text: string, lines: number): void {
    if (lines === 0) return;
    this.buffer += text;
    this.bufferLines += lines;
    if (this.buffer.length >= BATCH_BYTES) this.cut();
  }

  private cut(): void {
    if (this.bufferLines > 0) {
      this.queue.push({ text: this.buffer, lines: this.bufferLines });
      this.queuedBytes += this.buffer.length;
      this.buffer = '';
      this.bufferLines = 0;
      while (this.queuedBytes > MAX_QUEUED_BYTES && this.queue.length > 1) {
        const old = this.queue.shift();
        if (!old) break;
        this.queuedBytes -= old.text.length;
        this.dropped += old.lines;
        this.warnSometimes(`InfluxDB is not keeping up; dropped ${this.dropped} samples so far`);
      }
    }
    this.pump();
  }

  private pump(): void {
    while (this.inflight < CONCURRENCY && this.queue.length > 0) {
      const batch = this.queue.shift();
      if (!batch) break;
      this.queuedBytes -= batch.text.length;
      this.inflight++;
      void this.post(batch, 1).then(() => {
        this.inflight--;
        this.pump();
        if (this.inflight === 0 && this.queue.length === 0) this.idle?.();
      });
    }
  }

  private async post(batch: { text: string; lines: number }, retries: number): Promise<void> {
    const error = await this.send(batch.text);
    if (!error) {
      this.written += batch.lines;
      return;
    }
    if (retries > 0) return this.post(batch, retries - 1);
    this.dropped += batch.lines;
    this.warnSometimes(`writing to InfluxDB at ${this.target.url.host} failed (${error}); ${this.dropped} samples dropped so far`);
  }

  private send(body: string): Promise<string | null> {
    const { url, database } = this.target;
    const path = `/write?db=${encodeURIComponent(database)}&precision=ns`;
    const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) };
    if (url.username)
      headers.Authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      const req = request(
        { host: url.hostname, port: url.port || (url.protocol === 'https:' ? 443 : 80), method: 'POST', path, headers, timeout: 10_000 },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c.slice(0, 500)));
          res.on('end', () => resolve(res.statusCode === 204 || res.statusCode === 200 ? null : `HTTP ${res.statusCode}: ${text.trim().slice(0, 200)}`));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => resolve(e.message));
      req.end(body);
    });
  }

  private warnSometimes(message: string): void {
    const now = Date.now();
    if (now - this.lastWarnMs < 5000) return;
    this.lastWarnMs = now;
    this.warn(message);
  }

  /** Sends what is queued, waiting at most `timeoutMs`. */
  async close(timeoutMs = 15_000): Promise<void> {
    clearInterval(this.flushTimer);
    this.cut();
    if (this.inflight === 0 && this.queue.length === 0) return;
    await new Promise<void>((resolve) => {
      this.idle = resolve;
      setTimeout(resolve, timeoutMs).unref();
    });
    const left = this.queue.reduce((n, b) => n + b.lines, 0);
    if (left > 0) {
      this.dropped += left;
      this.warn(`InfluxDB did not take the last ${left} samples in time`);
    }
  }
}
