import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tarHeader, writeDockerArchive } from '../../../../shop/gocoffee/archive.ts';
import { debianMirrorLines, parseAptSources } from '../../../../shop/gocoffee/debian.ts';
import { validateReplicas } from '../../../../shop/gocoffee/local.ts';
import { buildKey, cacheRoot, defaultSource, defaultSourceCandidates, REPO_ROOT, resolveSource, sourceKey } from '../../../../shop/gocoffee/source.ts';
import { tempDir } from '../../../helpers/temp-dir.ts';

// Unit (Node only): archive format, apt sources, source identity, replica validation.

/** Reads a ustar archive: name → content. */
function readTar(buffer: Buffer): Map<string, Buffer> {
  const entries = new Map<string, Buffer>();
  for (let offset = 0; offset + 512 <= buffer.length; ) {
    const header = buffer.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = Number.parseInt(header.subarray(124, 136).toString('ascii').replace(/\0.*$/s, ''), 8);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
    if (sum !== Number.parseInt(header.subarray(148, 154).toString('ascii'), 8)) throw new Error(`bad checksum for ${name}`);
    entries.set(name, buffer.subarray(offset + 512, offset + 512 + size));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}

test("a docker archive: manifest, config with the platform and the layer's diff id, the layer itself", async (t) => {
  const dir = await tempDir(t);
  const layer = join(dir, 'layer.tar');
  const content = Buffer.concat([tarHeader('app', 5, 'file'), Buffer.from('hello'), Buffer.alloc(507), Buffer.alloc(1024)]);
  await writeFile(layer, content);
  const result = await writeDockerArchive(join(dir, 'image.tar'), {
    layerTar: layer,
    platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
    config: { Cmd: ['/app'] },
    repoTags: ['cloudlet/x:1', 'cloudlet/x:latest'],
    createdBy: 'test',
  });
  const entries = readTar(await readFile(result.path));
  const layerHex = createHash('sha256').update(content).digest('hex');
  const manifest = JSON.parse(entries.get('manifest.json')!.toString()) as Array<{ Config: string; RepoTags: string[]; Layers: string[] }>;
  t.deepEqual(manifest, [{ Config: `${result.imageId.slice(7)}.json`, RepoTags: ['cloudlet/x:1', 'cloudlet/x:latest'], Layers: [`${layerHex}/layer.tar`] }]);
  const configBytes = entries.get(manifest[0]!.Config)!;
  t.is(`sha256:${createHash('sha256').update(configBytes).digest('hex')}`, result.imageId, "the image id is the config's digest");
  const config = JSON.parse(configBytes.toString()) as Record<string, unknown>;
  t.like(config, { architecture: 'arm', variant: 'v7', os: 'linux', config: { Cmd: ['/app'] }, rootfs: { type: 'layers', diff_ids: [`sha256:${layerHex}`] } });
  t.deepEqual(entries.get(`${layerHex}/layer.tar`), content);
  // amd64 has no variant field at all.
  const amd = await writeDockerArchive(join(dir, 'amd.tar'), {
    layerTar: layer,
    platform: { os: 'linux', architecture: 'amd64' },
    config: {},
    repoTags: ['cloudlet/x:2'],
    createdBy: 'test',
  });
  const amdEntries = readTar(await readFile(amd.path));
  const amdConfig = JSON.parse(amdEntries.get(`${amd.imageId.slice(7)}.json`)!.toString()) as Record<string, unknown>;
  t.false('variant' in amdConfig);
  t.is(amdConfig.architecture, 'amd64');
});

test('apt sources: one-line and deb822; only Debian archive and security lines of this release', (t) => {
  const deb822 = parseAptSources(
    'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\nTypes: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\n',
    true,
  );
  const oneLine = parseAptSources(
    '# comment\ndeb [signed-by=/k.gpg] http://security.debian.org/debian-security bookworm-security main contrib\ndeb https://deb.nodesource.com/node_20.x nodistro main\n',
    false,
  );
  t.deepEqual(debianMirrorLines([...deb822, ...oneLine], 'bookworm'), [
    'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main',
    'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-updates main',
    'deb [signed-by=/k.gpg] http://security.debian.org/debian-security bookworm-security main contrib',
  ]);
  t.deepEqual(debianMirrorLines(deb822, 'trixie'), []);
});

test('the source: one error line naming --src and GO_COFFEE_SRC; a content key that follows every file', async (t) => {
  const dir = await tempDir(t);
  t.throws(() => resolveSource(join(dir, 'missing'), {}), {
    message: /go-coffeeshop source not found at .*missing \(--src\): pass --src DIR or set GO_COFFEE_SRC=DIR/,
  });
  t.throws(() => resolveSource(undefined, { GO_COFFEE_SRC: dir }), { message: /is not a go-coffeeshop checkout: go\.mod is missing/ });
  await writeFile(join(dir, 'go.mod'), 'module x\n');
  await mkdir(join(dir, 'cmd'), { recursive: true });
  const first = await sourceKey(dir);
  t.regex(first, /^sha256:[0-9a-f]{64}$/);
  t.is(await sourceKey(dir), first);
  await writeFile(join(dir, 'cmd', 'main.go'), 'package main\n');
  t.not(await sourceKey(dir), first);
  t.not(buildKey(first, 'go1.26.8'), buildKey(first, 'go1.25.0'), 'the Go version is part of the key');
  t.is(cacheRoot({ XDG_CACHE_HOME: '/c' }), '/c/cloudlet-bench/go-coffee');
});

test('replicas: only kitchen and barista scale, by 1–32 processes', (t) => {
  t.notThrows(() => validateReplicas({ kitchen: 3, barista: 1 }));
  t.throws(() => validateReplicas({ proxy: 2 }), { message: /^replicas\.proxy: the local Go coffee shop scales barista and kitchen only/ });
  t.throws(() => validateReplicas({ kitchen: 0 }), { message: /^replicas\.kitchen: expected an integer 1–32, got 0$/ });
});

test('the default source is looked for beside the checkout, beside every folder above it, and beside the checkout it was cloned from', (t) => {
  const candidates = defaultSourceCandidates('/ci/runs/42/clone', '/work/main');
  t.deepEqual(candidates, [
    '/ci/runs/42/shared/upstream/go-coffeeshop',
    '/ci/runs/shared/upstream/go-coffeeshop',
    '/ci/shared/upstream/go-coffeeshop',
    '/shared/upstream/go-coffeeshop',
    '/work/shared/upstream/go-coffeeshop',
  ]);
  t.deepEqual(defaultSourceCandidates('/a/b', 'file:///src/repo').at(-1), '/src/shared/upstream/go-coffeeshop');
  t.is(defaultSourceCandidates('/a/b', 'https://example.invalid/repo.git').length, 2);
  t.is(defaultSource(['/nonexistent/one', REPO_ROOT]), REPO_ROOT);
  t.is(defaultSource(['/nonexistent/one', '/nonexistent/two']), '/nonexistent/one');
});
