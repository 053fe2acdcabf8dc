import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, symlink, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Engine } from '../engine/engine.ts';
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

function splitReference(reference: string): [string, string] {
  const colon = reference.lastIndexOf(':');
  if (colon <= reference.lastIndexOf('/')) return [reference, 'latest'];
  return [reference.slice(0, colon), reference.slice(colon + 1)];
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
