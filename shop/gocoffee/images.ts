import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, cp, mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError } from '../../kernel/errors.ts';
import { requireBinary } from '../../kernel/binaries.ts';
import type { Logger } from '../../kernel/log.ts';
import { writeDockerArchive, type ImageConfig, type Platform } from './archive.ts';
import { buildBinaries, planBuild, type BuiltBinaries } from './build.ts';
import { extractPackages, hostDebianMirror } from './debian.ts';
import { withLock } from './lock.ts';
import {
  ALL_IMAGES,
  ARCH_INFO,
  ROOTFS_IMAGES,
  SERVICES,
  cacheRoot,
  imageRepository,
  type Arch,
  type ImageName,
  type RootfsImage,
  type Service,
} from './source.ts';

/**
 * The Go coffee shop's images without a registry or a daemon: docker-archive tarballs (what
 * `docker load` reads) with the platform in their config.
 * - the six services: static binary as /app, config.yml, db/migrations, busybox-static, /tmp,
 *   /etc/passwd (12–22 MB);
 * - postgres and rabbitmq from Debian packages (`mmdebstrap --variant=extract`: no maintainer
 *   script runs, so armhf needs no emulation) with an entrypoint that does at first start what the
 *   maintainer scripts and the official images do.
 * Every archive is cached under `<cache>/go-coffee/images/<arch>/` by its inputs; `index.json`
 * there lists what was built with its platform.
 */

export { ALL_IMAGES, ROOTFS_IMAGES, imageRepository, type ImageName, type RootfsImage } from './source.ts';

export interface ImageRecord {
  name: ImageName;
  arch: Arch;
  platform: Platform;
  /** The exact reference, by input key: cloudlet/go-coffee-proxy:<key>-amd64 */
  reference: string;
  /** The stable one: cloudlet/go-coffee-proxy:latest */
  stableReference: string;
  path: string;
  imageId: string;
  bytes: number;
  key: string;
  builtAt: string;
}

export interface ImageIndex {
  images: ImageRecord[];
}

export function imagesDir(env?: NodeJS.ProcessEnv): string {
  return join(cacheRoot(env), 'images');
}

export function indexPath(env?: NodeJS.ProcessEnv): string {
  return join(imagesDir(env), 'index.json');
}

export async function readIndex(env?: NodeJS.ProcessEnv): Promise<ImageIndex> {
  try {
    return JSON.parse(await readFile(indexPath(env), 'utf8')) as ImageIndex;
  } catch {
    return { images: [] };
  }
}

/** Adds (or replaces, by name and arch) records in the index. */
async function recordImages(records: ImageRecord[]): Promise<void> {
  await mkdir(imagesDir(), { recursive: true });
  await withLock(indexPath(), () => writeIndex(records));
}

async function writeIndex(records: ImageRecord[]): Promise<void> {
  const index = await readIndex();
  const keep = index.images.filter((old) => !records.some((r) => r.name === old.name && r.arch === old.arch));
  const next = { images: [...keep, ...records].sort((a, b) => `${a.arch}/${a.name}`.localeCompare(`${b.arch}/${b.name}`)) };
  await mkdir(imagesDir(), { recursive: true });
  const partial = `${indexPath()}.partial-${process.pid}`;
  await writeFile(partial, `${JSON.stringify(next, null, 2)}\n`);
  await rename(partial, indexPath());
}

function run(file: string, args: string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new EnvironmentError(`${file} ${args.slice(0, 4).join(' ')}…: ${stderr.trim() || error.message}`, { cause: error }));
      else resolve(stdout);
    });
  });
}

/** A root file system folder as one layer tar: sorted, mtime 0, so equal inputs give equal image ids. */
async function layerTar(root: string, out: string, numericOwnersAsIs: boolean): Promise<void> {
  const tar = requireBinary('tar', 'tar');
  const owners = numericOwnersAsIs ? ['--numeric-owner'] : ['--numeric-owner', '--owner=0', '--group=0'];
  await run(tar, ['--sort=name', '--mtime=@0', ...owners, '-C', root, '-cf', out, '.']);
}

const PASSWD_ROOT = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
const GROUP_ROOT = 'root:x:0:\nnogroup:x:65534:\n';

// ------------------------------------------------------------ busybox-static for an architecture

/** busybox-static for `arch`: this machine's for amd64, Debian's armhf package (extracted) for arm/v7. */
async function busyboxFor(arch: Arch, log: Logger): Promise<string> {
  if (arch === 'amd64' && process.arch === 'x64') return requireBinary('busybox', 'busybox-static');
  const debian = ARCH_INFO[arch].debian;
  const dir = join(cacheRoot(), 'debian', `busybox-static-${debian}`);
  const binary = join(dir, 'bin', 'busybox');
  if (existsSync(binary)) return binary;
  return withLock(dir, async () => {
    if (!existsSync(binary)) await fetchBusybox(debian, dir, log);
    return binary;
  });
}

async function fetchBusybox(debian: string, dir: string, log: Logger): Promise<void> {
  log.info(`fetching busybox-static (${debian}) with mmdebstrap`);
  const partial = `${dir}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await extractPackages({ arch: debian, packages: ['busybox-static'], exclude: ['/usr/share/doc/*', '/usr/share/man/*'], target: partial });
  await rm(dir, { recursive: true, force: true });
  await rename(partial, dir);
}

// ------------------------------------------------------------ the six services

const SERVICE_PORTS: Partial<Record<Service, string>> = { proxy: '5000/tcp', product: '5001/tcp', counter: '5002/tcp', web: '8888/tcp' };

export interface BuildImagesOptions {
  arch: Arch;
  src?: string;
  /** Which images; default all eight. */
  only?: ImageName[];
  binaries?: BuiltBinaries;
}

/** What identifies the busybox an image gets: this machine's binary, or Debian's package from the mirror. */
async function busyboxIdentity(arch: Arch): Promise<string> {
  if (arch === 'amd64' && process.arch === 'x64') return `host:${await fileHash(requireBinary('busybox', 'busybox-static'))}`;
  return `debian:busybox-static:${ARCH_INFO[arch].debian}:${JSON.stringify(await hostDebianMirror())}`;
}

/** A service image's key (binaries' build key, service, busybox) and its archive path. */
export async function serviceImageKey(service: Service, buildKey: string, arch: Arch): Promise<{ key: string; path: string }> {
  const key = createHash('sha256')
    .update(`${buildKey}\n${service}\n${await busyboxIdentity(arch)}\nservice-image-1`)
    .digest('hex')
    .slice(0, 16);
  return { key, path: join(imagesDir(), ARCH_INFO[arch].dir, `go-coffee-${service}-${key}.tar`) };
}

async function serviceImage(service: Service, built: BuiltBinaries, busybox: string, log: Logger): Promise<ImageRecord> {
  const arch = built.arch;
  const { key, path } = await serviceImageKey(service, built.key, arch);
  const tag = `${key}-${ARCH_INFO[arch].dir}`;
  const dir = join(imagesDir(), ARCH_INFO[arch].dir);
  const record = (imageId: string, bytes: number): ImageRecord => ({
    name: service,
    arch,
    platform: ARCH_INFO[arch].platform,
    reference: `${imageRepository(service)}:${tag}`,
    stableReference: `${imageRepository(service)}:latest`,
    path,
    imageId,
    bytes,
    key,
    builtAt: new Date().toISOString(),
  });
  const cached = await cachedRecord(service, arch, path);
  if (cached) return cached;
  const started = Date.now();
  const stage = join(dir, `stage-${service}-${process.pid}`);
  await rm(stage, { recursive: true, force: true });
  try {
    for (const sub of ['bin', 'etc', 'tmp', 'db']) await mkdir(join(stage, sub), { recursive: true });
    await chmod(join(stage, 'tmp'), 0o1777);
    await copyFile(built.binaries[service], join(stage, 'app'));
    await chmod(join(stage, 'app'), 0o755);
    const config = join(built.workdirs[service], 'config.yml');
    if (existsSync(config)) await copyFile(config, join(stage, 'config.yml'));
    await cp(join(built.dir, 'db', 'migrations'), join(stage, 'db', 'migrations'), { recursive: true });
    await copyFile(busybox, join(stage, 'bin', 'busybox'));
    await chmod(join(stage, 'bin', 'busybox'), 0o755);
    for (const applet of await busyboxApplets()) await symlink('busybox', join(stage, 'bin', applet)).catch(() => undefined);
    await writeFile(join(stage, 'etc', 'passwd'), PASSWD_ROOT);
    await writeFile(join(stage, 'etc', 'group'), GROUP_ROOT);
    const layer = join(dir, `layer-${service}-${process.pid}.tar`);
    await layerTar(stage, layer, false);
    const config_: ImageConfig = {
      Env: ['PATH=/bin'],
      Cmd: ['/app'],
      WorkingDir: '/',
      ...(SERVICE_PORTS[service] ? { ExposedPorts: { [SERVICE_PORTS[service]!]: {} } } : {}),
      Labels: { 'org.opencontainers.image.title': `go-coffeeshop ${service}`, 'cloudlet-bench.source': built.sourceKey },
    };
    const written = await writeDockerArchive(path, {
      layerTar: layer,
      platform: ARCH_INFO[arch].platform,
      config: config_,
      repoTags: [`${imageRepository(service)}:${tag}`, `${imageRepository(service)}:latest`],
      createdBy: `cloudlet-bench shop images-real (${service}, ${arch})`,
    });
    await rm(layer, { force: true });
    log.info(`image ${imageRepository(service)}:${tag} (${arch}): ${(written.bytes / 1e6).toFixed(1)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return record(written.imageId, written.bytes);
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

let appletsCache: string[] | undefined;
/** The applet names of Debian's busybox-static (same version for every architecture). */
async function busyboxApplets(): Promise<string[]> {
  appletsCache ??= (await run(requireBinary('busybox', 'busybox-static'), ['--list']))
    .split('\n')
    .filter((name) => /^[a-z0-9_.[-]+$/.test(name) && name !== 'busybox');
  return appletsCache;
}

async function fileHash(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/** The index's record for an archive that is still on disk. */
async function cachedRecord(name: ImageName, arch: Arch, path: string): Promise<ImageRecord | undefined> {
  if (!existsSync(path)) return undefined;
  return (await readIndex()).images.find((r) => r.name === name && r.arch === arch && r.path === path);
}

// ------------------------------------------------------------ postgres and rabbitmq from Debian

interface RootfsRecipe {
  packages: string[];
  /** Removed after extraction (globs relative to the root; a trailing / means a folder). */
  trim: string[];
  users: Array<{ name: string; uid: number; home: string }>;
  entrypoint: string;
  files?: Record<string, string>;
  config: ImageConfig;
}

const EXCLUDE = [
  '/usr/share/doc/*',
  '/usr/share/man/*',
  '/usr/share/info/*',
  '/usr/share/locale/*',
  '/usr/share/i18n/*',
  '/usr/share/lintian/*',
  '/usr/share/bash-completion/*',
];

const POSTGRES_ENTRYPOINT = `#!/bin/sh
# What the official postgres image does with its variables, for Debian's postgres 15:
# POSTGRES_PASSWORD (required unless POSTGRES_HOST_AUTH_METHOD=trust), POSTGRES_USER (postgres),
# POSTGRES_DB (= user), PGDATA, POSTGRES_INITDB_ARGS. First start: initdb, password, listen on
# every address of the container; then postgres itself in the foreground.
set -eu
PGBIN=/usr/lib/postgresql/15/bin
: "\${PGDATA:=/var/lib/postgresql/data}"
export PGDATA
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /run/postgresql
  chown postgres:postgres "$PGDATA" /run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  user="\${POSTGRES_USER:-postgres}"
  auth="\${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
  if [ -z "\${POSTGRES_PASSWORD:-}" ] && [ "$auth" != trust ]; then
    echo "error: the database is uninitialized and POSTGRES_PASSWORD is not set: set it (or POSTGRES_HOST_AUTH_METHOD=trust)" >&2
    exit 1
  fi
  pwfile="$(mktemp)"
  printf '%s\\n' "\${POSTGRES_PASSWORD:-}" > "$pwfile"
  # shellcheck disable=SC2086
  "$PGBIN/initdb" --username="$user" --pwfile="$pwfile" --auth-local=trust --auth-host="$auth" \\
    --encoding=UTF8 --locale=C.UTF-8 -D "$PGDATA" \${POSTGRES_INITDB_ARGS:-} >/dev/null
  rm -f "$pwfile"
  echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
  echo "host all all all $auth" >> "$PGDATA/pg_hba.conf"
  db="\${POSTGRES_DB:-$user}"
  if [ "$db" != postgres ]; then
    echo "CREATE DATABASE \\"$db\\" OWNER \\"$user\\";" | "$PGBIN/postgres" --single -D "$PGDATA" -j postgres >/dev/null
  fi
  echo "postgres: initialised $PGDATA (user $user, database $db)"
fi
exec "$PGBIN/postgres" -D "$PGDATA" "$@"
`;

const RABBITMQ_ENTRYPOINT = `#!/bin/sh
# What the official rabbitmq image does with its variables, for Debian's rabbitmq-server:
# RABBITMQ_DEFAULT_USER / RABBITMQ_DEFAULT_PASS / RABBITMQ_DEFAULT_VHOST become the account created
# on first boot, loopback_users = none lets it log in from other containers, the management
# plugin is on (port 15672); then the server in the foreground.
set -eu
export HOME=/var/lib/rabbitmq
if [ "$(id -u)" = 0 ]; then
  mkdir -p /var/lib/rabbitmq /var/log/rabbitmq /etc/rabbitmq
  chown -R rabbitmq:rabbitmq /var/lib/rabbitmq /var/log/rabbitmq /etc/rabbitmq
  exec setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups "$0" "$@"
fi
conf=/etc/rabbitmq/rabbitmq.conf
{
  echo "loopback_users = none"
  echo "default_user = \${RABBITMQ_DEFAULT_USER:-guest}"
  echo "default_pass = \${RABBITMQ_DEFAULT_PASS:-guest}"
  echo "default_vhost = \${RABBITMQ_DEFAULT_VHOST:-/}"
} > "$conf"
if [ "\${RABBITMQ_MANAGEMENT:-on}" = on ]; then echo '[rabbitmq_management].' > /etc/rabbitmq/enabled_plugins; else echo '[].' > /etc/rabbitmq/enabled_plugins; fi
export RABBITMQ_LOGS=-
exec /usr/lib/rabbitmq/bin/rabbitmq-server "$@"
`;

const RECIPES: Record<RootfsImage, RootfsRecipe> = {
  postgres: {
    packages: ['postgresql-15', 'util-linux', 'dash', 'coreutils'],
    // The LLVM JIT (and what only it needs), perl (pg_ctlcluster and friends): the server runs without.
    trim: [
      'usr/lib/postgresql/15/lib/bitcode/',
      'usr/lib/postgresql/15/lib/llvmjit*',
      'usr/lib/*/libLLVM*',
      'usr/lib/*/libz3*',
      'usr/lib/*/perl*/',
      'usr/lib/*/perl/',
      'usr/share/perl*/',
      'usr/bin/perl*',
      'usr/lib/*/libperl*',
    ],
    users: [{ name: 'postgres', uid: 999, home: '/var/lib/postgresql' }],
    entrypoint: POSTGRES_ENTRYPOINT,
    config: {
      Env: ['PATH=/usr/lib/postgresql/15/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'PGDATA=/var/lib/postgresql/data', 'LANG=C.UTF-8'],
      Entrypoint: ['/entrypoint.sh'],
      ExposedPorts: { '5432/tcp': {} },
      Volumes: { '/var/lib/postgresql/data': {} },
      StopSignal: 'SIGINT',
      WorkingDir: '/',
    },
  },
  rabbitmq: {
    packages: ['rabbitmq-server', 'util-linux', 'dash', 'coreutils'],
    trim: [
      'usr/lib/*/perl*/',
      'usr/share/perl*/',
      'usr/bin/perl*',
      'usr/lib/erlang/lib/*/src/',
      'usr/lib/erlang/lib/*/examples/',
      'usr/lib/erlang/lib/*/include/',
      'usr/lib/erlang/man/',
      'usr/lib/erlang/doc/',
    ],
    users: [{ name: 'rabbitmq', uid: 999, home: '/var/lib/rabbitmq' }],
    entrypoint: RABBITMQ_ENTRYPOINT,
    config: {
      Env: ['PATH=/usr/lib/rabbitmq/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'LANG=C.UTF-8'],
      Entrypoint: ['/entrypoint.sh'],
      ExposedPorts: { '5672/tcp': {}, '15672/tcp': {}, '4369/tcp': {}, '25672/tcp': {} },
      Volumes: { '/var/lib/rabbitmq': {} },
      WorkingDir: '/',
    },
  },
};

/** Shell globs of `trim`, removed inside `root` (nothing outside it: paths never start with / or ..). */
async function trimRootfs(root: string, globs: string[]): Promise<void> {
  const script = globs.map((glob) => `rm -rf -- ${glob.replace(/\/$/, '')}`).join('\n');
  await run('/bin/sh', ['-c', `set -f; cd "$1" || exit 1; set +f\n${script}`, 'trim', root]);
}

/** The rootfs image's input key: recipe, mirror, architecture. */
export async function rootfsKey(name: RootfsImage, arch: Arch): Promise<string> {
  const mirror = await hostDebianMirror();
  return createHash('sha256')
    .update(JSON.stringify({ recipe: RECIPES[name], mirror, arch, exclude: EXCLUDE, version: 3 }))
    .digest('hex')
    .slice(0, 16);
}

/** Where a rootfs image's extracted root stays (the arm/v7 check runs its servers from there). */
export function rootfsDir(name: RootfsImage, arch: Arch, key: string): string {
  return join(imagesDir(), ARCH_INFO[arch].dir, `go-coffee-${name}-${key}.rootfs`);
}

async function rootfsImage(name: RootfsImage, arch: Arch, log: Logger): Promise<ImageRecord> {
  const recipe = RECIPES[name];
  const key = await rootfsKey(name, arch);
  const tag = `${key}-${ARCH_INFO[arch].dir}`;
  const dir = join(imagesDir(), ARCH_INFO[arch].dir);
  const path = join(dir, `go-coffee-${name}-${key}.tar`);
  const root = rootfsDir(name, arch, key);
  const cached = await cachedRecord(name, arch, path);
  if (cached && existsSync(root)) return cached;
  const started = Date.now();
  await mkdir(dir, { recursive: true });
  const partial = `${root}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  log.info(`building ${imageRepository(name)}:${tag} (${arch}) from Debian packages: ${recipe.packages.join(', ')}`);
  const ticker = setInterval(() => log.progress(`mmdebstrap ${name} (${arch}): ${Math.round((Date.now() - started) / 1000)} s`), 1000);
  try {
    await extractPackages({ arch: ARCH_INFO[arch].debian, packages: recipe.packages, exclude: EXCLUDE, target: partial });
  } finally {
    clearInterval(ticker);
    log.done();
  }
  await trimRootfs(partial, recipe.trim);
  if (!existsSync(join(partial, 'bin', 'sh'))) await symlink('dash', join(partial, 'bin', 'sh'));
  for (const sub of ['tmp', 'root', 'run', 'run/lock', 'var', 'proc', 'sys', 'dev']) await mkdir(join(partial, sub), { recursive: true });
  // base-files would make these links in its maintainer script; postgres puts its socket in /var/run/postgresql.
  for (const [link, to] of [
    ['var/run', '/run'],
    ['var/lock', '/run/lock'],
  ] as const)
    if (!existsSync(join(partial, link))) await symlink(to, join(partial, link));
  await chmod(join(partial, 'tmp'), 0o1777);
  const passwd = PASSWD_ROOT + recipe.users.map((u) => `${u.name}:x:${u.uid}:${u.uid}:${u.name}:${u.home}:/bin/sh\n`).join('');
  const group = GROUP_ROOT + recipe.users.map((u) => `${u.name}:x:${u.uid}:\n`).join('');
  await writeFile(join(partial, 'etc', 'passwd'), passwd);
  await writeFile(join(partial, 'etc', 'group'), group);
  for (const user of recipe.users) await mkdir(join(partial, user.home), { recursive: true });
  await writeFile(join(partial, 'entrypoint.sh'), recipe.entrypoint, { mode: 0o755 });
  await rm(root, { recursive: true, force: true });
  await rename(partial, root);
  const layer = join(dir, `layer-${name}-${process.pid}.tar`);
  await layerTar(root, layer, true);
  const written = await writeDockerArchive(path, {
    layerTar: layer,
    platform: ARCH_INFO[arch].platform,
    config: { ...recipe.config, Labels: { 'org.opencontainers.image.title': `${name} (Debian packages)` } },
    repoTags: [`${imageRepository(name)}:${tag}`, `${imageRepository(name)}:latest`],
    createdBy: `cloudlet-bench shop images-real (mmdebstrap --variant=extract ${recipe.packages.join(' ')}, ${arch})`,
  });
  await rm(layer, { force: true });
  log.info(`image ${imageRepository(name)}:${tag} (${arch}): ${(written.bytes / 1e6).toFixed(0)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return {
    name,
    arch,
    platform: ARCH_INFO[arch].platform,
    reference: `${imageRepository(name)}:${tag}`,
    stableReference: `${imageRepository(name)}:latest`,
    path,
    imageId: written.imageId,
    bytes: written.bytes,
    key,
    builtAt: new Date().toISOString(),
  };
}

export interface ImagePlanEntry {
  name: ImageName;
  arch: Arch;
  platform: string;
  reference: string;
  path: string;
  cached: boolean;
  from: string;
}

/** What `images-real` would build, without building (binaries' key from the source, rootfs keys from the recipes). */
export async function planImages(options: BuildImagesOptions): Promise<ImagePlanEntry[]> {
  const only = options.only ?? [...ALL_IMAGES];
  const platform = [ARCH_INFO[options.arch].platform.os, ARCH_INFO[options.arch].platform.architecture, ARCH_INFO[options.arch].platform.variant]
    .filter(Boolean)
    .join('/');
  const entries: ImagePlanEntry[] = [];
  const services = only.filter((name): name is Service => (SERVICES as readonly string[]).includes(name));
  const build =
    services.length > 0
      ? options.binaries
        ? { key: options.binaries.key, dir: options.binaries.dir }
        : await planBuild({ arch: options.arch, src: options.src })
      : undefined;
  for (const service of services) {
    const { key, path } = await serviceImageKey(service, build!.key, options.arch);
    entries.push({
      name: service,
      arch: options.arch,
      platform,
      reference: `${imageRepository(service)}:${key}-${ARCH_INFO[options.arch].dir}`,
      path,
      cached: existsSync(path),
      from: `${build!.dir}/bin/${service} + busybox-static`,
    });
  }
  for (const name of only.filter((n): n is RootfsImage => (ROOTFS_IMAGES as readonly string[]).includes(n))) {
    const key = await rootfsKey(name, options.arch);
    const path = join(imagesDir(), ARCH_INFO[options.arch].dir, `go-coffee-${name}-${key}.tar`);
    entries.push({
      name,
      arch: options.arch,
      platform,
      reference: `${imageRepository(name)}:${key}-${ARCH_INFO[options.arch].dir}`,
      path,
      cached: existsSync(path) && existsSync(rootfsDir(name, options.arch, key)),
      from: `mmdebstrap --variant=extract ${ARCH_INFO[options.arch].debian}: ${RECIPES[name].packages.join(' ')}`,
    });
  }
  return entries;
}

/** Builds (or finds cached) the images of one architecture and records them in the index. */
export async function buildImages(options: BuildImagesOptions, log: Logger): Promise<ImageRecord[]> {
  const only = options.only ?? [...ALL_IMAGES];
  const records: ImageRecord[] = [];
  const services = only.filter((name): name is Service => (SERVICES as readonly string[]).includes(name));
  if (services.length > 0) {
    const built = options.binaries ?? (await buildBinaries({ arch: options.arch, src: options.src }, log));
    if (built.arch !== options.arch) throw new EnvironmentError(`binaries are ${built.arch}, images asked for ${options.arch}`);
    const busybox = await busyboxFor(options.arch, log);
    await mkdir(join(imagesDir(), ARCH_INFO[options.arch].dir), { recursive: true });
    for (const service of services) {
      const { path } = await serviceImageKey(service, built.key, options.arch);
      // Recorded inside the lock: whoever waited finds the index entry and the archive together.
      const record = await withLock(path, async () => {
        const made = await serviceImage(service, built, busybox, log);
        await recordImages([made]);
        return made;
      });
      records.push(record);
    }
  }
  for (const name of only.filter((n): n is RootfsImage => (ROOTFS_IMAGES as readonly string[]).includes(n))) {
    const key = await rootfsKey(name, options.arch);
    const record = await withLock(
      rootfsDir(name, options.arch, key),
      async () => {
        const made = await rootfsImage(name, options.arch, log);
        await recordImages([made]);
        return made;
      },
      () => log.info(`waiting for another build of ${name} (${options.arch})`),
    );
    records.push(record);
  }
  return records;
}
