/**
 * What the engine benchmark needs around the tools it runs: the fast Go server and vegeta, built or
 * installed into the user's cache on first use; processes pinned to a core; and a monitor that
 * samples a process's CPU time and RSS (from /proc) next to the server's count of requests served.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { requireBinary } from '../../kernel/binaries.ts';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { statFields } from '../../kernel/process.ts';

export const VEGETA_VERSION = 'v12.13.0';

export function cacheDir(): string {
  const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'cloudlet-bench', 'perf-engine');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Whether a program is on PATH (kernel/binaries.ts's search). */
function hasCommand(name: string): boolean {
  try {
    requireBinary(name, name);
    return true;
  } catch {
    return false;
  }
}

/** The fast server, built from engine/perf/server/main.go, cached by the source's hash. */
export function buildServer(log: (line: string) => void): string {
  const source = fileURLToPath(new URL('./server/main.go', import.meta.url));
  const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 16);
  const dir = join(cacheDir(), `server-${hash}`);
  const bin = join(dir, 'server');
  if (existsSync(bin)) return bin;
  requireBinary('go', 'golang-go');
  log(`building the benchmark server into ${bin}`);
  mkdirSync(dir, { recursive: true });
  execFileSync('go', ['build', '-o', bin, source], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, GOFLAGS: '-mod=mod', GO111MODULE: 'on' },
  });
  return bin;
}

/** vegeta, installed with `go install` into the cache on first use. */
export function ensureVegeta(log: (line: string) => void): string {
  const dir = join(cacheDir(), `vegeta-${VEGETA_VERSION}`);
  const bin = join(dir, 'vegeta');
  if (existsSync(bin)) return bin;
  requireBinary('go', 'golang-go');
  log(`installing vegeta ${VEGETA_VERSION} into ${dir} (go install, about a minute)`);
  mkdirSync(dir, { recursive: true });
  execFileSync('go', ['install', `github.com/tsenart/vegeta/v12@${VEGETA_VERSION}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, GOBIN: dir },
  });
  return bin;
}

export interface Pinning {
  /** CPU list for the tool under test, e.g. "0"; null when taskset is missing. */
  tool: string | null;
  server: string | null;
  note: string;
}

export function pinning(cores: number, toolCores = 1): Pinning {
  if (!hasCommand('taskset')) return { tool: null, server: null, note: 'taskset not found: nothing pinned' };
  if (cores < 2) return { tool: null, server: null, note: 'one core: tool and server share it' };
  const tool = Array.from({ length: Math.min(toolCores, cores - 1) }, (_, i) => i).join(',');
  const server = String(cores - 1);
  return { tool, server, note: `tool on core${toolCores > 1 ? 's' : ''} ${tool}, server on core ${server}` };
}

export function pinned(cpus: string | null, command: string, args: string[]): [string, string[]] {
  return cpus === null ? [command, args] : ['taskset', ['-c', cpus, command, ...args]];
}

export interface Server {
  url: string;
  port: number;
  process: ChildProcess;
  served(): Promise<number>;
  stop(): Promise<void>;
}

/** Sockets to 127.0.0.1 in TIME_WAIT (from /proc/net/tcp, state 06). */
function timeWaitCount(): number {
  try {
    return readFileSync('/proc/net/tcp', 'utf8')
      .split('\n')
      .filter((l) => / 0100007F:[0-9A-F]+ 06 /.test(l)).length;
  } catch {
    return 0;
  }
}

/**
 * A tool that overloads opens connections by the thousand (vegeta's workers are unlimited); the
 * TIME_WAIT sockets they leave for a minute make the next tool's connects slow. Waits (at most 70 s)
 * until fewer than `below` remain, so one run does not disturb the next.
 */
export async function settleSockets(log: (line: string) => void, below = 3000): Promise<void> {
  const start = Date.now();
  let n = timeWaitCount();
  if (n < below) return;
  log(`  waiting for ${n} TIME_WAIT sockets from the last run to expire`);
  while (n >= below && Date.now() - start < 70_000) {
    await new Promise((r) => setTimeout(r, 1000));
    n = timeWaitCount();
  }
}

export async function startServer(bin: string, cpus: string | null, delay = '0s'): Promise<Server> {
  const [cmd, args] = pinned(cpus, bin, ['-addr', '127.0.0.1:0', '-delay', delay]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const address = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', (line) => resolve(line.trim()));
    child.once('exit', (code) => reject(new Error(`the benchmark server exited with code ${code}`)));
  });
  const url = `http://${address}`;
  return {
    url,
    port: Number(address.split(':').pop()),
    process: child,
    served: async () => Number((await (await fetch(`${url}/__stats`)).text()).trim()),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) resolve();
        else {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }
      }),
  };
}

const TICKS_PER_S = 100;

export interface Sample {
  tMs: number;
  cpuS: number;
  rssMB: number;
  served: number;
}

/** CPU seconds (user+system, all threads) and RSS of a process, or null once it is gone. */
export function procStat(pid: number): { cpuS: number; rssMB: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = statFields(stat) ?? [];
    const cpuS = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { cpuS, rssMB: rssKB / 1024 };
  } catch {
    return null;
  }
}

/** Samples a process every `everyMs` until it exits. */
export function monitor(pid: number, server: Server, everyMs = 250): { stop(): Promise<Sample[]> } {
  const samples: Sample[] = [];
  const start = Date.now();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    const stat = procStat(pid);
    void server
      .served()
      .then((served) => {
        if (stat) samples.push({ tMs: Date.now() - start, cpuS: stat.cpuS, rssMB: stat.rssMB, served });
      })
      .catch(() => {})
      .finally(() => (busy = false));
  }, everyMs);
  return {
    stop: async () => {
      clearInterval(timer);
      return samples;
    },
  };
}

/**
 * Time the host ran something else while these CPUs had work (the steal column of /proc/stat, in a
 * virtual machine), in ms summed over them; null where it cannot be read. Steal delays every wake-up
 * on those CPUs: a round with more of it has a higher schedule error, whatever the tool.
 */
export function stealMs(cpus: string | null): number | null {
  let text: string;
  try {
    text = readFileSync('/proc/stat', 'utf8');
  } catch {
    return null;
  }
  const want = cpus === null ? null : new Set(cpus.split(','));
  let ticks = 0;
  for (const line of text.split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m?.[1] || !m[2] || (want && !want.has(m[1]))) continue;
    ticks += Number(m[2].trim().split(/\s+/)[7] ?? 0) || 0;
  }
  return (ticks * 1000) / TICKS_PER_S;
}

/**
 * CPU seconds per 1,000 requests in the steady window: from 1 s after the server saw the tool's first
 * request to 1 s before its last, so start-up (bundling, JIT) and the tail are left out for every tool.
 */
export function cpuPer1k(samples: Sample[]): number | null {
  const first = samples.findIndex((s, i) => i > 0 && s.served > (samples[0]?.served ?? 0));
  let last = samples.length - 1;
  while (last > 0 && (samples[last]?.served ?? 0) === (samples[last - 1]?.served ?? 0)) last--;
  if (first < 0 || last <= first) return null;
  const from = samples.find((s) => s.tMs >= (samples[first]?.tMs ?? 0) + 1000);
  const to = [...samples].reverse().find((s) => s.tMs <= (samples[last]?.tMs ?? 0) - 1000);
  if (!from || !to || to.served - from.served < 100) return null;
  return ((to.cpuS - from.cpuS) / (to.served - from.served)) * 1000;
}

export function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: string; stdoutFile?: string } = {},
): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(command, args, { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-20_000)));
  child.stdin?.end(options.stdin ?? '');
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}
