import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, symlink, chmod } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Engine } from '../engine/engine.ts';
import { splitReference } from '../images/presence.ts';
import { run } from './sh.ts';

/** The placeholder image every testbed has: a static busybox (sh, httpd, sleep, nc, ...). */
export const BUSYBOX_IMAGE = 'cloudlet/busybox:1';

/** A root file system tar holding /bin/busybox and a link per applet. */
export async function busyboxRootfsTar(workDir: string, busybox: string, tar: string): Promise<string> {
  const root = join(workDir, 'busybox-rootfs');
  await mkdir(join(root, 'bin'), { recursive: true });
  for (const dir of ['tmp', 'www', 'etc']) await mkdir(join(root, dir), { recursive: true });
  await chmod(join(root, 'tmp'), 0o1777);
  await copyFile(busybox, join(root, 'bin', 'busybox'));
  await chmod(join(root, 'bin', 'busybox'), 0o755);
  const applets = (await run(busybox, ['--list'])).split('\n').filter((name) => /^[a-z0-9_.[-]+$/.test(name) && name !== 'busybox');
  for (const applet of applets) await symlink('busybox', join(root, 'bin', applet)).catch(() => undefined);
  const path = join(workDir, 'busybox-rootfs.tar');
  await run(tar, ['-C', root, '--numeric-owner', '--owner=0', '--group=0', '-cf', path, '.']);
  return path;
}

/** Imports a root file system tar into one engine as `reference`. */
export async function importRootfs(engine: Engine, rootfsTar: string, reference: string, changes: string[]): Promise<void> {
  const [repo, tag] = splitReference(reference);
  const stream = await engine.docker.importImage(createReadStream(rootfsTar), { repo, tag, changes } as object);
  await followProgress(engine, stream);
}

/**
 * Copies an image to other engines with save/load, so every node has the same image id (an
 * import per engine would give each a different id, and the swarm would see different images).
 */
export async function copyImage(from: Engine, to: Engine[], reference: string, workDir: string): Promise<void> {
  const file = join(workDir, `${reference.replace(/[^A-Za-z0-9_.-]/g, '_')}.image.tar`);
  await pipeline(await from.docker.getImage(reference).get(), createWriteStream(file));
  await Promise.all(
    to.map(async (engine) => {
      const stream = await engine.docker.loadImage(createReadStream(file), { quiet: true });
      await followProgress(engine, stream);
    }),
  );
}

/** Drains a streamed engine answer and fails on the first error message in it. */
function followProgress(engine: Engine, stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    engine.docker.modem.followProgress(stream, (error: Error | null, output: Array<{ error?: string }>) => {
      const failure = error?.message ?? output.find((line) => line.error)?.error;
      if (failure) reject(new Error(`${engine.node}: ${failure}`));
      else resolve();
    });
  });
}

/** The reference coffee shop as an image, built from this checkout and the local Node. */
export const SHOP_IMAGE = 'cloudlet/shop:dev';

/** What the shop needs at run time: its sources, the shared kernel it imports (kernel/), tsx and commander. */
const SHOP_FILES = [
  'package.json',
  'shop',
  'kernel',
  'scenarios/lib',
  'node_modules/tsx',
  'node_modules/esbuild',
  'node_modules/@esbuild',
  'node_modules/commander',
];

/**
 * A root file system with the node binary, the shared libraries `ldd` lists for it and the shop's
 * files under /app. No registry and no base image are needed; the architecture is this machine's.
 */
export async function shopRootfsTar(workDir: string, repoRoot: string, tools: { tar: string; node: string; ldd: string; cp: string }): Promise<string> {
  const root = join(workDir, 'shop-rootfs');
  await mkdir(join(root, 'usr', 'local', 'bin'), { recursive: true });
  await mkdir(join(root, 'tmp'), { recursive: true });
  await chmod(join(root, 'tmp'), 0o1777);
  await mkdir(join(root, 'app', 'node_modules'), { recursive: true });
  await mkdir(join(root, 'app', 'scenarios'), { recursive: true });
  await copyFile(tools.node, join(root, 'usr', 'local', 'bin', 'node'));
  await chmod(join(root, 'usr', 'local', 'bin', 'node'), 0o755);
  const libraries = (await run(tools.ldd, [tools.node]))
    .split('\n')
    .map((line) => /(\/\S+) \(0x/.exec(line)?.[1])
    .filter((path): path is string => Boolean(path));
  for (const library of libraries) {
    await mkdir(join(root, dirname(library)), { recursive: true });
    await run(tools.cp, ['-L', library, join(root, library)]);
  }
  for (const file of SHOP_FILES) await run(tools.cp, ['-a', join(repoRoot, file), join(root, 'app', dirname(file))]);
  const path = join(workDir, 'shop-rootfs.tar');
  await run(tools.tar, ['-C', root, '--numeric-owner', '--owner=0', '--group=0', '-cf', path, '.']);
  return path;
}

export const SHOP_IMAGE_CHANGES = [
  'ENV PATH=/usr/local/bin:/bin',
  'ENV SHOP_HOST=0.0.0.0',
  'WORKDIR /app',
  'ENTRYPOINT ["/usr/local/bin/node", "--import", "tsx", "shop/cli.ts", "serve"]',
  'EXPOSE 5000',
];
