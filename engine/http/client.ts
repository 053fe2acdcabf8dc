/**
 * The HTTP/1.1 client every VU's requests go through, written on raw sockets: one write per request,
 * an incremental parser per connection, keep-alive connection pools per VU (k6 gives each VU its own
 * connections), and k6's timing phases taken from the socket events themselves. No per-request timer:
 * one sweep every 25 ms times requests out.
 */
import { lookup } from 'node:dns';
import { isIP, type Socket, connect as netConnect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { ResponseParser } from './parser.ts';
import type { Target } from './url.ts';

const ORIGIN_MS = performance.timeOrigin;

/** One request/response exchange (one hop of a redirect chain). Reused fields, no per-phase objects. */
export class Exchange {
  // Input
  target!: Target;
  method = 'GET';
  /** Request line and headers, ending in the blank line. */
  head = '';
  body: Buffer | string | null = null;
  keepBody = true;
  timeoutMs = 60_000;
  io!: VuConnections;
  done: (ex: Exchange) => void = noop;
  // Output
  status = 0;
  statusText = '';
  proto = 'HTTP/1.1';
  headers: string[] = [];
  responseBody: Buffer | null = null;
  error = '';
  errorCode = 0;
  sentBytes = 0;
  receivedBytes = 0;
  remoteIp = '';
  remotePort = 0;
  tlsVersion = '';
  /** Epoch ms of the start and the end. */
  startMs = 0;
  endMs = 0;
  blocked = 0;
  connecting = 0;
  tlsHandshaking = 0;
  sending = 0;
  waiting = 0;
  receiving = 0;
  // Clock points (performance.now())
  t0 = 0;
  tConnStart = 0;
  tConnected = 0;
  tSecure = 0;
  tWrite = 0;
  tWritten = 0;
  tFirst = 0;
  conn: Conn | null = null;
  retried = false;
  finished = false;
  /** Neighbours in the client's list of exchanges in flight (oldest first); null when not in it. */
  prevInFlight: Exchange | null = null;
  nextInFlight: Exchange | null = null;
}

/**
 * The exchanges in flight, oldest first, as a list threaded through them: adding and removing allocate
 * nothing, and a removed exchange keeps no link to a newer one. A Set churned by every request was
 * rehashed as the count in flight rose and fell, and each outgrown table kept a link to its successor
 * and to the exchanges it held; once one such table had been promoted to the old generation, every
 * later table and exchange (with its response) survived the scavenges until the next full collection.
 * At 4,000 requests/s with 8 VUs that promoted about 2 MB per scavenge (pauses of 6-11 ms instead of 1).
 */
export class InFlight {
  head: Exchange | null = null;
  private tail: Exchange | null = null;
  size = 0;

  add(ex: Exchange): void {
    if (this.has(ex)) return;
    ex.prevInFlight = this.tail;
    ex.nextInFlight = null;
    if (this.tail) this.tail.nextInFlight = ex;
    else this.head = ex;
    this.tail = ex;
    this.size++;
  }

  has(ex: Exchange): boolean {
    return ex.prevInFlight !== null || this.head === ex;
  }

  /** Removes `ex` if it is in the list. */
  delete(ex: Exchange): void {
    if (!this.has(ex)) return;
    const { prevInFlight: prev, nextInFlight: next } = ex;
    if (prev) prev.nextInFlight = next;
    else this.head = next;
    if (next) next.prevInFlight = prev;
    else this.tail = prev;
    ex.prevInFlight = ex.nextInFlight = null;
    this.size--;
  }

  /** Calls `fn` on each exchange in flight now, oldest first (`fn` may end any of them). */
  each(fn: (ex: Exchange) => void): void {
    const now: Exchange[] = [];
    for (let ex = this.head; ex; ex = ex.nextInFlight) now.push(ex);
    for (const ex of now) fn(ex);
  }
}

function noop(): void {}

/** A VU's connections: idle ones per origin, and all open ones (to close when the VU goes). */
export class VuConnections {
  readonly idle = new Map<string, Conn[]>();
  readonly open = new Set<Conn>();
  dataSent = 0;
  dataReceived = 0;
  closeAll(): void {
    for (const conn of this.open) conn.socket.destroy();
    this.open.clear();
    this.idle.clear();
  }
}

class Conn {
  readonly parser = new ResponseParser();
  ex: Exchange | null = null;
  reused = false;
  lastError: NodeJS.ErrnoException | null = null;
  constructor(
    readonly client: HttpClient,
    readonly io: VuConnections,
    readonly socket: Socket | TLSSocket,
    readonly origin: string,
  ) {}
}

export interface ClientOptions {
  insecureSkipTLSVerify: boolean;
  noConnectionReuse: boolean;
}

export class HttpClient {
  private readonly inflight = new InFlight();
  private readonly dns = new Map<string, { address: string; expiresMs: number }>();
  private readonly sweep: NodeJS.Timeout;

  constructor(private readonly options: ClientOptions) {
    this.sweep = setInterval(() => this.timeouts(), 25);
    this.sweep.unref();
  }

  get inFlight(): number {
    return this.inflight.size;
  }

  /** Epoch ms at which the oldest request in flight started, or null when none is. */
  oldestInFlightMs(): number | null {
    return this.inflight.head?.startMs ?? null;
  }

  send(ex: Exchange): void {
    const t0 = performance.now();
    ex.t0 = t0;
    ex.startMs = ORIGIN_MS + t0;
    ex.finished = false;
    this.inflight.add(ex);
    const idle = this.options.noConnectionReuse ? undefined : ex.io.idle.get(ex.target.origin);
    const conn = idle?.pop();
    if (conn) {
      ex.tConnStart = ex.tConnected = ex.tSecure = t0;
      this.write(conn, ex);
      return;
    }
    this.open(ex);
  }

  /** Ends every request of a VU in flight with an error (an interrupted iteration); each is still reported. */
  abortVu(io: VuConnections, message: string): void {
    this.inflight.each((ex) => {
      if (ex.io === io) this.fail(ex, message, 1000);
    });
  }

  /** Ends every request in flight (the test is over and past its grace period). */
  abortAll(message: string): void {
    this.inflight.each((ex) => this.fail(ex, message, 1000));
  }

  close(): void {
    clearInterval(this.sweep);
  }

  private open(ex: Exchange): void {
    const { hostname } = ex.target;
    if (isIP(hostname)) {
      this.connect(ex, hostname);
      return;
    }
    const cached = this.dns.get(hostname);
    if (cached && cached.expiresMs > Date.now()) {
      this.connect(ex, cached.address);
      return;
    }
    lookup(hostname, (error, address) => {
      // The lookup counts as blocked time (k6 has no separate DNS metric).
      if (ex.finished) return;
      if (error) {
        this.fail(ex, `lookup ${hostname}: ${error.code === 'ENOTFOUND' ? 'no such host' : error.message}`, error.code === 'ENOTFOUND' ? 1101 : 1100);
        return;
      }
      this.dns.set(hostname, { address, expiresMs: Date.now() + 300_000 });
      this.connect(ex, address);
    });
  }

  private connect(ex: Exchange, address: string): void {
    const { target } = ex;
    ex.tConnStart = performance.now();
    const socket = target.https
      ? tlsConnect({
          host: address,
          port: target.port,
          servername: isIP(target.hostname) ? undefined : target.hostname,
          rejectUnauthorized: !this.options.insecureSkipTLSVerify,
          ALPNProtocols: ['http/1.1'],
        })
      : netConnect({ host: address, port: target.port, noDelay: true });
    const conn = new Conn(this, ex.io, socket, target.origin);
    ex.io.open.add(conn);
    ex.conn = conn;
    conn.ex = ex;
    socket.once('connect', () => {
      socket.setNoDelay(true);
      const e = conn.ex;
      if (e) e.tConnected = performance.now();
    });
    const ready = () => {
      const e = conn.ex;
      if (!e) return;
      if (target.https) {
        e.tSecure = performance.now();
        e.tlsVersion = tlsName((socket as TLSSocket).getProtocol());
      } else e.tSecure = e.tConnected;
      this.write(conn, e);
    };
    socket.once(target.https ? 'secureConnect' : 'connect', ready);
    socket.on('data', (chunk: Buffer) => this.data(conn, chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      conn.lastError = error;
    });
    socket.on('close', () => this.closed(conn));
  }

  private write(conn: Conn, ex: Exchange): void {
    ex.conn = conn;
    conn.ex = ex;
    conn.parser.reset(ex.keepBody, ex.method === 'HEAD');
    ex.remoteIp = conn.socket.remoteAddress ?? '';
    ex.remotePort = conn.socket.remotePort ?? 0;
    const socket = conn.socket;
    ex.tWrite = performance.now();
    const body = ex.body;
    if (body === null || typeof body === 'string') {
      const text = body === null ? ex.head : ex.head + body;
      socket.write(text);
      ex.sentBytes = body === null ? ex.head.length : ex.head.length + Buffer.byteLength(body);
    } else {
      socket.cork();
      socket.write(ex.head);
      socket.write(body);
      socket.uncork();
      ex.sentBytes = ex.head.length + body.length;
    }
    ex.tWritten = performance.now();
  }

  private data(conn: Conn, chunk: Buffer): void {
    const ex = conn.ex;
    if (!ex) {
      conn.socket.destroy(); // bytes nobody asked for: the connection cannot be trusted any more
      return;
    }
    if (ex.tFirst === 0) ex.tFirst = performance.now();
    ex.receivedBytes += chunk.length;
    if (conn.parser.feed(chunk)) this.complete(conn, ex);
  }

  private complete(conn: Conn, ex: Exchange): void {
    const parser = conn.parser;
    conn.ex = null;
    if (parser.error) {
      this.finish(ex, `malformed response: ${parser.error}`, 1000);
      conn.socket.destroy();
      return;
    }
    ex.status = parser.status;
    ex.statusText = parser.statusText;
    ex.proto = parser.proto;
    ex.headers = parser.headers;
    ex.responseBody = parser.bodyBuffer();
    const reuse = parser.keepAlive && !this.options.noConnectionReuse && !conn.socket.destroyed;
    if (reuse) {
      conn.reused = true;
      let idle = conn.io.idle.get(conn.origin);
      if (!idle) {
        idle = [];
        conn.io.idle.set(conn.origin, idle);
      }
      idle.push(conn);
    } else {
      conn.socket.end();
    }
    this.finish(ex, '', 0);
  }

  private closed(conn: Conn): void {
    conn.io.open.delete(conn);
    const idle = conn.io.idle.get(conn.origin);
    if (idle) {
      const i = idle.indexOf(conn);
      if (i >= 0) idle.splice(i, 1);
    }
    const ex = conn.ex;
    if (!ex) return;
    conn.ex = null;
    if (conn.parser.closed()) {
      this.complete(conn, ex);
      return;
    }
    // A kept-alive connection the server closed just as we reused it: retry once on a new one.
    if (conn.reused && ex.receivedBytes === 0 && !ex.retried) {
      ex.retried = true;
      ex.tFirst = 0;
      this.open(ex);
      return;
    }
    const [message, code] = describeError(conn.lastError, ex);
    this.finish(ex, message, code);
  }

  private fail(ex: Exchange, message: string, code: number): void {
    if (ex.finished) return;
    const conn = ex.conn;
    if (conn && conn.ex === ex) {
      conn.ex = null;
      conn.socket.destroy();
    }
    this.finish(ex, message, code);
  }

  private finish(ex: Exchange, error: string, code: number): void {
    if (ex.finished) return;
    ex.finished = true;
    this.inflight.delete(ex);
    const tEnd = performance.now();
    ex.endMs = ORIGIN_MS + tEnd;
    ex.error = error;
    ex.errorCode = code;
    if (error) {
      ex.status = 0;
      ex.responseBody = null;
    }
    // Phases: blocked until the connection was being made (or reused), then connect, TLS, send, wait, receive.
    const tConnStart = ex.tConnStart || tEnd;
    const tConnected = ex.tConnected || tConnStart;
    const tSecure = ex.tSecure || tConnected;
    ex.blocked = tConnStart - ex.t0;
    ex.connecting = ex.tConnected ? tConnected - tConnStart : 0;
    ex.tlsHandshaking = ex.tSecure && ex.target.https ? tSecure - tConnected : 0;
    if (ex.tWrite > 0) {
      ex.sending = ex.tWritten - ex.tWrite;
      const tFirst = ex.tFirst || tEnd;
      ex.waiting = tFirst - ex.tWritten;
      ex.receiving = tEnd - tFirst;
    } else {
      ex.sending = ex.waiting = ex.receiving = 0;
    }
    ex.io.dataSent += ex.sentBytes;
    ex.io.dataReceived += ex.receivedBytes;
    ex.done(ex);
  }

  private timeouts(): void {
    if (this.inflight.size === 0) return;
    const now = performance.now();
    this.inflight.each((ex) => {
      if (now - ex.t0 >= ex.timeoutMs) this.fail(ex, 'request timeout', 1050);
    });
  }
}

function tlsName(protocol: string | null): string {
  const m = /^TLSv(\d)(?:\.(\d))?$/.exec(protocol ?? '');
  return m ? `tls1.${m[2] ?? '0'}` : '';
}

/** Socket errors → k6's error text and code (https://grafana.com/docs/k6/latest/javascript-api/error-codes/). */
function describeError(error: NodeJS.ErrnoException | null, ex: Exchange): [string, number] {
  const addr = `${ex.target.hostname}:${ex.target.port}`;
  if (!error) return ex.receivedBytes > 0 ? ['unexpected EOF', 1000] : [`read tcp ${addr}: EOF`, 1000];
  switch (error.code) {
    case 'ECONNREFUSED':
      return [`dial tcp ${addr}: connect: connection refused`, 1212];
    case 'ECONNRESET':
      return [`read tcp ${addr}: connection reset by peer`, 1220];
    case 'EPIPE':
      return [`write tcp ${addr}: broken pipe`, 1201];
    case 'ETIMEDOUT':
      return [`dial tcp ${addr}: i/o timeout`, 1211];
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return [`dial tcp ${addr}: ${error.message}`, 1210];
    default:
      if (/certificate|self.signed|CERT/i.test(error.message) || (error.code ?? '').startsWith('ERR_TLS') || (error.code ?? '').includes('CERT')) {
        return [
          `tls: ${error.message}`,
          /hostname|altname/i.test(error.message) ? 1311 : /self.signed|unknown authority|unable to (get|verify)/i.test(error.message) ? 1310 : 1300,
        ];
      }
      return [error.message, 1000];
  }
}
