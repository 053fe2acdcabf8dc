/**
 * What the script's `k6/http` calls hand to the thread that does the I/O, and what comes back.
 * Plain data, so a VU on its own thread can send it through a MessagePort unchanged.
 */
import type { ResponseCookie } from './cookies.ts';

export interface RequestSpec {
  method: string;
  url: string;
  /** name, value, name, value … as the script gave them. */
  headers: string[];
  body: string | Uint8Array | null;
  timeoutMs: number;
  /** Redirects to follow (0: return the 3xx). */
  redirects: number;
  responseType: 'text' | 'binary' | 'none';
  /** params.tags, without `name`. */
  tags: Record<string, string> | null;
  /** The `name` tag: params.tags.name, an http.url template, or null for the URL. */
  name: string | null;
  /** Expected statuses as [min, max] pairs; null: the VU's setting; false: no callback (no http_req_failed). */
  expected: number[] | false | null;
  cookies: Record<string, { value: string; replace: boolean }> | null;
  /** Cookie jar id: 0 the VU's own, -1 none, else one made with new http.CookieJar(). */
  jar: number;
}

export interface ResponseInit {
  url: string;
  status: number;
  statusText: string;
  proto: string;
  /** name, value, … */
  headers: string[];
  body: Uint8Array | null;
  responseType: 'text' | 'binary' | 'none';
  error: string;
  errorCode: number;
  /** blocked, connecting, tls_handshaking, sending, waiting, receiving, duration (ms). */
  timings: number[];
  remoteIp: string;
  remotePort: number;
  tlsVersion: string;
  requestMethod: string;
  requestUrl: string;
  requestHeaders: string[];
  requestBody: string;
  cookies: ResponseCookie[];
}

/** k6's default: 200–399 are expected. */
export const DEFAULT_EXPECTED: number[] = [200, 399];
