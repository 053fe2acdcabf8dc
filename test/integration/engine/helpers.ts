/**
 * Conformance-test support: a loopback HTTP server with the endpoints the k6 scripts in scripts/
 * exercise, and a runner for `engine run` as a user runs it (through tsx, as `npm run engine` does),
 * returning the exit code, the output and the --summary-export document.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { REPO_ROOT, runEntry, type CommandResult } from '../../helpers/cli.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

export interface TestTarget {
  url: string;
  /** Requests served, by path. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => resolve(text));
  });
}

/**
 * /ok → "ok"; /json → {"name":"engine","items":[{"id":1},{"id":2},{"id":3}]}; /status/N → status N;
 * /redirect/N → a chain of N redirects ending at /ok; /set-cookie?k=v → Set-Cookie k=v; /echo → the
 * request (method, headers, cookies, body) as JSON; /delay?ms=N → "ok" after N ms; /bytes?n=N → N bytes.
 */
export async function startTarget(t: ExecutionContext): Promise<TestTarget> {
  const hits = new Map<string, number>();
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    const path = url.pathname;
    if (path === '/ok') return void res.end('ok');
    if (path === '/json') {
      res.setHeader('Content-Type', 'application/json');
      return void res.end(JSON.stringify({ name: 'engine', items: [{ id: 1 }, { id: 2 }, { id: 3 }] }));
    }
    if (path.startsWith('/status/')) {
      res.statusCode = Number(path.slice(8));
      return void res.end(`status ${res.statusCode}`);
    }
    if (path.startsWith('/redirect/')) {
      const n = Number(path.slice(10));
      res.statusCode = 302;
      res.setHeader('Location', n > 1 ? `/redirect/${n - 1}` : '/ok');
      return void res.end();
    }
    if (path === '/set-cookie') {
      res.setHeader(
        'Set-Cookie',
        [...url.searchParams].map(([k, v]) => `${k}=${v}; Path=/`),
      );
      return void res.end('set');
    }
    if (path === '/echo') {
      const text = await body(req);
      res.setHeader('Content-Type', 'application/json');
      return void res.end(
        JSON.stringify({ method: req.method, headers: req.headers, cookie: req.headers.cookie ?? '', body: text, query: Object.fromEntries(url.searchParams) }),
      );
    }
    if (path === '/delay') {
      setTimeout(() => res.end('ok'), Number(url.searchParams.get('ms') ?? 0));
      return;
    }
    if (path === '/bytes') return void res.end(Buffer.alloc(Number(url.searchParams.get('n') ?? 0), 0x61));
    res.statusCode = 404;
    res.end('not found');
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  t.teardown(close);
  return { url: `http://127.0.0.1:${port}`, hits, close };
}

export const SCRIPTS = join(REPO_ROOT, 'test/integration/engine/scripts');

export interface EngineRun extends CommandResult {
  summary: SummaryExportDoc | null;
  dir: string;
}

export interface SummaryExportDoc {
  metrics: Record<string, Record<string, number | Record<string, boolean>>>;
  root_group: { groups: Record<string, unknown>; checks: Record<string, { passes: number; fails: number }> };
  engine_metrics_info: Record<string, { type: string; unit: string; better: string }>;
  engine: { samples: Record<string, number>; testRunDurationMs: number };
}

/** `engine run SCRIPT` with --summary-export into a temp dir; args after the script. */
export async function runScript(
  t: ExecutionContext,
  script: string,
  args: string[] = [],
  options: { env?: NodeJS.ProcessEnv; onSpawn?: (pid: number) => void; onStderr?: (text: string) => void; timeoutMs?: number } = {},
): Promise<EngineRun> {
  const dir = await tempDir(t, 'engine-test-');
  const summaryPath = join(dir, 'summary.json');
  const path = script.startsWith('/') ? script : join(SCRIPTS, script);
  const result = await runEntry(join(REPO_ROOT, 'engine/cli.ts'), ['run', path, '-q', '--summary-export', summaryPath, ...args], options);
  const summary = await readFile(summaryPath, 'utf8').then(
    (text) => JSON.parse(text) as SummaryExportDoc,
    () => null,
  );
  return { ...result, summary, dir };
}

export function count(run: EngineRun, metric: string, field = 'count'): number {
  const value = run.summary?.metrics[metric]?.[field];
  return typeof value === 'number' ? value : 0;
}
