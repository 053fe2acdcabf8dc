/**
 * One ssh2 connection to one node: key or agent auth, host key checked against known_hosts,
 * keepalive, handshake timeout, and a typed error for each way it can fail (./errors.ts).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { errorMessage } from '../errors.ts';
import { SshAuthError, SshHostKeyChangedError, SshHostKeyUnknownError, SshUnreachableError } from './errors.ts';
import { appendKnownHost, checkHostKey, hostPattern, keyTypeOf, knownHostsLine, knownKeyTypes, readKnownHosts } from './known-hosts.ts';

export interface SshTarget {
  host: string;
  /** Default 22. */
  port?: number;
  username: string;
  /** Private key file; without it (and without `privateKey`) the agent is used. */
  privateKeyPath?: string;
  privateKey?: string | Buffer;
  passphrase?: string;
  /** ssh-agent socket; default $SSH_AUTH_SOCK. */
  agent?: string;
  /** Default ~/.ssh/known_hosts. */
  knownHostsPath?: string;
  /** Accept and record a host key seen for the first time. A changed key is refused regardless. */
  acceptNewHostKey?: boolean;
  /** SSH keepalive every this many ms; default 5000. */
  keepaliveIntervalMs?: number;
  /** Unanswered keepalives before the connection counts as lost; default 3. */
  keepaliveCountMax?: number;
  /** TCP connect + handshake + auth must finish within this; default 10000. */
  readyTimeoutMs?: number;
}

export interface SshConnection {
  readonly target: SshTarget;
  readonly client: Client;
  /** Runs a command on a new channel (stdin, stdout and stderr are the channel's). */
  exec(command: string): Promise<ClientChannel>;
  /** Runs a command to its end and collects its output. */
  run(command: string): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Resolves when the connection ends for any reason, with the error if there was one. */
  readonly closed: Promise<Error | undefined>;
  close(): void;
}

/** Host key types as ssh2 names the algorithms, most preferred first. */
const HOST_KEY_ALGORITHMS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EPIPE']);

export function describeTarget(target: SshTarget): string {
  return `${target.username}@${target.host}:${target.port ?? 22}`;
}

export async function connectSsh(target: SshTarget): Promise<SshConnection> {
  const port = target.port ?? 22;
  const where = describeTarget(target);
  const knownHostsPath = target.knownHostsPath ?? join(homedir(), '.ssh', 'known_hosts');
  const known = await readKnownHosts(knownHostsPath);
  const privateKey = target.privateKey ?? (target.privateKeyPath ? await readKeyFile(target.privateKeyPath) : undefined);
  const agent = target.agent ?? (privateKey ? undefined : process.env.SSH_AUTH_SOCK);
  if (!privateKey && !agent)
    throw new SshAuthError(`ssh ${where}: no key given and no ssh-agent ($SSH_AUTH_SOCK unset); set the node's ssh key path in the inventory`);

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
    readyTimeout: target.readyTimeoutMs ?? 10_000,
    algorithms: { serverHostKey: preferKnown(knownKeyTypes(known, target.host, port)) as never },
    hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
      const check = checkHostKey(known, target.host, port, key);
      const seen = `${keyTypeOf(key)} ${fingerprint(key)}`;
      if (check.status === 'known') return verify(true);
      if (check.status === 'changed') {
        hostKeyError = new SshHostKeyChangedError(
          `ssh ${where}: HOST KEY CHANGED: the node offers ${seen}, ${knownHostsPath} has another key (${check.knownTypes.join(', ')}). ` +
            `If the node was reinstalled, remove the old key with: ssh-keygen -R '${hostPattern(target.host, port)}' -f ${knownHostsPath}`,
        );
        return verify(false);
      }
      if (!target.acceptNewHostKey) {
        hostKeyError = new SshHostKeyUnknownError(
          `ssh ${where}: host key ${seen} is not in ${knownHostsPath}; accept it on first use with --accept-new-host-keys, or add it with ssh-keyscan`,
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
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error & { level?: string; code?: string }) => {
      client.removeListener('ready', onReady);
      client.end();
      reject(classify(error, where, hostKeyError, Boolean(privateKey), agent));
    };
    const onReady = () => {
      client.removeListener('error', onError);
      resolve();
    };
    client.once('error', onError);
    client.once('ready', onReady);
    // ssh2 can emit a second error after the first (a handshake timeout followed by "connection lost
    // before handshake"); the first settles this promise, later ones must not crash the process.
    client.on('error', () => undefined);
    client.connect(config);
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
    async run(command) {
      const channel = await exec(command);
      let stdout = '';
      let stderr = '';
      channel.setEncoding('utf8');
      channel.on('data', (chunk: string) => (stdout += chunk));
      channel.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const code = await new Promise<number | null>((resolve) => {
        let exitCode: number | null = null;
        channel.once('exit', (c: number | null) => (exitCode = c));
        channel.once('close', () => resolve(exitCode));
      });
      return { code, stdout, stderr };
    },
  };
}

function classify(
  error: Error & { level?: string; code?: string },
  where: string,
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
    return new SshAuthError(`ssh ${where}: authentication refused (tried ${tried}); add the public key to the user's ~/.ssh/authorized_keys on the node`, {
      cause: error,
    });
  }
  if (error.level === 'client-timeout' || (error.code && UNREACHABLE_CODES.has(error.code)) || error.level === 'client-socket') {
    return new SshUnreachableError(`ssh ${where}: unreachable (${error.message}); check the address, that sshd runs on the node, and the network`, {
      cause: error,
    });
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

async function readKeyFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new SshAuthError(`cannot read ssh key ${path}: ${errorMessage(error)}`, { cause: error });
  }
}
