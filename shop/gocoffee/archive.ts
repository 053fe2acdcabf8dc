import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';

/**
 * Docker image archives written without a daemon: the `docker save` / `docker load` format
 * (manifest.json, the image config, one layer tar), with the platform we choose in the config
 * (Docker 20.10 ignores `import --platform`, so this is how an arm/v7 image built on amd64 gets
 * its real label). The outer tar is written here (ustar, regular files and folders only); the
 * layer tar is a root file system tar made elsewhere.
 */

export interface Platform {
  os: 'linux';
  architecture: string;
  variant?: string;
}

export interface ImageConfig {
  Env?: string[];
  Cmd?: string[];
  Entrypoint?: string[];
  WorkingDir?: string;
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Volumes?: Record<string, Record<string, never>>;
  Labels?: Record<string, string>;
  StopSignal?: string;
}

export interface ArchiveInput {
  layerTar: string;
  platform: Platform;
  config: ImageConfig;
  /** name:tag references the archive loads as. */
  repoTags: string[];
  /** What made the layer, for the image history. */
  createdBy: string;
}

export interface ArchiveResult {
  path: string;
  /** `sha256:<hex>` of the config: the image id `docker load` gives it. */
  imageId: string;
  diffId: string;
  bytes: number;
}

const BLOCK = 512;

/** One ustar header. Names up to 100 bytes (ours are short: `<hex>/layer.tar`, `manifest.json`). */
export function tarHeader(name: string, size: number, type: 'file' | 'dir', mtime = 0): Buffer {
  const header = Buffer.alloc(BLOCK);
  if (Buffer.byteLength(name) > 100) throw new Error(`tar entry name too long: ${name}`);
  const octal = (value: number, width: number) => value.toString(8).padStart(width - 1, '0') + '\0';
  header.write(name, 0, 100, 'utf8');
  header.write(octal(type === 'dir' ? 0o755 : 0o644, 8), 100, 8, 'ascii');
  header.write(octal(0, 8), 108, 8, 'ascii');
  header.write(octal(0, 8), 116, 8, 'ascii');
  header.write(octal(type === 'dir' ? 0 : size, 12), 124, 12, 'ascii');
  header.write(octal(mtime, 12), 136, 12, 'ascii');
  header.write('        ', 148, 8, 'ascii');
  header.write(type === 'dir' ? '5' : '0', 156, 1, 'ascii');
  header.write('ustar\0', 257, 6, 'ascii');
  header.write('00', 263, 2, 'ascii');
  header.write('root', 265, 32, 'ascii');
  header.write('root', 297, 32, 'ascii');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return header;
}

function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

async function write(out: WriteStream, chunk: Buffer): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The image config JSON (what `docker image inspect` reads Architecture/Variant/Os from). */
export function imageConfigJson(input: Omit<ArchiveInput, 'layerTar' | 'repoTags'>, diffId: string): string {
  const created = '1970-01-01T00:00:00Z';
  return JSON.stringify({
    architecture: input.platform.architecture,
    ...(input.platform.variant ? { variant: input.platform.variant } : {}),
    os: input.platform.os,
    created,
    config: input.config,
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created, created_by: input.createdBy }],
  });
}

/** Writes `path` (via a temporary name, renamed at the end) from one layer tar. */
export async function writeDockerArchive(path: string, input: ArchiveInput): Promise<ArchiveResult> {
  const layerHex = await sha256File(input.layerTar);
  const layerSize = (await stat(input.layerTar)).size;
  const diffId = `sha256:${layerHex}`;
  const config = Buffer.from(imageConfigJson(input, diffId));
  const configHex = createHash('sha256').update(config).digest('hex');
  const manifest = Buffer.from(JSON.stringify([{ Config: `${configHex}.json`, RepoTags: input.repoTags, Layers: [`${layerHex}/layer.tar`] }]));
  const partial = `${path}.partial-${process.pid}`;
  const out = createWriteStream(partial);
  try {
    const file = async (name: string, body: Buffer) => {
      await write(out, tarHeader(name, body.length, 'file'));
      await write(out, body);
      await write(out, padding(body.length));
    };
    await write(out, tarHeader(`${layerHex}/`, 0, 'dir'));
    await file(`${layerHex}/VERSION`, Buffer.from('1.0'));
    await write(out, tarHeader(`${layerHex}/layer.tar`, layerSize, 'file'));
    for await (const chunk of createReadStream(input.layerTar)) await write(out, chunk as Buffer);
    await write(out, padding(layerSize));
    await file(`${configHex}.json`, config);
    await file('manifest.json', manifest);
    await write(out, Buffer.alloc(BLOCK * 2));
    out.end();
    await once(out, 'finish');
    await rename(partial, path);
  } catch (error) {
    out.destroy();
    await rm(partial, { force: true });
    throw error;
  }
  return { path, imageId: `sha256:${configHex}`, diffId, bytes: (await stat(path)).size };
}
