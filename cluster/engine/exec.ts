import { PassThrough } from 'node:stream';
import { EnvironmentError } from '../../kernel/errors.ts';
import { within } from '../../kernel/poll.ts';
import type { Engine } from './engine.ts';

/** What a command run in a container gave back. */
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** The user to run as (a name or uid inside the container); default the image's. */
  user?: string;
  /** Extra environment variables, `NAME=value`. */
  env?: string[];
  /** Give up after this long; default 60 s. */
  timeoutMs?: number;
}

/**
 * Runs a command in a running container through the Engine API (`docker exec`, no TTY, no stdin),
 * and collects its output. The output is read from the start call's response (no connection
 * upgrade), so it works over the SSH-forwarded engine socket as over a local one.
 */
export async function execInContainer(engine: Engine, containerId: string, command: string[], options: ExecOptions = {}): Promise<ExecResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const run = async (): Promise<ExecResult> => {
    const exec = await engine.docker.getContainer(containerId).exec({
      Cmd: command,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      ...(options.user ? { User: options.user } : {}),
      ...(options.env ? { Env: options.env } : {}),
    });
    const stream = (await exec.start({ hijack: false, stdin: false, Detach: false, Tty: false } as object)) as NodeJS.ReadableStream;
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    stdout.on('data', (chunk: Buffer) => out.push(chunk));
    stderr.on('data', (chunk: Buffer) => err.push(chunk));
    engine.docker.modem.demuxStream(stream, stdout, stderr);
    await new Promise<void>((resolve, reject) => {
      stream.once('end', () => resolve());
      stream.once('close', () => resolve());
      stream.once('error', reject);
    });
    const inspected = (await exec.inspect()) as { ExitCode?: number | null; Running?: boolean };
    return { exitCode: inspected.ExitCode ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
  };
  try {
    return await within(run(), timeoutMs, `exec ${command[0]} in container ${containerId.slice(0, 12)} on ${engine.node}`);
  } catch (error) {
    if (error instanceof EnvironmentError) throw error;
    throw new EnvironmentError(`exec ${command[0]} in container ${containerId.slice(0, 12)} on ${engine.node}: ${(error as Error).message}`, { cause: error });
  }
}
