import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Runs one of the project's TypeScript entry points as a user would, through tsx. */

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runEntry(
  entry: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; onSpawn?: (pid: number) => void; onStderr?: (text: string) => void } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), entry, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid) options.onSpawn?.(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      options.onStderr?.(stderr);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A bad-input answer: one line on stderr starting with "error:", no stack trace. */
export function isOneLineError(stderr: string): boolean {
  const lines = stderr
    .trim()
    .split('\n')
    .filter((l) => !l.startsWith('(add --help'));
  return lines.length === 1 && /^error:/.test(lines[0] ?? '') && !/\n\s+at /.test(stderr);
}
