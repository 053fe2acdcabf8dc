import { execFile } from 'node:child_process';
import { EnvironmentError } from '../../kernel/errors.ts';

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

export { requireBinary } from '../../kernel/binaries.ts';

/** The testbed creates namespaces, mounts and engines: root on Linux only. */
export function requireRoot(): void {
  if (process.platform !== 'linux') throw new EnvironmentError('the testbed needs Linux (network namespaces)');
  if (process.getuid?.() !== 0) throw new EnvironmentError('the testbed needs root (network namespaces, mounts, dockerd): run it as root');
}
