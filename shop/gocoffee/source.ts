import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvironmentError } from '../../kernel/errors.ts';

/**
 * The Go coffee shop's source, the architectures we build for, and where builds are cached.
 * Pure helpers and small process calls; nothing here builds.
 */

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The six services; the first five run the migrations at start (built with `-tags migrate`). */
export const SERVICES = ['proxy', 'product', 'counter', 'barista', 'kitchen', 'web'] as const;
export type Service = (typeof SERVICES)[number];
export const MIGRATE_SERVICES: readonly Service[] = ['proxy', 'product', 'counter', 'barista', 'kitchen'];

/** The images: the six services, and postgres and rabbitmq from Debian packages. */
export const ROOTFS_IMAGES = ['postgres', 'rabbitmq'] as const;
export type RootfsImage = (typeof ROOTFS_IMAGES)[number];
export type ImageName = Service | RootfsImage;
export const ALL_IMAGES: readonly ImageName[] = [...SERVICES, ...ROOTFS_IMAGES];

/** `cloudlet/go-coffee-<name>`; tags `<key>-<arch>` (exact) and `latest` (stable). */
export function imageRepository(name: ImageName): string {
  return `cloudlet/go-coffee-${name}`;
}

/** The image name `images-real` gives `reference` (`cloudlet/go-coffee-proxy:…` → proxy), or undefined for any other image. */
export function ourImageName(reference: string): ImageName | undefined {
  const match = /^cloudlet\/go-coffee-([a-z]+)(?::[\w.-]+)?$/.exec(reference);
  return match && (ALL_IMAGES as readonly string[]).includes(match[1]!) ? (match[1] as ImageName) : undefined;
}

export const ARCHES = ['amd64', 'arm/v7'] as const;
export type Arch = (typeof ARCHES)[number];

export interface ArchInfo {
  arch: Arch;
  /** Folder name under a cache key. */
  dir: string;
  goEnv: Record<string, string>;
  /** Debian's name, for mmdebstrap and .debs. */
  debian: string;
  /** The image config's platform fields. */
  platform: { os: 'linux'; architecture: string; variant?: string };
}

export const ARCH_INFO: Record<Arch, ArchInfo> = {
  amd64: { arch: 'amd64', dir: 'amd64', goEnv: { GOARCH: 'amd64' }, debian: 'amd64', platform: { os: 'linux', architecture: 'amd64' } },
  'arm/v7': {
    arch: 'arm/v7',
    dir: 'arm-v7',
    goEnv: { GOARCH: 'arm', GOARM: '7' },
    debian: 'armhf',
    platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
  },
};

export const SOURCE_ENV = 'GO_COFFEE_SRC';
const SHARED_SOURCE = join('shared', 'upstream', 'go-coffeeshop');

/**
 * Where the default source may be: `../shared/upstream/go-coffeeshop` beside this checkout, or
 * beside any folder above it, or beside the checkout this one was cloned from (a clean clone for
 * CI lives elsewhere, but its `origin` is the working copy that sits beside `shared/`).
 */
export function defaultSourceCandidates(root: string = REPO_ROOT, originUrl: string | undefined = gitOrigin(root)): string[] {
  const candidates: string[] = [];
  for (let dir = resolve(root); ; dir = dirname(dir)) {
    candidates.push(join(dirname(dir), SHARED_SOURCE));
    if (dirname(dir) === dir) break;
  }
  const originPath = originUrl?.startsWith('file://') ? fileURLToPath(originUrl) : originUrl;
  if (originPath && isAbsolute(originPath)) candidates.push(join(dirname(resolve(originPath)), SHARED_SOURCE));
  return [...new Set(candidates)];
}

/** The first candidate that exists; else the nearest one, so the error names where it was looked for. */
export function defaultSource(candidates: string[] = defaultSourceCandidates()): string {
  return candidates.find((dir) => existsSync(dir)) ?? candidates[0] ?? SHARED_SOURCE;
}

function gitOrigin(root: string): string | undefined {
  try {
    return (
      execFileSync('git', ['config', '--get', 'remote.origin.url'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}

const SOURCE_FIX = `pass --src DIR or set ${SOURCE_ENV}=DIR to a checkout of github.com/thangchung/go-coffeeshop (commit 22d3319 is the one the cloudlet runs)`;

/** `${XDG_CACHE_HOME:-~/.cache}/cloudlet-bench/go-coffee`. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'cloudlet-bench', 'go-coffee');
}

/** The source folder: the flag, else the variable, else ../shared/upstream/go-coffeeshop (see defaultSourceCandidates). */
export function resolveSource(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = flag ?? env[SOURCE_ENV] ?? defaultSource();
  const dir = resolve(chosen);
  const origin = flag ? '--src' : env[SOURCE_ENV] ? SOURCE_ENV : 'the default source';
  if (!existsSync(dir)) throw new EnvironmentError(`go-coffeeshop source not found at ${dir} (${origin}): ${SOURCE_FIX}`);
  for (const needed of ['go.mod', 'db/migrations', ...SERVICES.map((s) => `cmd/${s}/main.go`)]) {
    if (!existsSync(join(dir, needed))) throw new EnvironmentError(`${dir} (${origin}) is not a go-coffeeshop checkout: ${needed} is missing; ${SOURCE_FIX}`);
  }
  return dir;
}

function capture(file: string, args: string[], cwd?: string): Promise<string | undefined> {
  return new Promise((resolvePromise) => {
    execFile(file, args, { cwd, maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => resolvePromise(error ? undefined : stdout.trim()));
  });
}

/**
 * What identifies the source: `git:<commit>` for a clean git checkout, else `sha256:<hash>` of
 * every file's path and content (a checkout without .git, or with local changes).
 */
export async function sourceKey(dir: string): Promise<string> {
  if (existsSync(join(dir, '.git'))) {
    const commit = await capture('git', ['-C', dir, 'rev-parse', 'HEAD']);
    const dirty = await capture('git', ['-C', dir, 'status', '--porcelain']);
    if (commit && dirty === '') return `git:${commit}`;
  }
  const hash = createHash('sha256');
  const walk = async (folder: string): Promise<void> => {
    const entries = (await readdir(folder, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name === '.git') continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        hash.update(`${relative(dir, path)}\0`);
        hash.update(await readFile(path));
        hash.update('\0');
      }
    }
  };
  await walk(dir);
  return `sha256:${hash.digest('hex')}`;
}

/** The Go toolchain: `GO` if set, else `go` on PATH; one error line with the fix when missing. */
export async function goToolchain(env: NodeJS.ProcessEnv = process.env): Promise<{ go: string; version: string }> {
  const go = env.GO || 'go';
  const version = await capture(go, ['env', 'GOVERSION']);
  if (!version) {
    throw new EnvironmentError(
      `Go toolchain not found (${go}): install Go ≥ 1.21 (Debian: apt-get install -y golang-go; or https://go.dev/dl) and put it on PATH, or set GO=/path/to/go`,
    );
  }
  return { go, version };
}

/** Cache key: 16 hex digits of source key, Go version and build flags. */
export function buildKey(source: string, goVersion: string): string {
  return createHash('sha256')
    .update(`${source}\n${goVersion}\n${BUILD_FLAGS.join(' ')}\nCGO_ENABLED=0\nlayout=2`)
    .digest('hex')
    .slice(0, 16);
}

export const BUILD_FLAGS = ['-trimpath', '-ldflags=-s -w'];
