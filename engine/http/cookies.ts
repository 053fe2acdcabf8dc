/**
 * A VU's cookie jar (RFC 6265, the parts k6 scripts use): Set-Cookie parsing with Domain, Path,
 * Expires, Max-Age, Secure and HttpOnly; domain and path matching when sending.
 */
import type { Target } from './url.ts';

export interface StoredCookie {
  name: string;
  value: string;
  domain: string;
  hostOnly: boolean;
  path: string;
  /** Epoch ms; Infinity for a session cookie. */
  expiresMs: number;
  secure: boolean;
  httpOnly: boolean;
}

/** The shape of `res.cookies[name][i]` in k6. */
export interface ResponseCookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  httpOnly: boolean;
  secure: boolean;
  maxAge: number;
  expires: number;
}

export class CookieJar {
  private cookies: StoredCookie[] = [];

  get size(): number {
    return this.cookies.length;
  }

  clearAll(): void {
    this.cookies = [];
  }

  /** Stores the response's Set-Cookie values; returns them in k6's response shape. */
  storeFromResponse(target: Target, setCookies: string[], nowMs: number): ResponseCookie[] {
    const out: ResponseCookie[] = [];
    for (const header of setCookies) {
      const parsed = parseSetCookie(header, target, nowMs);
      if (!parsed) continue;
      out.push(parsed.response);
      this.put(parsed.cookie);
    }
    return out;
  }

  put(cookie: StoredCookie): void {
    this.cookies = this.cookies.filter((c) => !(c.name === cookie.name && c.domain === cookie.domain && c.path === cookie.path));
    if (cookie.expiresMs > Date.now()) this.cookies.push(cookie);
  }

  /** Cookies to send to the target, most specific path first (RFC 6265 §5.4). */
  forTarget(target: Target, nowMs: number): StoredCookie[] {
    if (this.cookies.length === 0) return [];
    const host = target.hostname.toLowerCase();
    const out: StoredCookie[] = [];
    let expired = false;
    for (const c of this.cookies) {
      if (c.expiresMs <= nowMs) {
        expired = true;
        continue;
      }
      if (c.secure && !target.https) continue;
      if (c.hostOnly ? host !== c.domain : !domainMatch(host, c.domain)) continue;
      if (!pathMatch(pathOf(target.path), c.path)) continue;
      out.push(c);
    }
    if (expired) this.cookies = this.cookies.filter((c) => c.expiresMs > nowMs);
    return out.sort((a, b) => b.path.length - a.path.length);
  }

  /** k6's `jar.cookiesForURL(url)`: name → values. */
  namesForTarget(target: Target, nowMs: number): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const c of this.forTarget(target, nowMs)) {
      out[c.name] ??= [];
      out[c.name]!.push(c.value);
    }
    return out;
  }

  set(
    target: Target,
    name: string,
    value: string,
    options: { domain?: string; path?: string; expires?: string; max_age?: number; secure?: boolean; http_only?: boolean },
  ): void {
    const nowMs = Date.now();
    let expiresMs = Infinity;
    if (options.max_age !== undefined) expiresMs = nowMs + options.max_age * 1000;
    else if (options.expires) {
      const t = Date.parse(options.expires);
      if (Number.isFinite(t)) expiresMs = t;
    }
    const domain = options.domain ? options.domain.replace(/^\./, '').toLowerCase() : target.hostname.toLowerCase();
    this.put({
      name,
      value,
      domain,
      hostOnly: !options.domain,
      path: options.path ?? defaultPath(pathOf(target.path)),
      expiresMs,
      secure: options.secure ?? false,
      httpOnly: options.http_only ?? false,
    });
  }

  clear(target: Target): void {
    const host = target.hostname.toLowerCase();
    this.cookies = this.cookies.filter((c) => !(c.hostOnly ? host === c.domain : domainMatch(host, c.domain)));
  }

  delete(target: Target, name: string): void {
    const host = target.hostname.toLowerCase();
    this.cookies = this.cookies.filter((c) => !(c.name === name && (c.hostOnly ? host === c.domain : domainMatch(host, c.domain))));
  }
}

function parseSetCookie(header: string, target: Target, nowMs: number): { cookie: StoredCookie; response: ResponseCookie } | null {
  const parts = header.split(';');
  const first = parts[0] ?? '';
  const eq = first.indexOf('=');
  if (eq <= 0) return null;
  const name = first.slice(0, eq).trim();
  const value = first
    .slice(eq + 1)
    .trim()
    .replace(/^"(.*)"$/, '$1');
  let domain = '';
  let path = '';
  let maxAge: number | null = null;
  let expires: number | null = null;
  let secure = false;
  let httpOnly = false;
  for (const attr of parts.slice(1)) {
    const i = attr.indexOf('=');
    const key = (i < 0 ? attr : attr.slice(0, i)).trim().toLowerCase();
    const val = i < 0 ? '' : attr.slice(i + 1).trim();
    if (key === 'domain') domain = val.replace(/^\./, '').toLowerCase();
    else if (key === 'path') path = val;
    else if (key === 'max-age' && /^-?\d+$/.test(val)) maxAge = Number(val);
    else if (key === 'expires') {
      const t = Date.parse(val);
      if (Number.isFinite(t)) expires = t;
    } else if (key === 'secure') secure = true;
    else if (key === 'httponly') httpOnly = true;
  }
  const host = target.hostname.toLowerCase();
  if (domain && !domainMatch(host, domain)) return null; // a server may not set cookies for another domain
  const expiresMs = maxAge !== null ? (maxAge <= 0 ? 0 : nowMs + maxAge * 1000) : (expires ?? Infinity);
  const cookiePath = path.startsWith('/') ? path : defaultPath(pathOf(target.path));
  return {
    cookie: { name, value, domain: domain || host, hostOnly: !domain, path: cookiePath, expiresMs, secure, httpOnly },
    response: { name, value, domain, path, httpOnly, secure, maxAge: maxAge ?? 0, expires: expires ?? 0 },
  };
}

function pathOf(requestPath: string): string {
  const q = requestPath.indexOf('?');
  return q < 0 ? requestPath : requestPath.slice(0, q);
}

function defaultPath(path: string): string {
  if (!path.startsWith('/')) return '/';
  const last = path.lastIndexOf('/');
  return last <= 0 ? '/' : path.slice(0, last);
}

function domainMatch(host: string, domain: string): boolean {
  return host === domain || (host.endsWith(`.${domain}`) && !/^\d+\.\d+\.\d+\.\d+$/.test(host));
}

function pathMatch(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}
