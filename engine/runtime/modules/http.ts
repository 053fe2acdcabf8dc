/**
 * `k6/http`: the request functions turn their arguments into a RequestSpec for the VU's backend and
 * wrap what comes back in a Response. request/get/post/… and batch block their VU (thread mode);
 * asyncRequest does not.
 */
import { parseDurationMs } from '../../time.ts';
import { DEFAULT_EXPECTED, type RequestSpec, type ResponseInit } from '../../http/types.ts';
import { Response } from '../response.ts';
import type { VuRuntime } from '../vu.ts';

const HTTP_URL = Symbol('k6 http.url');
const FILE_DATA = Symbol('k6 http.file');
const EXPECTED = Symbol('k6 expectedStatuses');

interface HttpUrl {
  [HTTP_URL]: true;
  url: string;
  name: string;
}

interface FileData {
  [FILE_DATA]: true;
  data: string | ArrayBuffer;
  filename: string;
  content_type: string;
}

interface Expected {
  [EXPECTED]: number[];
}

export function createHttp(vu: VuRuntime): Record<string, unknown> {
  const backend = vu.backend;
  const cfg = vu.config;
  const wrap = (init: ResponseInit): Response => {
    const res = new Response(init, vu.jsonParse);
    if (cfg.throwOnError && init.error) throw new Error(init.error);
    return res;
  };
  const checkPhase = (what: string) => {
    if (vu.phase === 'init') throw new Error(`${what}: making HTTP requests in the init context is not supported; move it into a function (setup or default)`);
  };
  const sync = (name: string, method: string, url: unknown, body: unknown, params: unknown) => {
    checkPhase(`http.${name}()`);
    if (!backend.blocking) throw new Error(blockingMessage(`http.${name}()`));
    return wrap(backend.requestSync(spec(vu, method, url, body, params)));
  };

  class CookieJar {
    readonly id: number;
    constructor(id?: number) {
      this.id = id ?? backend.newJarId();
    }
    cookiesForURL(url: string): Record<string, string[]> {
      return (backend.jar({ op: 'cookiesForURL', jar: this.id, url: String(url) }) as Record<string, string[]>) ?? {};
    }
    set(url: string, name: string, value: string, options?: Record<string, unknown> | null): void {
      backend.jar({ op: 'set', jar: this.id, url: String(url), name: String(name), value: String(value), options: options ?? {} });
    }
    clear(url: string): void {
      backend.jar({ op: 'clear', jar: this.id, url: String(url) });
    }
    delete(url: string, name: string): void {
      backend.jar({ op: 'delete', jar: this.id, url: String(url), name: String(name) });
    }
  }
  const vuJar = new CookieJar(0);

  const http = {
    request: (method: unknown, url: unknown, body?: unknown, params?: unknown) => sync('request', String(method).toUpperCase(), url, body, params),
    get: (url: unknown, params?: unknown) => sync('get', 'GET', url, null, params),
    head: (url: unknown, params?: unknown) => sync('head', 'HEAD', url, null, params),
    post: (url: unknown, body?: unknown, params?: unknown) => sync('post', 'POST', url, body, params),
    put: (url: unknown, body?: unknown, params?: unknown) => sync('put', 'PUT', url, body, params),
    patch: (url: unknown, body?: unknown, params?: unknown) => sync('patch', 'PATCH', url, body, params),
    del: (url: unknown, body?: unknown, params?: unknown) => sync('del', 'DELETE', url, body, params),
    options: (url: unknown, body?: unknown, params?: unknown) => sync('options', 'OPTIONS', url, body, params),
    asyncRequest(method: unknown, url: unknown, body?: unknown, params?: unknown): Promise<Response> {
      checkPhase('http.asyncRequest()');
      let s: RequestSpec;
      try {
        s = spec(vu, String(method).toUpperCase(), url, body, params);
      } catch (error) {
        return Promise.reject(error);
      }
      vu.opStarted();
      return backend.request(s).then(
        (init) => {
          vu.opEnded();
          return wrap(init);
        },
        (error: unknown) => {
          vu.opEnded();
          throw error;
        },
      );
    },
    batch(requests: unknown): unknown {
      checkPhase('http.batch()');
      if (!backend.blocking) throw new Error(blockingMessage('http.batch()'));
      if (requests === null || typeof requests !== 'object') throw new TypeError('http.batch(): expected an array or an object of requests');
      const entries = Array.isArray(requests) ? requests.map((r, i) => [String(i), r] as const) : Object.entries(requests as Record<string, unknown>);
      const specs = entries.map(([, r]) => batchSpec(vu, r));
      const results = backend.batchSync(specs).map(wrap);
      if (Array.isArray(requests)) return results;
      return Object.fromEntries(entries.map(([key], i) => [key, results[i]]));
    },
    url(strings: TemplateStringsArray, ...values: unknown[]): HttpUrl {
      let url = '';
      let name = '';
      strings.forEach((s, i) => {
        url += s;
        name += s;
        if (i < values.length) {
          url += String(values[i]);
          // biome-ignore lint/suspicious/noTemplateCurlyInString: k6 names a templated URL with a literal ${} per value
          name += '${}';
        }
      });
      return { [HTTP_URL]: true, url, name };
    },
    file(data: unknown, filename?: unknown, contentType?: unknown): FileData {
      if (typeof data !== 'string' && !isArrayBuffer(data)) throw new TypeError('http.file(): the data must be a string or an ArrayBuffer');
      return {
        [FILE_DATA]: true,
        data: data as string | ArrayBuffer,
        filename: filename === undefined ? `file-${Date.now()}` : String(filename),
        content_type: contentType === undefined ? 'application/octet-stream' : String(contentType),
      };
    },
    cookieJar: () => vuJar,
    CookieJar,
    expectedStatuses(...args: unknown[]): Expected {
      const pairs: number[] = [];
      for (const a of args) {
        if (typeof a === 'number' && Number.isInteger(a)) pairs.push(a, a);
        else if (a && typeof a === 'object' && Number.isInteger((a as { min?: unknown }).min) && Number.isInteger((a as { max?: unknown }).max))
          pairs.push((a as { min: number }).min, (a as { max: number }).max);
        else throw new TypeError('http.expectedStatuses(): each argument is a status or { min, max }');
      }
      return { [EXPECTED]: pairs };
    },
    setResponseCallback(callback: unknown): void {
      if (callback === null || callback === undefined) backend.setExpected(false);
      else if (typeof callback === 'object' && EXPECTED in callback) backend.setExpected((callback as Expected)[EXPECTED]);
      else throw new TypeError('http.setResponseCallback(): expected http.expectedStatuses(...) or null');
    },
    TLS_1_0: 'tls1.0',
    TLS_1_1: 'tls1.1',
    TLS_1_2: 'tls1.2',
    TLS_1_3: 'tls1.3',
    SSL_3_0: 'ssl3.0',
    OCSP_STATUS_GOOD: 'good',
    OCSP_STATUS_REVOKED: 'revoked',
    OCSP_STATUS_SERVER_FAILED: 'server_failed',
    OCSP_STATUS_UNKNOWN: 'unknown',
  };
  return { ...http, default: http };
}

export function blockingMessage(call: string): string {
  return `${call} blocks its VU until it returns, and this VU runs in async mode (VUs sharing a thread); use http.asyncRequest and timers, or run with --vu-mode=thread (a thread per VU)`;
}

function isArrayBuffer(value: unknown): boolean {
  return value instanceof ArrayBuffer || Object.prototype.toString.call(value) === '[object ArrayBuffer]' || ArrayBuffer.isView(value);
}

function batchSpec(vu: VuRuntime, request: unknown): RequestSpec {
  if (typeof request === 'string' || (request && typeof request === 'object' && HTTP_URL in request)) return spec(vu, 'GET', request, null, null);
  if (Array.isArray(request)) return spec(vu, String(request[0] ?? 'GET').toUpperCase(), request[1], request[2] ?? null, request[3] ?? null);
  if (request && typeof request === 'object') {
    const r = request as { method?: unknown; url?: unknown; body?: unknown; params?: unknown };
    return spec(vu, String(r.method ?? 'GET').toUpperCase(), r.url, r.body ?? null, r.params ?? null);
  }
  throw new TypeError('http.batch(): a request is a URL, [method, url, body, params] or { method, url, body, params }');
}

function spec(vu: VuRuntime, method: string, urlArg: unknown, body: unknown, paramsArg: unknown): RequestSpec {
  let url: string;
  let name: string | null = null;
  if (typeof urlArg === 'string') url = urlArg;
  else if (urlArg && typeof urlArg === 'object' && HTTP_URL in urlArg) {
    url = (urlArg as HttpUrl).url;
    name = (urlArg as HttpUrl).name;
  } else throw new TypeError(`invalid URL ${JSON.stringify(urlArg)}: expected a string or http.url\`…\``);
  if (!/^https?:\/\//i.test(url)) throw new TypeError(`invalid URL ${JSON.stringify(url)}: only absolute http:// and https:// URLs are supported`);
  const params = (paramsArg ?? {}) as Record<string, unknown>;
  if (typeof params !== 'object') throw new TypeError('params: expected an object');
  const headers: string[] = [];
  if (params.headers && typeof params.headers === 'object') {
    for (const [k, v] of Object.entries(params.headers as Record<string, unknown>)) headers.push(k, String(v));
  }
  let tags: Record<string, string> | null = null;
  if (params.tags && typeof params.tags === 'object') {
    for (const [k, v] of Object.entries(params.tags as Record<string, unknown>)) {
      if (k === 'name') name = String(v);
      else {
        tags ??= {};
        tags[k] = String(v);
      }
    }
  }
  let timeoutMs = 60_000;
  if (params.timeout !== undefined) {
    const t = typeof params.timeout === 'number' ? params.timeout : parseDurationMs(params.timeout);
    if (t === null || !(t > 0)) throw new TypeError(`params.timeout: expected a duration such as "10s" or milliseconds, got ${JSON.stringify(params.timeout)}`);
    timeoutMs = t;
  }
  let responseType: RequestSpec['responseType'] = vu.config.discardResponseBodies ? 'none' : 'text';
  if (params.responseType !== undefined) {
    if (params.responseType !== 'text' && params.responseType !== 'binary' && params.responseType !== 'none')
      throw new TypeError('params.responseType: expected "text", "binary" or "none"');
    responseType = params.responseType;
  }
  let redirects = vu.config.maxRedirects;
  if (params.redirects !== undefined) {
    if (typeof params.redirects !== 'number' || params.redirects < 0) throw new TypeError('params.redirects: expected a number ≥ 0');
    redirects = Math.floor(params.redirects);
  }
  let expected: number[] | false | null = null;
  if (params.responseCallback !== undefined) {
    if (params.responseCallback === null) expected = false;
    else if (typeof params.responseCallback === 'object' && EXPECTED in params.responseCallback) expected = (params.responseCallback as Expected)[EXPECTED];
    else throw new TypeError('params.responseCallback: expected http.expectedStatuses(...) or null');
  }
  let cookies: RequestSpec['cookies'] = null;
  if (params.cookies && typeof params.cookies === 'object') {
    cookies = {};
    for (const [k, v] of Object.entries(params.cookies as Record<string, unknown>)) {
      if (v && typeof v === 'object')
        cookies[k] = { value: String((v as { value?: unknown }).value ?? ''), replace: Boolean((v as { replace?: unknown }).replace) };
      else cookies[k] = { value: String(v), replace: false };
    }
  }
  let jar = 0;
  if (params.jar !== undefined) {
    if (params.jar === null) jar = -1;
    else if (typeof params.jar === 'object' && typeof (params.jar as { id?: unknown }).id === 'number') jar = (params.jar as { id: number }).id;
    else throw new TypeError('params.jar: expected a CookieJar (http.cookieJar() or new http.CookieJar())');
  }
  if (params.auth !== undefined) {
    if (params.auth !== 'basic') throw new Error(`params.auth "${String(params.auth)}" is not supported by this engine (basic only)`);
    const u = new URL(url);
    if (u.username || u.password) {
      headers.push('Authorization', `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`);
      u.username = '';
      u.password = '';
      url = u.href;
    }
  }
  if (params.compression !== undefined) throw new Error('params.compression is not supported by this engine');
  return { method, url, headers, body: encodeBody(body, headers), timeoutMs, redirects, responseType, tags, name, expected, cookies, jar };
}

function hasHeader(headers: string[], name: string): boolean {
  for (let i = 0; i < headers.length; i += 2) if ((headers[i] ?? '').toLowerCase() === name) return true;
  return false;
}

/** string as is; ArrayBuffer as bytes; an object as a form (multipart when it holds http.file values). */
function encodeBody(body: unknown, headers: string[]): string | Uint8Array | null {
  if (body === null || body === undefined) return null;
  if (typeof body === 'string') return body;
  if (body instanceof ArrayBuffer || Object.prototype.toString.call(body) === '[object ArrayBuffer]') return new Uint8Array(body as ArrayBuffer);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (typeof body === 'object') {
    const entries = Object.entries(body as Record<string, unknown>);
    if (entries.some(([, v]) => v && typeof v === 'object' && FILE_DATA in v)) {
      const boundary = `----k6boundary${Math.random().toString(16).slice(2)}`;
      const parts: Buffer[] = [];
      for (const [k, v] of entries) {
        if (v && typeof v === 'object' && FILE_DATA in v) {
          const f = v as FileData;
          parts.push(
            Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"; filename="${f.filename}"\r\nContent-Type: ${f.content_type}\r\n\r\n`),
          );
          parts.push(typeof f.data === 'string' ? Buffer.from(f.data) : Buffer.from(f.data));
          parts.push(Buffer.from('\r\n'));
        } else parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${String(v)}\r\n`));
      }
      parts.push(Buffer.from(`--${boundary}--\r\n`));
      if (!hasHeader(headers, 'content-type')) headers.push('Content-Type', `multipart/form-data; boundary=${boundary}`);
      return new Uint8Array(Buffer.concat(parts));
    }
    if (!hasHeader(headers, 'content-type')) headers.push('Content-Type', 'application/x-www-form-urlencoded');
    return entries.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
  }
  return String(body);
}

export { DEFAULT_EXPECTED };
