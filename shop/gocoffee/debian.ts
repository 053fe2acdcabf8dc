import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EnvironmentError } from '../../kernel/errors.ts';
import { requireBinary } from '../../kernel/binaries.ts';

/**
 * Debian root file systems with mmdebstrap, from the machine's own configured Debian mirror
 * (only package registries answer here). `--variant=extract`: packages are unpacked, their
 * maintainer scripts never run, so a foreign architecture (armhf) needs no emulation.
 */

export interface AptSource {
  uri: string;
  suites: string[];
  components: string[];
  signedBy?: string;
}

/** Parses one-line (`deb [opts] uri suite comp…`) and deb822 (`Types:/URIs:/Suites:…`) sources. */
export function parseAptSources(text: string, deb822: boolean): AptSource[] {
  const sources: AptSource[] = [];
  if (!deb822) {
    for (const raw of text.split('\n')) {
      const line = raw.replace(/#.*/, '').trim();
      const match = /^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
      if (!match) continue;
      const signedBy = /signed-by=(\S+)/.exec(match[1] ?? '')?.[1];
      sources.push({ uri: match[2]!, suites: [match[3]!], components: (match[4] ?? '').split(/\s+/).filter(Boolean), ...(signedBy ? { signedBy } : {}) });
    }
    return sources;
  }
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of stanza.split('\n')) {
      if (line.startsWith('#')) continue;
      const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (match) fields.set(match[1]!.toLowerCase(), match[2]!.trim());
    }
    if (!(fields.get('types') ?? '').split(/\s+/).includes('deb') || fields.get('enabled') === 'no') continue;
    for (const uri of (fields.get('uris') ?? '').split(/\s+/).filter(Boolean)) {
      const signedBy = fields.get('signed-by');
      sources.push({
        uri,
        suites: (fields.get('suites') ?? '').split(/\s+/).filter(Boolean),
        components: (fields.get('components') ?? 'main').split(/\s+/).filter(Boolean),
        ...(signedBy && !signedBy.includes('\n') ? { signedBy } : {}),
      });
    }
  }
  return sources;
}

/** The Debian entries (archive and security) of a source list, as one-line `deb` lines for mmdebstrap. */
export function debianMirrorLines(sources: AptSource[], codename: string): string[] {
  const lines: string[] = [];
  for (const source of sources) {
    if (!/\/debian(-security)?\/?$/.test(source.uri)) continue;
    for (const suite of source.suites) {
      if (suite !== codename && !suite.startsWith(`${codename}-`) && !suite.startsWith(`${codename}/`)) continue;
      const options = source.signedBy ? `[signed-by=${source.signedBy}] ` : '';
      lines.push(`deb ${options}${source.uri} ${suite} ${source.components.join(' ') || 'main'}`);
    }
  }
  return [...new Set(lines)];
}

/** This machine's Debian codename and mirror lines; an error naming the fix when there are none. */
export async function hostDebianMirror(): Promise<{ codename: string; lines: string[] }> {
  const osRelease = await readFile('/etc/os-release', 'utf8').catch(() => '');
  const codename = /^VERSION_CODENAME=("?)([a-z]+)\1$/m.exec(osRelease)?.[2];
  if (!codename)
    throw new EnvironmentError("cannot tell this machine's Debian release (/etc/os-release has no VERSION_CODENAME): the Debian images are built on Debian");
  const sources: AptSource[] = [];
  if (existsSync('/etc/apt/sources.list')) sources.push(...parseAptSources(await readFile('/etc/apt/sources.list', 'utf8'), false));
  const dir = '/etc/apt/sources.list.d';
  for (const name of existsSync(dir) ? (await readdir(dir)).sort() : []) {
    if (name.endsWith('.list')) sources.push(...parseAptSources(await readFile(join(dir, name), 'utf8'), false));
    if (name.endsWith('.sources')) sources.push(...parseAptSources(await readFile(join(dir, name), 'utf8'), true));
  }
  const lines = debianMirrorLines(sources, codename);
  if (lines.length === 0)
    throw new EnvironmentError(`no Debian ${codename} mirror in /etc/apt/sources.list(.d): add the Debian archive you use to apt's sources`);
  return { codename, lines };
}

export interface ExtractOptions {
  /** Debian architecture: amd64, armhf. */
  arch: string;
  packages: string[];
  /** dpkg path-exclude globs (docs, man pages, locales). */
  exclude?: string[];
  target: string;
}

/** `mmdebstrap --variant=extract` into `target` (a folder that must not exist yet). */
export async function extractPackages(options: ExtractOptions, onLine?: (line: string) => void): Promise<void> {
  const mmdebstrap = requireBinary('mmdebstrap', 'mmdebstrap');
  const mirror = await hostDebianMirror();
  await mkdir(dirname(options.target), { recursive: true });
  const args = [
    '--variant=extract',
    '--mode=root',
    `--architectures=${options.arch}`,
    `--include=${options.packages.join(',')}`,
    ...(options.exclude ?? []).map((glob) => `--dpkgopt=path-exclude=${glob}`),
    mirror.codename,
    options.target,
    ...mirror.lines,
  ];
  await new Promise<void>((resolve, reject) => {
    const child = execFile(mmdebstrap, args, { maxBuffer: 64 * 1024 * 1024 }, (error, _stdout, stderr) => {
      if (error)
        reject(
          new EnvironmentError(`mmdebstrap (${options.arch}: ${options.packages.join(' ')}) failed: ${stderr.trim().split('\n').slice(-5).join(' | ')}`, {
            cause: error,
          }),
        );
      else resolve();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) onLine?.(line.trim());
    });
  });
}
