import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EnvironmentError } from '../../kernel/errors.ts';
import { outputError } from '../../kernel/files.ts';
import { processSupervisor } from '../../kernel/supervise.ts';
import { K6_EXIT } from '../../rundir/k6.ts';
import type { LoadGeneratorInfo } from '../../rundir/types.ts';
import { ENGINE_NODE_FLAGS } from '../../engine/node-flags.ts';
import { ENGINE_VERSION, READY_ENV, READY_LINE } from '../../engine/version.ts';

/**
 * The load stage's one interface. Two adapters run the same k6 script with the same flags and write
 * the same files: this project's k6-compatible engine (engine/), and a user's own k6 binary (K6_BIN,
 * or `k6` on PATH of the pinned major version). Which one ran is recorded in the manifest.
 */

const run = promisify(execFile);

/** The k6 major version the scenarios and flags are written for. */
export const K6_MAJOR = 2;

export interface LoadRunOptions {
  /** Scenario file path. */
  script: string;
  env: Record<string, string>;
  tags: Record<string, string>;
  /** Where k6-summary.json goes; null for warm-up runs. */
  summaryPath: string | null;
  /** Where the raw samples go (`.ndjson.gz`); null for warm-up runs. */
  samplesPath: string | null;
  /** Where the engine writes its HdrHistogram interval log (k6 has none); null or absent for none. */
  hdrPath?: string | null;
  /** The generator's stdout and stderr. */
  logPath: string;
  /** Aborting sends SIGINT: the generator stops gracefully and still writes its files. */
  signal?: AbortSignal;
  /** Aborting (a second Ctrl-C) stops the generator at once; what it wrote so far stays. */
  force?: AbortSignal;
  /** This generator's share when several split the load, k6's `--execution-segment`, e.g. `1/3:2/3`. */
  segment?: string;
}

export interface LoadRunResult {
  exitCode: number;
  thresholdsPassed: boolean;
  interrupted: boolean;
  durationMs: number;
}

export interface LoadGenerator {
  readonly info: LoadGeneratorInfo;
  run(options: LoadRunOptions): Promise<LoadRunResult>;
}

export const NO_K6_MESSAGE = [
  `--load-generator k6 needs your own k6 ${K6_MAJOR}.x, and none was found:`,
  `set K6_BIN to its path, or put it on PATH or at ~/.cache/cloudlet-bench/k6/k6.`,
  "Or use --load-generator engine (this project's k6-compatible engine; the default when no k6 is found).",
].join(' ');

/** `k6 v2.0.1 (go1.26, linux/amd64)` → `2.0.1`. */
export function parseK6Version(output: string): string | null {
  return /\bk6\s+v?(\d+\.\d+\.\d+[\w.-]*)/.exec(output)?.[1] ?? null;
}

async function executable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function k6VersionOf(bin: string): Promise<string | null> {
  try {
    const { stdout } = await run(bin, ['version'], { timeout: 10_000 });
    return parseK6Version(stdout);
  } catch {
    return null;
  }
}

/** K6_BIN first (it must work, or it is an error), then a `k6` on PATH of the pinned major. */
export async function findK6(env: NodeJS.ProcessEnv = process.env): Promise<{ path: string; version: string } | null> {
  if (env.K6_BIN) {
    const version = await k6VersionOf(env.K6_BIN);
    if (!version) throw new EnvironmentError(`K6_BIN=${env.K6_BIN} does not run as k6 ("${env.K6_BIN} version" failed): fix the path or unset K6_BIN`);
    if (!version.startsWith(`${K6_MAJOR}.`)) throw new EnvironmentError(`K6_BIN=${env.K6_BIN} is k6 ${version}; the scenarios need k6 ${K6_MAJOR}.x`);
    return { path: env.K6_BIN, version };
  }
  const cached = join(env.XDG_CACHE_HOME ?? join(env.HOME ?? '/tmp', '.cache'), 'cloudlet-bench', 'k6', 'k6');
  for (const candidate of [
    cached,
    ...(env.PATH ?? '')
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, 'k6')),
  ]) {
    if (!(await executable(candidate))) continue;
    const version = await k6VersionOf(candidate);
    if (version?.startsWith(`${K6_MAJOR}.`)) return { path: candidate, version };
  }
  return null;
}

export function k6Args(options: LoadRunOptions): string[] {
  const args = ['run', options.script];
  for (const [k, v] of Object.entries(options.env)) args.push('-e', `${k}=${v}`);
  for (const [k, v] of Object.entries(options.tags)) args.push('--tag', `${k}=${v}`);
  if (options.summaryPath) args.push('--summary-export', options.summaryPath);
  if (options.samplesPath) args.push('--out', `json=${options.samplesPath}`);
  if (options.segment) args.push('--execution-segment', options.segment);
  args.push('--quiet');
  return args;
}

/** The engine's flags beyond k6's: the histogram log next to the summary. */
export function engineArgs(options: LoadRunOptions): string[] {
  return [...k6Args(options), ...(options.hdrPath ? ['--out', `hdr=${options.hdrPath}`] : [])];
}

/**
 * Runs a generator under the process's supervisor: in a process group of its own, so a Ctrl-C that
 * reaches the whole terminal group stops the bench only, and the bench forwards exactly one SIGINT,
 * to the generator alone (its own helpers, e.g. the engine's esbuild service, are its to stop: hit
 * by the signal during start-up they died and the engine failed with "The service was stopped");
 * and killed by the supervisor's watcher should the bench die, even by SIGKILL.
 *
 * `readyLine`: a stderr line the generator prints once its signal handlers are in place. An abort
 * that comes earlier (during start-up) is held until then, so the generator still stops gracefully
 * and writes its summary instead of dying on a signal it cannot handle yet. `force` (a second
 * Ctrl-C) kills it at once.
 */
function spawnGenerator(
  command: string,
  args: string[],
  options: LoadRunOptions,
  readiness?: { line: string; env: Record<string, string> },
): Promise<LoadRunResult> {
  const readyLine = readiness?.line;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    let logError: unknown = null;
    const log = createWriteStream(options.logPath, { flags: 'a' });
    log.on('error', (error) => {
      logError ??= error;
    });
    const supervised = processSupervisor().start({
      name: 'load generator',
      command,
      args,
      env: { ...process.env, K6_NO_USAGE_REPORT: 'true', ...readiness?.env },
      output: 'pipe',
      stopSignal: 'SIGINT',
    });
    const child = supervised.child;
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    let interrupted = false;
    let ready = readyLine === undefined;
    let heldAbort = false;
    if (!ready) {
      let seen = '';
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        if (ready) return;
        seen = (seen + chunk).slice(-1000);
        if (seen.includes(readyLine ?? '')) {
          ready = true;
          if (heldAbort) supervised.signalLeader('SIGINT');
        }
      });
    }
    const onAbort = () => {
      interrupted = true;
      if (ready) supervised.signalLeader('SIGINT');
      else heldAbort = true;
    };
    const onForce = () => {
      interrupted = true;
      supervised.signal('SIGKILL');
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.force?.aborted) onForce();
    else options.force?.addEventListener('abort', onForce, { once: true });
    let spawnError: Error | null = null;
    child.once('error', (error) => {
      spawnError = error;
    });
    child.once('close', (code, signal) => {
      options.signal?.removeEventListener('abort', onAbort);
      options.force?.removeEventListener('abort', onForce);
      log.end(() => {
        if (spawnError) return reject(new EnvironmentError(`cannot start the load generator ${command}: ${spawnError.message}`, { cause: spawnError }));
        if (logError) return reject(outputError(logError, options.logPath));
        const exitCode = code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1);
        resolve({
          exitCode,
          thresholdsPassed: exitCode === K6_EXIT.ok,
          interrupted: interrupted || exitCode === K6_EXIT.interrupted,
          durationMs: Date.now() - started,
        });
      });
    });
  });
}

export function k6Generator(path: string, version: string): LoadGenerator {
  return { info: { name: 'k6', version, path }, run: (options) => spawnGenerator(path, k6Args(options), options) };
}

/** This project's k6-compatible engine, run as `npm run engine -- run` runs it. */
export function engineGenerator(): LoadGenerator {
  const entry = fileURLToPath(new URL('../../engine/cli.ts', import.meta.url));
  return {
    info: { name: 'engine', version: ENGINE_VERSION, path: entry },
    run: (options) =>
      spawnGenerator(process.execPath, [...ENGINE_NODE_FLAGS, '--import', import.meta.resolve('tsx'), entry, ...engineArgs(options)], options, {
        line: READY_LINE,
        env: { [READY_ENV]: '1' },
      }),
  };
}

/** `engine` (the default): this project's engine; `k6`: a user's own k6 (K6_BIN, or PATH); `auto`: k6 when one is found. */
export type GeneratorChoice = 'auto' | 'k6' | 'engine';
export const GENERATOR_CHOICES: GeneratorChoice[] = ['auto', 'engine', 'k6'];

export async function resolveGenerator(choice: GeneratorChoice, env: NodeJS.ProcessEnv = process.env): Promise<LoadGenerator> {
  if (choice === 'engine') return engineGenerator();
  const k6 = await findK6(env);
  if (k6) return k6Generator(k6.path, k6.version);
  if (choice === 'k6') throw new EnvironmentError(NO_K6_MESSAGE);
  return engineGenerator();
}
