/**
 * k6's http.Response, built from a ResponseInit. Headers, body text, the request and cookies are made
 * only when the script reads them; json() takes k6's (GJSON) selector syntax for the common cases:
 * `a.b`, `items.0.name`, `items.#` (length), `items.#.id` (one field of every element).
 */
import type { ResponseInit } from '../http/types.ts';

export class Response {
  readonly status: number;
  readonly status_text: string;
  readonly proto: string;
  readonly url: string;
  readonly error: string;
  readonly error_code: number;
  readonly remote_ip: string;
  readonly remote_port: number;
  readonly tls_version: string;
  readonly tls_cipher_suite = '';
  readonly ocsp = { produced_at: 0, this_update: 0, next_update: 0, revocation_reason: '', revoked_at: 0, status: '' };
  readonly timings: { blocked: number; connecting: number; tls_handshaking: number; sending: number; waiting: number; receiving: number; duration: number };
  private readonly init: ResponseInit;
  private bodyCache: string | ArrayBuffer | null | undefined = undefined;
  private headersCache: Record<string, string> | null = null;
  private parsedJson: unknown = undefined;

  constructor(
    init: ResponseInit,
    private readonly jsonParse: (text: string) => unknown = JSON.parse,
  ) {
    this.init = init;
    this.status = init.status;
    this.status_text = init.status ? `${init.status} ${init.statusText}`.trim() : '';
    this.proto = init.proto;
    this.url = init.url;
    this.error = init.error;
    this.error_code = init.errorCode;
    this.remote_ip = init.remoteIp;
    this.remote_port = init.remotePort;
    this.tls_version = init.tlsVersion;
    const t = init.timings;
    this.timings = {
      blocked: t[0] ?? 0,
      connecting: t[1] ?? 0,
      tls_handshaking: t[2] ?? 0,
      sending: t[3] ?? 0,
      waiting: t[4] ?? 0,
      receiving: t[5] ?? 0,
      duration: t[6] ?? 0,
    };
  }

  get body(): string | ArrayBuffer | null {
    if (this.bodyCache === undefined) {
      const raw = this.init.body;
      if (!raw || this.init.responseType === 'none') this.bodyCache = this.init.responseType === 'text' && !this.init.error ? '' : null;
      else if (this.init.responseType === 'binary') this.bodyCache = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength) as ArrayBuffer;
      else this.bodyCache = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
      if (this.bodyCache === '' && !raw && this.init.responseType === 'text') this.bodyCache = '';
    }
    return this.bodyCache;
  }

  set body(value: string | ArrayBuffer | null) {
    this.bodyCache = value;
  }

  /** Header names in canonical form (Content-Type), values of repeated headers joined with ", ". */
  get headers(): Record<string, string> {
    if (!this.headersCache) this.headersCache = headerObject(this.init.headers);
    return this.headersCache;
  }

  get cookies(): Record<
    string,
    { name: string; value: string; domain: string; path: string; httpOnly: boolean; secure: boolean; maxAge: number; expires: number }[]
  > {
    const out: Record<string, ReturnType<() => Response['init']['cookies'][number]>[]> = {};
    for (const c of this.init.cookies) {
      out[c.name] ??= [];
      out[c.name]!.push(c);
    }
    return out;
  }

  get request(): { method: string; url: string; headers: Record<string, string[]>; body: string; cookies: Record<string, never[]> } {
    const headers: Record<string, string[]> = {};
    const list = this.init.requestHeaders;
    for (let i = 0; i < list.length; i += 2) {
      const name = canonical(list[i] ?? '');
      headers[name] ??= [];
      headers[name]!.push(list[i + 1] ?? '');
    }
    return { method: this.init.requestMethod, url: this.init.requestUrl, headers, body: this.init.requestBody, cookies: {} };
  }

  json(selector?: string): unknown {
    const body = this.body;
    if (typeof body !== 'string') {
      if (body === null) throw new Error('cannot parse the response body as JSON: the body is null (responseType "none" or discardResponseBodies)');
      throw new Error('json() needs a text body (responseType "text")');
    }
    if (this.parsedJson === undefined) {
      try {
        this.parsedJson = this.jsonParse(body);
      } catch (error) {
        throw new Error(`cannot parse the response body as JSON: ${(error as Error).message}`);
      }
    }
    if (selector === undefined) return this.parsedJson;
    const value = selectJson(this.parsedJson, selector);
    return value === undefined ? undefined : value;
  }

  html(): never {
    throw new Error('res.html() needs k6/html, which this engine does not support; parse the body with res.body or res.json()');
  }

  clickLink(): never {
    throw new Error('res.clickLink() needs k6/html, which this engine does not support');
  }

  submitForm(): never {
    throw new Error('res.submitForm() needs k6/html, which this engine does not support');
  }
}

function canonical(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}

function headerObject(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < list.length; i += 2) {
    const name = canonical(list[i] ?? '');
    const value = list[i + 1] ?? '';
    out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`;
  }
  return out;
}

/** GJSON path subset: dot-separated keys, array indexes, `#` for length or for mapping over an array. */
export function selectJson(root: unknown, selector: string): unknown {
  const parts = splitPath(selector);
  return walk(root, parts, 0);
}

function walk(value: unknown, parts: string[], i: number): unknown {
  if (i === parts.length) return value;
  const part = parts[i] ?? '';
  if (part === '#') {
    if (!Array.isArray(value)) return undefined;
    if (i === parts.length - 1) return value.length;
    return value.map((item) => walk(item, parts, i + 1)).filter((v) => v !== undefined);
  }
  if (Array.isArray(value)) {
    if (!/^\d+$/.test(part)) return undefined;
    return walk(value[Number(part)], parts, i + 1);
  }
  if (value !== null && typeof value === 'object' && Object.hasOwn(value, part)) {
    return walk((value as Record<string, unknown>)[part], parts, i + 1);
  }
  return undefined;
}

function splitPath(selector: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '\\' && i + 1 < selector.length) current += selector[++i];
    else if (c === '.') {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}
