/** Parsed request targets, cached by URL string (scripts usually hit a handful of URLs many times). */

export interface Target {
  href: string;
  https: boolean;
  hostname: string;
  port: number;
  /** Path and query, as sent on the request line. */
  path: string;
  /** Host header value. */
  host: string;
  /** Connection pool key: scheme://host:port. */
  origin: string;
}

const cache = new Map<string, Target>();
const CACHE_LIMIT = 50_000;

/** Null for anything but an absolute http(s) URL. */
export function parseTarget(url: string): Target | null {
  const hit = cache.get(url);
  if (hit) return hit;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  const https = u.protocol === 'https:';
  const port = u.port ? Number(u.port) : https ? 443 : 80;
  const hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const target: Target = {
    href: u.href,
    https,
    hostname,
    port,
    path: (u.pathname || '/') + u.search,
    host: u.host,
    origin: `${u.protocol}//${u.host}`,
  };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(url, target);
  return target;
}
