/**
 * The one SSH connection of the project (ssh2): key or agent auth, the host key checked against
 * known_hosts (new keys recorded only when asked, a changed key always refused), keepalive, one
 * deadline for TCP connect + handshake + auth, and a typed error for each way it can fail
 * (./errors.ts). Cluster control, the node samplers, remote load generators and `perf` all use it.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { EnvironmentError, errorMessage } from '../errors.ts';
import { SshAuthError, SshHostKeyChangedError, SshHostKeyUnknownError, SshUnreachableError } from './errors.ts';
import { appendKnownHost, checkHostKey, hostPattern, keyTypeOf, knownHostsLine, knownKeyTypes, readKnownHosts } from './known-hosts.ts';

/** Where and how to reach one machine over SSH. */
export interface SshTarget {
  /** What messages call it (an inventory node's name); default user@host:port alone. */
  name?: string;
  host: string;
  /** Default 22. */
  port?: number;
  username: string;
  /** Private key file; without it (and without `privateKey`) the agent is used. */
  privateKeyPath?: string;
  privateKey?: string | Buffer;
  passphrase?: string;
  /** ssh-agent socket; default $SSH_AUTH_SOCK when no key is given; false: never an agent. */
  agent?: string | false;
  /** Default ~/.ssh/known_hosts. */
  knownHostsPath?: string;
  /** Accept and record a host key seen for the first time (--accept-new-host-keys). A changed key is refused regardless. */
  acceptNewHostKey?: boolean;
  /** SSH keepalive every this many ms; default 5000. */
  keepaliveIntervalMs?: number;
  /** Unanswered keepalives before the connection counts as lost; default 3. */
  keepaliveCountMax?: number;
  /** TCP connect + handshake + auth must finish within this; default 10000. */
  readyTimeoutMs?: number;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface SshConnection {
  readonly target: SshTarget;
  readonly client: Client;
  /** Runs a command on a new channel (stdin, stdout and stderr are the channel's), e.g. a long-running loop. */
  exec(command: string): Promise<ClientChannel>;
  /** Runs a command to its end and collects its output; with `timeoutMs`, gives up (EnvironmentError) after that long. */
  run(command: string, options?: { timeoutMs?: number }): Promise<RunResult>;
  /** Opens a stream to a unix socket on the node (OpenSSH streamlocal forwarding), e.g. the Docker engine's. */
  forwardUnix(socketPath: string): Promise<Duplex>;
  /** Resolves when the connection ends for any reason, with the error if there was one. */
  readonly closed: Promise<Error | undefined>;
  close(): void;
}

/** Host key types as ssh2 names the algorithms, most preferred first. */
const HOST_KEY_ALGORITHMS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EPIPE']);

export const DEFAULT_SSH_TIMEOUT_MS = 10_000;

/** `node1 (pi@10.0.0.1:22)`, or `pi@10.0.0.1:22` for a target without a name. */
export function describeTarget(target: SshTarget): string {
  const address = `${target.username}@${target.host}:${target.port ?? 22}`;
  return target.name ? `${target.name} (${address})` : address;
}

export async function connectSsh(target: SshTarget): Promise<SshConnection> {
  const port = target.port ?? 22;
  const where = describeTarget(target);
  const timeoutMs = target.readyTimeoutMs ?? DEFAULT_SSH_TIMEOUT_MS;
  const knownHostsPath = target.knownHostsPath ?? join(homedir(), '.ssh', 'known_hosts');
  const known = await readKnownHosts(knownHostsPath);
  const privateKey = target.privateKey ?? (target.privateKeyPath ? await readKeyFile(target.privateKeyPath, where) : undefined);
  // With neither a key nor an agent the handshake still runs (reachability and the host key are
  // checked first); authentication then fails with a message that says what to set.
  const agent = target.agent === false ? undefined : (target.agent ?? (privateKey ? undefined : process.env.SSH_AUTH_SOCK));

  let hostKeyError: Error | null = null;
  const config: ConnectConfig = {
    host: target.host,
    port,
    username: target.username,
    privateKey,
    passphrase: target.passphrase,
    agent,
    keepaliveInterval: target.keepaliveIntervalMs ?? 5000,
    keepaliveCountMax: target.keepaliveCountMax ?? 3,
    readyTimeout: timeoutMs,
    algorithms: { serverHostKey: preferKnown(knownKeyTypes(known, target.host, port)) as never },
    hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
      const check = checkHostKey(known, target.host, port, key);
      const seen = `${keyTypeOf(key)} ${fingerprint(key)}`;
      if (check.status === 'known') return verify(true);
      if (check.status === 'changed') {
        hostKeyError = new SshHostKeyChangedError(
          `ssh ${where}: HOST KEY CHANGED: the host key of ${target.host} does not match ${knownHostsPath}: the node offers ${seen}, the file has another key (${check.knownTypes.join(', ')}). ` +
            `If the node was reinstalled, remove the old key with: ssh-keygen -R '${hostPattern(target.host, port)}' -f ${knownHostsPath}`,
        );
        return verify(false);
      }
      if (!target.acceptNewHostKey) {
        hostKeyError = new SshHostKeyUnknownError(
          `ssh ${where}: host key ${seen} is not in ${knownHostsPath}; accept it on first use with --accept-new-host-keys after checking its fingerprint, ` +
            `or add it (ssh-keyscan -p ${port} ${target.host} >> ${knownHostsPath}), or name another file as ssh.knownHostsPath in the inventory`,
        );
        return verify(false);
      }
      appendKnownHost(knownHostsPath, knownHostsLine(target.host, port, key)).then(
        () => verify(true),
        (error) => {
          hostKeyError = new SshHostKeyUnknownError(`ssh ${where}: cannot record the new host key in ${knownHostsPath}: ${errorMessage(error)}`, {
            cause: error,
          });
          verify(false);
        },
      );
    },
  };

  const client = new Client();
  // ssh2 can emit a second error after the first (a handshake timeout followed by "connection lost
  // before handshake"); the first settles the connect, later ones must not crash the process.
  client.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      client.removeListener('ready', onReady);
      client.end();
      reject(error);
    };
    const onError = (error: Error & { level?: string; code?: string }) => fail(classify(error, where, timeoutMs, hostKeyError, Boolean(privateKey), agent));
    const onReady = () => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      client.removeListener('error', onError);
      resolve();
    };
    // ssh2's readyTimeout starts with the handshake; a TCP connect that never completes gets the same budget.
    const deadline = setTimeout(
      () => fail(new SshUnreachableError(`ssh ${where}: unreachable: SSH timed out after ${timeoutMs} ms; ${UNREACHABLE_HINT}`)),
      timeoutMs + 500,
    );
    client.once('error', onError);
    client.once('ready', onReady);
    try {
      client.connect(config);
    } catch (error) {
      // ssh2 refuses a key it cannot parse before it connects.
      fail(new SshAuthError(`ssh ${where}: cannot use the ssh key ${target.privateKeyPath ?? '(given)'}: ${errorMessage(error)}`, { cause: error }));
    }
  });

  const closed = new Promise<Error | undefined>((resolve) => {
    let lastError: Error | undefined;
    // After ready, errors (keepalive timeout, reset) are followed by 'close'; keep the reason.
    client.on('error', (error: Error & { level?: string; code?: string }) => {
      lastError = new SshUnreachableError(`ssh ${where}: connection lost: ${error.message}`, { cause: error });
    });
    client.once('close', () => resolve(lastError));
  });

  const exec = (command: string) =>
    new Promise<ClientChannel>((resolve, reject) => {
      client.exec(command, (error, channel) =>
        error ? reject(new SshUnreachableError(`ssh ${where}: cannot run a command: ${error.message}`, { cause: error })) : resolve(channel),
      );
    });

  return {
    target,
    client,
    exec,
    closed,
    close: () => client.end(),
    forwardUnix(socketPath) {
      return new Promise((resolve, reject) => {
        client.openssh_forwardOutStreamLocal(socketPath, (error, stream) => (error ? reject(error) : resolve(stream)));
      });
    },
    async run(command, options = {}) {
      const channel = await exec(command);
      let stdout = '';
      let stderr = '';
      channel.setEncoding('utf8');
      channel.on('data', (chunk: string) => {
        stdout += chunk;
      });
      channel.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      return new Promise<RunResult>((resolve, reject) => {
        let exitCode: number | null = null;
        const timer = options.timeoutMs
          ? setTimeout(() => {
              channel.close();
              reject(new EnvironmentError(`ssh ${where}: "${command}" took longer than ${options.timeoutMs} ms`));
            }, options.timeoutMs)
          : undefined;
        channel.once('exit', (code: number | null) => {
          exitCode = code;
        });
        channel.once('close', () => {
          clearTimeout(timer);
          resolve({ code: exitCode, stdout, stderr });
        });
      });
    },
  };
}

const UNREACHABLE_HINT = 'check the address, that sshd runs on the node, and the network';

function classify(
  error: Error & { level?: string; code?: string },
  where: string,
  timeoutMs: number,
  hostKeyError: Error | null,
  withKey: boolean,
  agent: string | undefined,
): Error {
  if (hostKeyError) {
    (hostKeyError as { cause?: unknown }).cause = error;
    return hostKeyError;
  }
  if (error.level === 'client-authentication') {
    const tried = [withKey ? 'the private key' : null, agent ? `the agent at ${agent}` : null].filter(Boolean).join(' and ');
    if (!tried) {
      return new SshAuthError(`ssh ${where}: no key given and no ssh-agent ($SSH_AUTH_SOCK unset); set the node's ssh key path in the inventory`, {
        cause: error,
      });
    }
    return new SshAuthError(`ssh ${where}: authentication refused (tried ${tried}); add the public key to the user's ~/.ssh/authorized_keys on the node`, {
      cause: error,
    });
  }
  if (error.level === 'client-timeout')
    return new SshUnreachableError(`ssh ${where}: unreachable: SSH timed out after ${timeoutMs} ms; ${UNREACHABLE_HINT}`, { cause: error });
  if ((error.code && UNREACHABLE_CODES.has(error.code)) || error.level === 'client-socket') {
    return new SshUnreachableError(`ssh ${where}: unreachable (${error.message}); ${UNREACHABLE_HINT}`, { cause: error });
  }
  return new SshUnreachableError(`ssh ${where}: connection failed: ${error.message}`, { cause: error });
}

/** Known key types first, so a node with several host keys shows the one we know (as OpenSSH does). */
function preferKnown(knownTypes: string[]): string[] {
  const algorithmsFor = (type: string) => (type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type]);
  const first = knownTypes.flatMap(algorithmsFor).filter((a) => HOST_KEY_ALGORITHMS.includes(a));
  return [...new Set([...first, ...HOST_KEY_ALGORITHMS])];
}

export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

async function readKeyFile(path: string, where: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new SshAuthError(`ssh ${where}: cannot read ssh key ${path}: ${errorMessage(error)}`, { cause: error });
  }
}
