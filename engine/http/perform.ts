/**
 * One `k6/http` request on the I/O thread: builds each hop's request head, sends it, follows
 * redirects, keeps the VU's cookies, and records k6's HTTP metrics for every hop with its tags.
 * Callback style (no promise per hop): this is the hot path.
 */
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { MetricRuntime, Registry } from '../metrics/registry.ts';
import type { TagSet } from '../metrics/tags.ts';
import { CookieJar, type ResponseCookie } from './cookies.ts';
import { Exchange, type HttpClient, VuConnections } from './client.ts';
import { DEFAULT_EXPECTED, type RequestSpec, type ResponseInit } from './types.ts';
import { parseTarget, type Target } from './url.ts';

/** The I/O side of one VU: its connections, cookie jars, tags and response callback. */
export class VuIo {
  readonly conns = new VuConnections();
  readonly jars = new Map<number, CookieJar>([[0, new CookieJar()]]);
  baseTags: TagSet;
  expected: number[] | false = DEFAULT_EXPECTED;
  constructor(baseTags: TagSet) {
    this.baseTags = baseTags;
  }
  jar(id: number): CookieJar | null {
    if (id < 0) return null;
    let jar = this.jars.get(id);
    if (!jar) {
      jar = new CookieJar();
      this.jars.set(id, jar);
    }
    return jar;
  }
}

export interface PerformOptions {
  systemTags: Set<string>;
  userAgent: string;
  noConnectionReuse: boolean;
}

interface Metrics {
  reqs: MetricRuntime;
  failed: MetricRuntime;
  duration: MetricRuntime;
  blocked: MetricRuntime;
  connecting: MetricRuntime;
  tls: MetricRuntime;
  sending: MetricRuntime;
  waiting: MetricRuntime;
  receiving: MetricRuntime;
}

class Request {
  hopsLeft: number;
  target: Target;
  method: string;
  body: string | Uint8Array | null;
  headers: string[];
  cookies: ResponseCookie[] = [];
  constructor(
    readonly io: VuIo,
    readonly spec: RequestSpec,
    readonly done: (res: ResponseInit) => void,
    target: Target,
  ) {
    this.hopsLeft = spec.redirects;
    this.target = target;
    this.method = spec.method;
    this.body = spec.body;
    this.headers = spec.headers;
  }
}

export class RequestPerformer {
  private readonly m: Metrics;
  private readonly tag: Record<string, boolean>;

  constructor(
    private readonly client: HttpClient,
    private readonly registry: Registry,
    private readonly options: PerformOptions,
  ) {
    const get = (name: string) => {
      const m = registry.get(name);
      if (!m) throw new Error(`built-in metric ${name} is not defined`);
      return m;
    };
    this.m = {
      reqs: get('http_reqs'),
      failed: get('http_req_failed'),
      duration: get('http_req_duration'),
      blocked: get('http_req_blocked'),
      connecting: get('http_req_connecting'),
      tls: get('http_req_tls_handshaking'),
      sending: get('http_req_sending'),
      waiting: get('http_req_waiting'),
      receiving: get('http_req_receiving'),
    };
    this.tag = Object.fromEntries(
      ['method', 'url', 'name', 'status', 'proto', 'expected_response', 'error', 'error_code', 'tls_version'].map((t) => [t, options.systemTags.has(t)]),
    );
  }

  perform(io: VuIo, spec: RequestSpec, done: (res: ResponseInit) => void): void {
    const target = parseTarget(spec.url);
    if (!target) {
      done(errorResponse(spec, `invalid URL ${JSON.stringify(spec.url)}: only absolute http:// and https:// URLs are supported`, 1020));
      return;
    }
    this.hop(new Request(io, spec, done, target));
  }

  private hop(req: Request): void {
    const { io, spec, target } = req;
    const ex = new Exchange();
    ex.target = target;
    ex.method = req.method;
    ex.io = io.conns;
    ex.timeoutMs = spec.timeoutMs;
    ex.keepBody = spec.responseType !== 'none';
    ex.head = this.head(req);
    ex.body = req.body === null ? null : typeof req.body === 'string' ? req.body : Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength);
    ex.done = (finished) => this.hopDone(req, finished);
    this.client.send(ex);
  }

  private head(req: Request): string {
    const { target, headers, body, io, spec } = req;
    let head = `${req.method} ${target.path} HTTP/1.1\r\n`;
    let host = target.host;
    let userAgent = true;
    let extra = '';
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i] ?? '';
      const value = headers[i + 1] ?? '';
      const lower = name.toLowerCase();
      if (lower === 'host') host = value;
      else if (lower === 'content-length') continue;
      else {
        if (lower === 'user-agent') userAgent = false;
        extra += `${name}: ${value}\r\n`;
      }
    }
    head += `Host: ${host}\r\n`;
    if (userAgent && this.options.userAgent) head += `User-Agent: ${this.options.userAgent}\r\n`;
    head += extra;
    const cookie = this.cookieHeader(io, spec, target);
    if (cookie) head += `Cookie: ${cookie}\r\n`;
    if (body !== null) head += `Content-Length: ${typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength}\r\n`;
    else if (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') head += 'Content-Length: 0\r\n';
    if (this.options.noConnectionReuse) head += 'Connection: close\r\n';
    return `${head}\r\n`;
  }

  private cookieHeader(io: VuIo, spec: RequestSpec, target: Target): string {
    const jar = io.jar(spec.jar);
    const own = spec.cookies;
    if ((!jar || jar.size === 0) && !own) return '';
    const pairs: string[] = [];
    const replaced = new Set<string>();
    if (own) for (const [name, c] of Object.entries(own)) if (c.replace) replaced.add(name);
    if (jar) for (const c of jar.forTarget(target, Date.now())) if (!replaced.has(c.name)) pairs.push(`${c.name}=${c.value}`);
    if (own) for (const [name, c] of Object.entries(own)) pairs.push(`${name}=${c.value}`);
    return pairs.join('; ');
  }

  private hopDone(req: Request, ex: Exchange): void {
    const { io, spec } = req;
    const setCookies: string[] = [];
    let location = '';
    let encoding = '';
    const headers = ex.headers;
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i] ?? '';
      if (name.length !== 10 && name.length !== 8 && name.length !== 16) continue;
      const lower = name.toLowerCase();
      if (lower === 'set-cookie') setCookies.push(headers[i + 1] ?? '');
      else if (lower === 'location') location = headers[i + 1] ?? '';
      else if (lower === 'content-encoding') encoding = (headers[i + 1] ?? '').toLowerCase();
    }
    if (setCookies.length > 0) {
      const jar = io.jar(spec.jar) ?? new CookieJar();
      req.cookies = jar.storeFromResponse(req.target, setCookies, Date.now());
    }
    const expected = spec.expected === null ? io.expected : spec.expected;
    this.record(io, req, ex, expected);
    const redirect = location !== '' && (ex.status === 301 || ex.status === 302 || ex.status === 303 || ex.status === 307 || ex.status === 308);
    if (redirect && req.hopsLeft > 0) {
      const next = safeResolve(location, req.target.href);
      const target = next ? parseTarget(next) : null;
      if (target) {
        req.hopsLeft--;
        if (ex.status === 303 || ((ex.status === 301 || ex.status === 302) && req.method === 'POST')) {
          if (req.method !== 'HEAD') req.method = 'GET';
          req.body = null;
          req.headers = withoutBodyHeaders(req.headers);
        }
        req.target = target;
        this.hop(req);
        return;
      }
    }
    let body: Uint8Array | null = ex.responseBody;
    if (body && body.length > 0 && encoding && spec.responseType !== 'none') body = decompress(body as Buffer, encoding);
    req.done({
      url: req.target.href,
      status: ex.status,
      statusText: ex.statusText,
      proto: ex.error ? '' : ex.proto,
      headers: ex.headers,
      body: spec.responseType === 'none' ? null : body,
      responseType: spec.responseType,
      error: ex.error,
      errorCode: ex.errorCode || (ex.status >= 400 ? 1000 + ex.status : 0),
      timings: [ex.blocked, ex.connecting, ex.tlsHandshaking, ex.sending, ex.waiting, ex.receiving, ex.sending + ex.waiting + ex.receiving],
      remoteIp: ex.remoteIp,
      remotePort: ex.remotePort,
      tlsVersion: ex.tlsVersion,
      requestMethod: req.method,
      requestUrl: req.target.href,
      requestHeaders: req.headers,
      requestBody: typeof req.body === 'string' ? req.body : '',
      cookies: req.cookies,
    });
  }

  /** k6's HTTP samples for one hop, all with the same tag set and the hop's end time. */
  private record(io: VuIo, req: Request, ex: Exchange, expected: number[] | false): void {
    const { spec } = req;
    const t = this.tag;
    const status = ex.status;
    let ok = false;
    if (expected !== false) for (let i = 0; i < expected.length; i += 2) if (status >= (expected[i] ?? 0) && status <= (expected[i + 1] ?? -1)) ok = true;
    const url = req.target.href;
    const name = spec.name ?? url;
    const errorCode = ex.errorCode || (status >= 400 ? 1000 + status : 0);
    let base = io.baseTags;
    if (spec.tags) base = base.extend(this.registry.tags, tagsKey(spec.tags), () => spec.tags ?? {});
    const key = `${req.method}\u0001${url}\u0001${name}\u0001${status}\u0001${ex.proto}\u0001${expected === false ? '' : ok}\u0001${ex.error}\u0001${errorCode}\u0001${ex.tlsVersion}`;
    const tags = base.extend(this.registry.tags, key, () => {
      const out: Record<string, string> = {};
      if (t.method) out.method = req.method;
      if (t.url) out.url = url;
      if (t.name) out.name = name;
      if (t.status) out.status = String(status);
      if (t.proto && !ex.error) out.proto = ex.proto;
      if (t.expected_response && expected !== false) out.expected_response = String(ok);
      if (t.error && ex.error) out.error = ex.error;
      if (t.error_code && errorCode) out.error_code = String(errorCode);
      if (t.tls_version && ex.tlsVersion) out.tls_version = ex.tlsVersion;
      return out;
    });
    const r = this.registry;
    const m = this.m;
    const time = ex.endMs;
    r.record(m.reqs, tags, 1, time);
    r.record(m.duration, tags, ex.sending + ex.waiting + ex.receiving, time);
    r.record(m.blocked, tags, ex.blocked, time);
    r.record(m.connecting, tags, ex.connecting, time);
    r.record(m.tls, tags, ex.tlsHandshaking, time);
    r.record(m.sending, tags, ex.sending, time);
    r.record(m.waiting, tags, ex.waiting, time);
    r.record(m.receiving, tags, ex.receiving, time);
    if (expected !== false) r.record(m.failed, tags, ok ? 0 : 1, time);
  }
}

export function tagsKey(tags: Record<string, string>): string {
  let key = '';
  for (const k in tags) key += `${k}\u0001${tags[k]}\u0002`;
  return key;
}

function safeResolve(location: string, base: string): string | null {
  try {
    return new URL(location, base).href;
  } catch {
    return null;
  }
}

function withoutBodyHeaders(headers: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    const lower = (headers[i] ?? '').toLowerCase();
    if (lower === 'content-type' || lower === 'content-length' || lower === 'content-encoding') continue;
    out.push(headers[i] ?? '', headers[i + 1] ?? '');
  }
  return out;
}

function decompress(body: Buffer, encoding: string): Uint8Array {
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipSync(body);
    if (encoding === 'deflate') return inflateSync(body);
    if (encoding === 'br') return brotliDecompressSync(body);
  } catch {
    // Leave the body as received: the script sees what came on the wire.
  }
  return body;
}

export function errorResponse(spec: RequestSpec, error: string, errorCode: number): ResponseInit {
  return {
    url: spec.url,
    status: 0,
    statusText: '',
    proto: '',
    headers: [],
    body: null,
    responseType: spec.responseType,
    error,
    errorCode,
    timings: [0, 0, 0, 0, 0, 0, 0],
    remoteIp: '',
    remotePort: 0,
    tlsVersion: '',
    requestMethod: spec.method,
    requestUrl: spec.url,
    requestHeaders: spec.headers,
    requestBody: typeof spec.body === 'string' ? spec.body : '',
    cookies: [],
  };
}
