/**
 * A real OpenSSH sshd on loopback for tests: generated host and user keys, key-only auth, a free
 * port, logging in as the user running the tests. Fails (never skips) when openssh-server is not
 * installed.
 *
 * Gotchas met here: sshd must be started by absolute path (it re-execs itself); it needs
 * /run/sshd as privilege-separation dir when run as root; `UsePAM no` refuses locked accounts
 * (a `useradd` user: unlock with `usermod -p '*' <user>`); StrictModes would reject keys under /tmp.
 */
import type { TestFn } from 'ava';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SshTarget } from '../../kernel/ssh/connect.ts';
import { requireBinary } from './binaries.ts';
import { freePort } from './ports.ts';
import { descendants } from './procs.ts';
import { waitFor } from './poll.ts';

const run = promisify(execFile);

export interface TestSshd {
  host: string;
  port: number;
  username: string;
  dir: string;
  /** The authorized user key. */
  privateKeyPath: string;
  /** A known_hosts file holding this server's host key. */
  knownHostsPath: string;
  /** `[127.0.0.1]:port ssh-ed25519 AAAA...` */
  knownHostsLine: string;
  /** Kills sshd and every session it serves (clients see the connection drop). */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same keys. */
  start(): Promise<void>;
  /** kill() and remove the temp dir. */
  stop(): Promise<void>;
}

/** Generates an ed25519 key pair at `path` (and `path.pub`); returns the public key line. */
export async function generateKey(path: string): Promise<string> {
  const keygen = requireBinary('ssh-keygen', 'openssh-client');
  await run(keygen, ['-q', '-t', 'ed25519', '-N', '', '-C', 'cloudlet-test', '-f', path]);
  return (await readFile(`${path}.pub`, 'utf8')).trim();
}

export interface SshdOptions {
  /** Address to listen on and to reach it at; default 127.0.0.1. */
  host?: string;
  /** Default: a free port on 127.0.0.1. */
  port?: number;
  /** Command prefix to start sshd with, e.g. ['nsenter', '--net=/run/netns/node1'] for a testbed node. */
  wrap?: string[];
  /** Extra sshd_config lines. */
  config?: string[];
}

export async function startSshd(options: SshdOptions = {}): Promise<TestSshd> {
  const sshdPath = requireBinary('sshd', 'openssh-server');
  const dir = await mkdtemp(join(tmpdir(), 'cloudlet-sshd-'));
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await freePort());
  const username = userInfo().username;
  const hostKey = join(dir, 'host_ed25519');
  const userKey = join(dir, 'user_ed25519');
  const hostPub = await generateKey(hostKey);
  await writeFile(join(dir, 'authorized_keys'), `${await generateKey(userKey)}\n`, { mode: 0o600 });
  const [hostKeyType, hostKeyBase64] = hostPub.split(' ');
  const knownHostsLine = `[${host}]:${port} ${hostKeyType} ${hostKeyBase64}`;
  const knownHostsPath = join(dir, 'known_hosts');
  await writeFile(knownHostsPath, `${knownHostsLine}\n`);
  const configPath = join(dir, 'sshd_config');
  await writeFile(
    configPath,
    [
      `Port ${port}`,
      `ListenAddress ${host}`,
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'AuthenticationMethods publickey',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'LogLevel ERROR',
      ...(options.config ?? []),
      '',
    ].join('\n'),
  );
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  let child: ChildProcess | null = null;
  let stderr = '';
  const start = async () => {
    const [command = sshdPath, ...args] = [...(options.wrap ?? []), sshdPath, '-D', '-e', '-f', configPath];
    child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const started = child;
    await waitFor(`sshd on port ${port}`, async () => {
      if (started.exitCode !== null) throw new Error(`sshd exited with code ${started.exitCode}: ${stderr.trim()}`);
      return canConnect(host, port);
    });
  };
  const kill = async () => {
    const running = child;
    child = null;
    if (!running?.pid || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    // Each connection's sshd calls setsid(), so a process-group kill would miss the sessions:
    // kill the listener's whole process tree, found through /proc.
    for (const pid of [...(await descendants(running.pid)), running.pid]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await exited;
  };
  await start();
  return {
    host,
    port,
    username,
    dir,
    privateKeyPath: userKey,
    knownHostsPath,
    knownHostsLine,
    kill,
    start,
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * One sshd for a whole test file: started in `before`, stopped in `after.always`. `target()` is an
 * SshTarget for it (the user key, its known_hosts), with `extra` on top.
 */
export function sshdForFile(test: TestFn): { sshd: () => TestSshd; target: (extra?: Partial<SshTarget>) => SshTarget } {
  let sshd: TestSshd | undefined;
  test.before(async () => {
    sshd = await startSshd();
  });
  test.after.always(async () => {
    await sshd?.stop();
  });
  const get = () => {
    if (!sshd) throw new Error('sshd not started yet (use it inside a test)');
    return sshd;
  };
  return {
    sshd: get,
    target: (extra = {}) => ({
      host: get().host,
      port: get().port,
      username: get().username,
      privateKeyPath: get().privateKeyPath,
      knownHostsPath: get().knownHostsPath,
      ...extra,
    }),
  };
}
