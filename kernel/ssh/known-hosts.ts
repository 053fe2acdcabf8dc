/**
 * known_hosts, as OpenSSH reads and writes it: plain and hashed (`|1|salt|hash`) host patterns,
 * `[host]:port` for ports other than 22. Pure, apart from the two small file helpers at the end.
 */
import { createHmac } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface KnownHostEntry {
  patterns: string[];
  keyType: string;
  keyBase64: string;
}

export type HostKeyCheck = { status: 'known' } | { status: 'unknown' } | { status: 'changed'; knownTypes: string[] };

/** The name known_hosts uses for a host: `host`, or `[host]:port` off port 22. */
export function hostPattern(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    // @cert-authority and @revoked lines are not host keys we can match a plain key against.
    if (line.startsWith('@')) continue;
    const [hosts, keyType, keyBase64] = line.split(/\s+/);
    if (!hosts || !keyType || !keyBase64) continue;
    entries.push({ patterns: hosts.split(','), keyType, keyBase64 });
  }
  return entries;
}

/** The key type named inside an SSH public key blob (uint32 length + name). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString('latin1');
}

export function checkHostKey(entries: KnownHostEntry[], host: string, port: number, key: Buffer): HostKeyCheck {
  const name = hostPattern(host, port);
  const mine = entries.filter((e) => matchesHost(e.patterns, name));
  if (mine.length === 0) return { status: 'unknown' };
  const base64 = key.toString('base64');
  if (mine.some((e) => e.keyBase64 === base64)) return { status: 'known' };
  return { status: 'changed', knownTypes: [...new Set(mine.map((e) => e.keyType))] };
}

/** Key types known for a host, so the handshake can ask for those first (as OpenSSH does). */
export function knownKeyTypes(entries: KnownHostEntry[], host: string, port: number): string[] {
  const name = hostPattern(host, port);
  return [...new Set(entries.filter((e) => matchesHost(e.patterns, name)).map((e) => e.keyType))];
}

export function knownHostsLine(host: string, port: number, key: Buffer): string {
  return `${hostPattern(host, port)} ${keyTypeOf(key)} ${key.toString('base64')}`;
}

function matchesHost(patterns: string[], name: string): boolean {
  let matched = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const body = negated ? pattern.slice(1) : pattern;
    if (matchOne(body, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function matchOne(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  if (!/[*?]/.test(pattern)) return pattern === name;
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replaceAll('*', '.*')
      .replaceAll('?', '.')}$`,
  );
  return regex.test(name);
}

export async function readKnownHosts(path: string): Promise<KnownHostEntry[]> {
  try {
    return parseKnownHosts(await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export async function appendKnownHost(path: string, line: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await appendFile(path, `${line}\n`, { mode: 0o600 });
}
