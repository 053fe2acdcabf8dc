/**
 * A bench run as a user starts it: `npm run bench -- …` (or the node command the script execs) in a
 * process group of its own, as a terminal's foreground job is, so a test can signal the whole group
 * as Ctrl-C does. Helpers watch the run directory to signal at a given phase, and check that no
 * process the bench started outlives it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { ExecutionContext } from 'ava';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.ts';
import { waitFor } from './poll.ts';
import { alive, descendants, procState } from './procs.ts';

export interface BenchProcess {
  child: ChildProcess;
  /** The process group (the npm or node process's pid). */
  pgid: number;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `npm run bench -- args` (via: 'npm'), or the command the npm script execs (via: 'node'). */
export function startBench(args: string[], options: { via?: 'npm' | 'node'; env?: NodeJS.ProcessEnv; uid?: number; gid?: number } = {}): BenchProcess {
  const [command, prefix] =
    (options.via ?? 'npm') === 'npm' ? ['npm', ['run', '--silent', 'bench', '--']] : [process.execPath, ['--import', 'tsx', 'bench/cli.ts']];
  const child = spawn(command as string, [...(prefix as string[]), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    uid: options.uid,
    gid: options.gid,
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, pgid: child.pid!, stdout: () => out, stderr: () => err, exited };
}

/** A bench config in a fresh folder: one local-shop point by default, short windows. */
export async function benchConfig(t: ExecutionContext, fields: Record<string, unknown> = {}): Promise<{ dir: string; config: string; results: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-faults-'));
  // After any mount the test made below it is gone (teardowns run last-registered first).
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const config = {
    name: 'faults',
    matrix: { replicas: [1], ratesRps: [8], repetitions: 1 },
    durationS: 4,
    warmupS: 2,
    pauseS: 0,
    scenarioEnv: { PROBE_INTERVAL: '1', PROBE_POLL: '0.1' },
    ...fields,
  };
  await writeFile(join(dir, 'faults.yml'), JSON.stringify(config));
  return { dir, config: join(dir, 'faults.yml'), results: join(dir, 'results') };
}

/** The one run directory under `results`, once it exists. */
export async function runDirIn(results: string, timeoutMs = 60_000): Promise<string> {
  return waitFor(
    'the run directory',
    async () => {
      const [name] = (await readdir(results).catch(() => [] as string[])).filter((n) => !n.startsWith('.'));
      return name ? join(results, name) : undefined;
    },
    timeoutMs,
    50,
  );
}

/** Resolves once the running point's events.ndjson holds an event of `type`; returns the point folder. */
export async function untilEvent(results: string, type: string, timeoutMs = 60_000): Promise<string> {
  const run = await runDirIn(results, timeoutMs);
  return waitFor(
    `a "${type}" event`,
    async () => {
      for (const name of await readdir(join(run, 'points')).catch(() => [] as string[])) {
        const events = await readFile(join(run, 'points', name, 'events.ndjson'), 'utf8').catch(() => '');
        if (events.includes(`"type":"${type}"`)) return join(run, 'points', name);
      }
      return undefined;
    },
    timeoutMs,
    30,
  );
}

/** Resolves once `path` exists. */
export async function untilExists(path: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(`${path} to exist`, async () => ((await stat(path).catch(() => null)) ? true : undefined), timeoutMs, 20);
}

/** Every process below the bench's process group leader now (the shop, its workers, the sampler, the generator, the watcher). */
export async function processTree(pgid: number): Promise<number[]> {
  return descendants(pgid);
}

/** Waits until none of `pids` runs (a zombie counts as gone); returns those still alive after the wait. */
export async function survivors(pids: number[], timeoutMs = 8000): Promise<number[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const left: number[] = [];
    for (const pid of pids) if (alive(pid) && (await procState(pid)) !== 'Z') left.push(pid);
    if (left.length === 0 || Date.now() > end) return left;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Whether a TCP port on loopback can be bound again (nothing listens there). */
export async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The shop's port, from the point's converged event. */
export async function shopPort(pointDir: string): Promise<number> {
  const events = await readFile(join(pointDir, 'events.ndjson'), 'utf8');
  const converged = events
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; baseUrls?: string[] })
    .find((e) => e.type === 'converged');
  return Number(new URL(converged!.baseUrls![0]!).port);
}

export async function readJsonFile<T = Record<string, unknown>>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/** The event types of a finished point, in order. */
export async function eventTypes(pointDir: string): Promise<string[]> {
  return (await readFile(join(pointDir, 'events.ndjson'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { type: string }).type);
}
