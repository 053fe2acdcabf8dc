import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError } from '../../kernel/errors.ts';
import type { Logger } from '../../kernel/log.ts';
import { withLock } from './lock.ts';
import {
  ARCH_INFO,
  BUILD_FLAGS,
  MIGRATE_SERVICES,
  SERVICES,
  buildKey,
  cacheRoot,
  goToolchain,
  resolveSource,
  sourceKey,
  type Arch,
  type Service,
} from './source.ts';

/**
 * `shop build-real`: the six Go services, static, for one architecture, from a source checkout,
 * cached under `<cache>/go-coffee/<key>/<arch>/bin/<service>` (key: source commit or hash, Go
 * version, flags), with what they read at run time beside them: `cmd/<service>/config.yml` and
 * `db/migrations`. A finished build has `build.json`; a second build of the same key returns at once.
 */

export interface BuildOptions {
  arch: Arch;
  src?: string;
  /** Overrides the cache folder for this build (`--out`). */
  out?: string;
  env?: NodeJS.ProcessEnv;
}

export interface BuildPlan {
  source: string;
  sourceKey: string;
  go: string;
  goVersion: string;
  key: string;
  arch: Arch;
  dir: string;
  cached: boolean;
  steps: Array<{ service: Service; command: string[]; env: Record<string, string> }>;
}

export interface BuiltBinaries {
  key: string;
  arch: Arch;
  dir: string;
  /** Absolute path of each service's binary. */
  binaries: Record<Service, string>;
  /** Working folder of each service (`<dir>/cmd/<service>`: config.yml, migrations at ../../db). */
  workdirs: Record<Service, string>;
  source: string;
  sourceKey: string;
  goVersion: string;
  cached: boolean;
  durationMs: number;
}

/** Where a build of `key` for `arch` lives. */
export function buildDir(key: string, arch: Arch, env?: NodeJS.ProcessEnv): string {
  return join(cacheRoot(env), key, ARCH_INFO[arch].dir);
}

export async function planBuild(options: BuildOptions): Promise<BuildPlan> {
  const env = options.env ?? process.env;
  const { go, version } = await goToolchain(env);
  const source = resolveSource(options.src, env);
  const identity = await sourceKey(source);
  const key = buildKey(identity, version);
  const dir = options.out ?? buildDir(key, options.arch, env);
  const goEnv = { CGO_ENABLED: '0', GOOS: 'linux', ...ARCH_INFO[options.arch].goEnv, GOFLAGS: '-buildvcs=false', GOTOOLCHAIN: 'local' };
  return {
    source,
    sourceKey: identity,
    go,
    goVersion: version,
    key,
    arch: options.arch,
    dir,
    cached: existsSync(join(dir, 'build.json')),
    steps: SERVICES.map((service) => ({
      service,
      command: [
        go,
        'build',
        ...(MIGRATE_SERVICES.includes(service) ? ['-tags', 'migrate'] : []),
        ...BUILD_FLAGS,
        '-o',
        join(dir, 'bin', service),
        `./cmd/${service}`,
      ],
      env: goEnv,
    })),
  };
}

function binariesIn(dir: string): Record<Service, string> {
  return Object.fromEntries(SERVICES.map((service) => [service, join(dir, 'bin', service)])) as Record<Service, string>;
}

function workdirsIn(dir: string): Record<Service, string> {
  return Object.fromEntries(SERVICES.map((service) => [service, join(dir, 'cmd', service)])) as Record<Service, string>;
}

function runGo(command: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-8000);
    });
    child.once('error', (error) => reject(new EnvironmentError(`${command[0]}: ${error.message}`, { cause: error })));
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new EnvironmentError(`go build ${command.at(-1)} failed (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').slice(-6).join(' | ')}`));
    });
  });
}

/** Builds (or finds in the cache) the six binaries for one architecture. Progress goes to `log`. */
export async function buildBinaries(options: BuildOptions, log: Logger): Promise<BuiltBinaries> {
  const plan = await planBuild(options);
  const started = Date.now();
  const result = (cached: boolean): BuiltBinaries => ({
    key: plan.key,
    arch: plan.arch,
    dir: plan.dir,
    binaries: binariesIn(plan.dir),
    workdirs: workdirsIn(plan.dir),
    source: plan.source,
    sourceKey: plan.sourceKey,
    goVersion: plan.goVersion,
    cached,
    durationMs: Date.now() - started,
  });
  if (plan.cached) {
    log.info(`go-coffee ${plan.arch} binaries: cached in ${plan.dir}`);
    return result(true);
  }
  return withLock(
    plan.dir,
    async () => {
      if (existsSync(join(plan.dir, 'build.json'))) {
        log.info(`go-coffee ${plan.arch} binaries: built meanwhile by another process, in ${plan.dir}`);
        return result(true);
      }
      await compile(plan, options, log, started);
      return result(false);
    },
    () => log.info(`waiting for another build of ${plan.dir}`),
  );
}

async function compile(plan: BuildPlan, options: BuildOptions, log: Logger, started: number): Promise<void> {
  // Build beside the final folder and rename it in place: a cut-off build never looks finished.
  const partial = `${plan.dir}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(join(partial, 'bin'), { recursive: true });
  const env = { ...(options.env ?? process.env) };
  const sizes: Record<string, number> = {};
  try {
    for (const [index, step] of plan.steps.entries()) {
      const stepStarted = Date.now();
      const label = `building ${step.service} (${index + 1}/${plan.steps.length}, ${plan.arch})`;
      log.info(label);
      const ticker = setInterval(() => log.progress(`${label}: ${Math.round((Date.now() - stepStarted) / 1000)} s`), 1000);
      try {
        const command = step.command.map((arg) => (arg === join(plan.dir, 'bin', step.service) ? join(partial, 'bin', step.service) : arg));
        await runGo(command, plan.source, { ...env, ...step.env });
      } finally {
        clearInterval(ticker);
        log.done();
      }
      sizes[step.service] = (await stat(join(partial, 'bin', step.service))).size;
      log.info(`built ${step.service} in ${((Date.now() - stepStarted) / 1000).toFixed(1)} s (${(sizes[step.service]! / 1e6).toFixed(1)} MB)`);
    }
    // The files the services read at run time, laid out as in the source (cmd/<svc>/config.yml
    // and db/migrations, which counter, barista and kitchen find at cwd/../../db/migrations).
    for (const service of SERVICES) {
      const config = join(plan.source, 'cmd', service, 'config.yml');
      await mkdir(join(partial, 'cmd', service), { recursive: true });
      if (existsSync(config)) await cp(config, join(partial, 'cmd', service, 'config.yml'));
    }
    await cp(join(plan.source, 'db', 'migrations'), join(partial, 'db', 'migrations'), { recursive: true });
    const manifest = {
      source: plan.source,
      sourceKey: plan.sourceKey,
      goVersion: plan.goVersion,
      arch: plan.arch,
      flags: BUILD_FLAGS,
      env: plan.steps[0]!.env,
      sizes,
      durationMs: Date.now() - started,
      builtAt: new Date().toISOString(),
    };
    await writeFile(join(partial, 'build.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await rm(plan.dir, { recursive: true, force: true });
    await mkdir(join(plan.dir, '..'), { recursive: true });
    await rename(partial, plan.dir);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
  log.info(`go-coffee ${plan.arch} binaries in ${plan.dir} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

/** The build record a finished build left (sizes, Go version, time taken). */
export async function readBuildRecord(dir: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(dir, 'build.json'), 'utf8')) as Record<string, unknown>;
}
