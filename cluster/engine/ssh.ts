import { readFile } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import { Client, type ConnectConfig } from 'ssh2';
import { checkHostKey, readKnownHosts } from '../../kernel/ssh/known-hosts.ts';
import { EnvironmentError, errorMessage } from '../../kernel/errors.ts';
import type { SshTarget } from '../inventory/load.ts';

/**
 * The one SSH adapter of cluster/: a long-lived connection to one node. Kept this narrow so it can
 * be folded together with bench/ssh/ later; known_hosts checking is already the shared one.
 */
export interface SshSession {
  readonly target: SshTarget;
  /** Opens a stream to a unix socket on the node (OpenSSH streamlocal forwarding). */
  forwardUnix(socketPath: string): Promise<Duplex>;
  /** Runs a command; resolves with its output and exit code, rejects only if the channel fails. */
  exec(command: string, options?: { timeoutMs?: number }): Promise<ExecResult>;
  /** Starts a long-running command; its stdin/stdout are the returned stream. */
  spawn(command: string): Promise<Duplex>;
  /** Resolves when the connection closes, for whatever reason. */
  readonly closed: Promise<void>;
  close(): void;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

export async function openSsh(target: SshTarget): Promise<SshSession> {
  const config: ConnectConfig = {
    host: target.host,
    port: target.port,
    username: target.user,
    readyTimeout: target.timeoutMs,
    keepaliveInterval: 5000,
    keepaliveCountMax: 3,
  };
  if (target.keyPath) {
    try {
      config.privateKey = await readFile(target.keyPath);
    } catch (error) {
      throw new EnvironmentError(`${target.node}: cannot read SSH key ${target.keyPath}: ${errorMessage(error)}`, { cause: error });
    }
  }
  if (target.agentSocket) config.agent = target.agentSocket;
  let hostKeyProblem: string | undefined;
  if (target.knownHostsPath) {
    const entries = await readKnownHosts(target.knownHostsPath);
    config.hostVerifier = (key: Buffer) => {
      const check = checkHostKey(entries, target.host, target.port, key);
      if (check.status === 'known') return true;
      hostKeyProblem =
        check.status === 'changed'
          ? `host key of ${target.host} does not match ${target.knownHostsPath}`
          : `${target.host} is not in ${target.knownHostsPath}: check its fingerprint, then add it (ssh-keyscan -p ${target.port} ${target.host} >> ${target.knownHostsPath}) or name another file as ssh.knownHostsPath in the inventory`;
      return false;
    };
  }

  const client = new Client();
  // ssh2 can emit more than one error (a handshake timeout, then "connection lost"); the first one
  // rejects below, later ones surface through 'close' and failed requests, never as a crash.
  client.on('error', () => {});
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    // ssh2's readyTimeout covers the handshake only; a silent TCP connect gets the same budget.
    const timer = setTimeout(() => {
      client.end();
      reject(new EnvironmentError(`${target.node} (${target.host}:${target.port}): SSH timed out after ${target.timeoutMs} ms`));
    }, target.timeoutMs + 500);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
    client.once('error', (error) => {
      clearTimeout(timer);
      const message = errorMessage(error);
      const reason = hostKeyProblem ?? (/timed out while waiting for handshake/i.test(message) ? `SSH timed out after ${target.timeoutMs} ms` : message);
      reject(
        new EnvironmentError(`${target.node} (${target.host}:${target.port}): ${reason.startsWith('SSH') ? reason : `SSH failed: ${reason}`}`, {
          cause: error,
        }),
      );
    });
    client.connect(config);
  });

  return {
    target,
    closed,
    forwardUnix(socketPath) {
      return new Promise((resolve, reject) => {
        client.openssh_forwardOutStreamLocal(socketPath, (error, stream) => (error ? reject(error) : resolve(stream)));
      });
    },
    spawn(command) {
      return new Promise((resolve, reject) => {
        client.exec(command, (error, channel) => (error ? reject(error) : resolve(channel)));
      });
    },
    exec(command, options = {}) {
      return new Promise((resolve, reject) => {
        client.exec(command, (error, channel) => {
          if (error) return reject(error);
          let stdout = '';
          let stderr = '';
          const timer = options.timeoutMs
            ? setTimeout(() => {
                channel.close();
                reject(new EnvironmentError(`${target.node}: "${command}" took longer than ${options.timeoutMs} ms`));
              }, options.timeoutMs)
            : undefined;
          channel.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
          channel.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
          channel.on('close', (code: number | null) => {
            if (timer) clearTimeout(timer);
            resolve({ stdout, stderr, code: code ?? null });
          });
        });
      });
    },
    close() {
      client.end();
    },
  };
}
