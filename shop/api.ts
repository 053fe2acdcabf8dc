import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, itemTypesBody, itemsByTypesBody, spacedJson } from './model.ts';

/** Where orders live: in-process (one replica) or in the primary over IPC (several). */
export interface OrderStore {
  placeOrder(body: unknown): Promise<void>;
  /** The fulfilment list, already serialised. */
  fulfillmentBody(): Promise<string>;
}

export interface ApiOptions {
  store: OrderStore;
  /** Busy CPU time spent per request, to stand in for the work of the Go services. */
  cpuMs: number;
  /** What `GET /reverse-proxy-url` answers (the web service's setting). */
  reverseProxyUrl: string;
  /**
   * Answer as upstream's gateway does: spaces in the JSON, a `Grpc-Metadata-Content-Type` header,
   * item types in a random order per request, 501 for a wrong method.
   */
  upstream?: boolean;
}

/** Spins for `ms` of wall time on this core: a tunable stand-in for per-request work. */
export function burnCpu(ms: number): void {
  if (ms <= 0) return;
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x = (x * 1103515245 + 12345) % 2147483648;
  if (x === -1) throw new Error('unreachable');
}

function send(res: ServerResponse, status: number, body: string, upstream = false): void {
  res.writeHead(status, {
    'Content-Type': 'application/json',
    ...(upstream && status < 400 ? { 'Grpc-Metadata-Content-Type': 'application/grpc' } : {}),
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

function shuffled<T>(list: T[]): T[] {
  const copy = [...list];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

function sendError(res: ServerResponse, status: number, grpcCode: number, message: string): void {
  send(res, status, JSON.stringify({ code: grpcCode, message, details: [] }));
}

const MAX_BODY_BYTES = 1 << 20;
/** Deeper JSON than this is refused before it is parsed or passed between processes (an order is 3 deep). */
export const MAX_JSON_DEPTH = 32;

/** The nesting depth of JSON text, counted outside strings in one pass (no recursion, so no stack to overflow). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new ApiError(413, 8, 'request body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The Go coffee shop's HTTP API: the proxy's four endpoints and the web service's reverse-proxy-url. */
export function createApiHandler(options: ApiOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(req, res, options).catch((error: unknown) => {
      if (error instanceof ApiError) sendError(res, error.httpStatus, error.grpcCode, error.message);
      else sendError(res, 500, 13, error instanceof Error ? error.message : String(error));
    });
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, options: ApiOptions): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const method = req.method ?? 'GET';
  burnCpu(options.cpuMs);
  const upstream = options.upstream === true;
  const route = (want: string): boolean => {
    if (method === want) return true;
    throw new ApiError(upstream ? 501 : 405, 12, 'Method Not Allowed');
  };
  const json = upstream ? spacedJson : JSON.stringify;
  if (path === '/v1/api/item-types') {
    route('GET');
    const body = itemTypesBody();
    return send(res, 200, json(upstream ? { itemTypes: shuffled(body.itemTypes) } : body), upstream);
  }
  if (path.startsWith('/v1/api/items-by-types/')) {
    route('GET');
    return send(res, 200, json(itemsByTypesBody(path.slice('/v1/api/items-by-types/'.length))), upstream);
  }
  if (path === '/v1/api/orders') {
    route('POST');
    const text = await readBody(req);
    if (jsonDepth(text) > MAX_JSON_DEPTH) throw new ApiError(400, 3, `request body is nested deeper than ${MAX_JSON_DEPTH} levels`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiError(400, 3, 'request body is not valid JSON');
    }
    await options.store.placeOrder(body);
    return send(res, 200, '{}', upstream);
  }
  if (path === '/v1/fulfillment-orders') {
    route('GET');
    return send(res, 200, await options.store.fulfillmentBody(), upstream);
  }
  if (path === '/reverse-proxy-url') {
    route('GET');
    return send(res, 200, JSON.stringify({ url: options.reverseProxyUrl }));
  }
  throw new ApiError(404, 5, 'Not Found');
}
