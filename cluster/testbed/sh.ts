import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { EnvironmentError } from '../../bench/errors.ts';

/** Runs a program (no shell); rejects with its stderr. */
export function run(file: string, args: readonly string[], options: { input?: string; allowFail?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && !options.allowFail) reject(new EnvironmentError(`${file} ${args.join(' ')}: ${stderr.trim() || error.message}`, { cause: error }));
      else resolve(stdout);
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

const SEARCH_PATH = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];

/** Absolute path of a program, or an error naming the Debian package that provides it. */
export function requireBinary(name: string, debianPackage: string): string {
  for (const dir of SEARCH_PATH) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next folder
    }
  }
  throw new EnvironmentError(`${name} not found: install the Debian package ${debianPackage} (apt-get install -y ${debianPackage})`);
}

/** The testbed creates namespaces, mounts and engines: root on Linux only. */
export function requireRoot(): void {
  if (process.platform !== 'linux') throw new EnvironmentError('the testbed needs Linux (network namespaces)');
  if (process.getuid?.() !== 0) throw new EnvironmentError('the testbed needs root (network namespaces, mounts, dockerd): run it as root');
}
