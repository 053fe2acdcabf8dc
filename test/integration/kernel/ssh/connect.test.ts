// ssh2 against a real sshd on loopback (test/helpers/sshd.ts).
import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectSsh } from '../../../../kernel/ssh/connect.ts';
import { SshAuthError, SshHostKeyChangedError, SshHostKeyUnknownError, SshUnreachableError } from '../../../../kernel/ssh/errors.ts';
import { requireBinary } from '../../../helpers/binaries.ts';
import { waitFor } from '../../../helpers/poll.ts';
import { freePort } from '../../../helpers/ports.ts';
import { generateKey, sshdForFile } from '../../../helpers/sshd.ts';

const file = sshdForFile(test);
const target = file.target;

test('a known host key and the user key: connects and runs a command', async (t) => {
  const connection = await connectSsh(target());
  t.teardown(() => connection.close());
  const result = await connection.run('echo hello; echo oops >&2; exit 3');
  t.is(result.code, 3);
  t.is(result.stdout, 'hello\n');
  // sshd runs the command through the user's login shell, and bash reads ~/.bashrc for it: a
  // user's dotfiles may write to stderr first (pyenv's rehash does when two shells race), so the
  // command's own line is the last one, not the only one.
  t.regex(result.stderr, /(^|\n)oops\n$/);
});

test('an unknown host is refused by default; accept-new records it and the next connect knows it', async (t) => {
  const knownHostsPath = join(file.sshd().dir, 'known_hosts.new');
  const error = await t.throwsAsync(connectSsh(target({ knownHostsPath })), { instanceOf: SshHostKeyUnknownError });
  t.regex(error!.message, /not in .*known_hosts\.new; accept it on first use/);

  const first = await connectSsh(target({ knownHostsPath, acceptNewHostKey: true }));
  first.close();
  t.is((await readFile(knownHostsPath, 'utf8')).trim(), file.sshd().knownHostsLine);
  const second = await connectSsh(target({ knownHostsPath }));
  second.close();
  t.is((await readFile(knownHostsPath, 'utf8')).trim().split('\n').length, 1, 'recorded once');
});

test('a changed host key is an error, even when accepting new keys', async (t) => {
  const knownHostsPath = join(file.sshd().dir, 'known_hosts.changed');
  const otherPub = await generateKey(join(file.sshd().dir, 'other_host'));
  await writeFile(knownHostsPath, `[127.0.0.1]:${file.sshd().port} ${otherPub.split(' ').slice(0, 2).join(' ')}\n`);
  const error = await t.throwsAsync(connectSsh(target({ knownHostsPath, acceptNewHostKey: true })), { instanceOf: SshHostKeyChangedError });
  t.regex(error!.message, /HOST KEY CHANGED.*ssh-keygen -R/);
  t.is((await readFile(knownHostsPath, 'utf8')).split('\n').length, 2, 'known_hosts untouched');
});

test('a key the node does not accept: authentication refused', async (t) => {
  const stranger = join(file.sshd().dir, 'stranger');
  await generateKey(stranger);
  const error = await t.throwsAsync(connectSsh(target({ privateKeyPath: stranger })), { instanceOf: SshAuthError });
  t.regex(error!.message, /authentication refused/);
});

test('nothing listening: unreachable', async (t) => {
  const port = await freePort();
  const error = await t.throwsAsync(connectSsh(target({ port, readyTimeoutMs: 3000 })), { instanceOf: SshUnreachableError });
  t.regex(error!.message, /unreachable \(.*ECONNREFUSED/);
});

test('agent auth: the key held by a real ssh-agent', async (t) => {
  const agentBin = requireBinary('ssh-agent', 'openssh-client');
  const add = requireBinary('ssh-add', 'openssh-client');
  const socket = join(file.sshd().dir, 'agent.sock');
  const agent = spawn(agentBin, ['-D', '-a', socket], { stdio: 'ignore' });
  t.teardown(() => agent.kill());
  // The socket file appears at bind(), a moment before the agent listens: wait for a connection.
  await waitFor(
    'ssh-agent listening',
    () =>
      new Promise<boolean>((resolve) => {
        const probe = connect(socket)
          .once('connect', () => {
            probe.destroy();
            resolve(true);
          })
          .once('error', () => resolve(false));
      }),
  );
  await promisify(execFile)(add, [file.sshd().privateKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
  const connection = await connectSsh(target({ privateKeyPath: undefined, agent: socket }));
  t.teardown(() => connection.close());
  t.is((await connection.run('echo via-agent')).stdout, 'via-agent\n');
});

test('a host that accepts TCP but never speaks SSH is reported unreachable, and a late second error does not crash', async (t) => {
  const sockets: import('node:net').Socket[] = [];
  const silent = (await import('node:net')).createServer((socket) => {
    // Read (and drop) what the client says, so its close is seen as one.
    sockets.push(socket.resume());
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    silent.close();
  });
  const port = (silent.address() as import('node:net').AddressInfo).port;
  const keyDir = await mkdtemp(join(tmpdir(), 'silent-ssh-'));
  const keyPath = join(keyDir, 'id');
  await generateKey(keyPath);
  await t.throwsAsync(connectSsh({ host: '127.0.0.1', port, username: 'nobody', privateKeyPath: keyPath, readyTimeoutMs: 300, knownHostsPath: '/dev/null' }), {
    instanceOf: SshUnreachableError,
  });
  // The client gave the connection up (no socket left open to a dead host), and the follow-up error
  // ssh2 emits when that socket closes came and went: wait for the close itself, then a turn of the
  // event loop, instead of a sleep. An unhandled error there would fail this file.
  t.is(sockets.length, 1);
  await Promise.all(sockets.map((socket) => (socket.closed ? undefined : new Promise((resolve) => socket.once('close', resolve)))));
  await new Promise((resolve) => setImmediate(resolve));
  t.true(sockets.every((socket) => socket.destroyed));
});
