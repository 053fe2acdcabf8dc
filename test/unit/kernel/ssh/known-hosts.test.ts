import test from 'ava';
import { createHmac } from 'node:crypto';
import { checkHostKey, hostPattern, keyTypeOf, knownHostsLine, knownKeyTypes, parseKnownHosts } from '../../../../kernel/ssh/known-hosts.ts';

/** An SSH public key blob: uint32 length + type name + some key bytes. */
function blob(type: string, body: string): Buffer {
  const name = Buffer.from(type);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(name.length);
  return Buffer.concat([length, name, Buffer.from(body)]);
}

const ed = blob('ssh-ed25519', 'key-one');
const other = blob('ssh-ed25519', 'key-two');

test('host patterns and lines follow OpenSSH: bare host on 22, [host]:port elsewhere', (t) => {
  t.is(hostPattern('pixel-1', 22), 'pixel-1');
  t.is(hostPattern('10.0.0.2', 2222), '[10.0.0.2]:2222');
  t.is(keyTypeOf(ed), 'ssh-ed25519');
  t.is(knownHostsLine('10.0.0.2', 2222, ed), `[10.0.0.2]:2222 ssh-ed25519 ${ed.toString('base64')}`);
});

test('known, unknown and changed keys; comments, markers, lists, negation and wildcards', (t) => {
  const text = [
    '# comment',
    '',
    `@cert-authority * ssh-ed25519 ${other.toString('base64')}`,
    `pixel-1,[10.0.0.2]:2222 ssh-ed25519 ${ed.toString('base64')}`,
    `*.lab,!bad.lab ssh-ed25519 ${ed.toString('base64')}`,
    `pixel-2 ecdsa-sha2-nistp256 ${blob('ecdsa-sha2-nistp256', 'x').toString('base64')}`,
  ].join('\n');
  const entries = parseKnownHosts(text);
  t.is(entries.length, 3);
  t.deepEqual(checkHostKey(entries, 'pixel-1', 22, ed), { status: 'known' });
  t.deepEqual(checkHostKey(entries, '10.0.0.2', 2222, ed), { status: 'known' });
  t.deepEqual(checkHostKey(entries, '10.0.0.2', 22, ed), { status: 'unknown' });
  t.deepEqual(checkHostKey(entries, 'pixel-1', 22, other), { status: 'changed', knownTypes: ['ssh-ed25519'] });
  t.deepEqual(checkHostKey(entries, 'a.lab', 22, ed), { status: 'known' });
  t.deepEqual(checkHostKey(entries, 'bad.lab', 22, ed), { status: 'unknown' });
  // A host known only by another key type: whatever it offers that we lack is a change.
  t.deepEqual(checkHostKey(entries, 'pixel-2', 22, ed), { status: 'changed', knownTypes: ['ecdsa-sha2-nistp256'] });
  t.deepEqual(knownKeyTypes(entries, 'pixel-2', 22), ['ecdsa-sha2-nistp256']);
});

test('hashed host names (HashKnownHosts yes) match', (t) => {
  const salt = Buffer.from('0123456789abcdefghij');
  const hash = createHmac('sha1', salt).update('[pixel-3]:2200').digest('base64');
  const entries = parseKnownHosts(`|1|${salt.toString('base64')}|${hash} ssh-ed25519 ${ed.toString('base64')}\n`);
  t.deepEqual(checkHostKey(entries, 'pixel-3', 2200, ed), { status: 'known' });
  t.deepEqual(checkHostKey(entries, 'pixel-3', 22, ed), { status: 'unknown' });
});

// The cases the cluster's engine adapter was tested on before it used this module.
test('several names a line, a port, and a @revoked line that matches nothing', (t) => {
  const text = `# comment\n10.0.0.1,pixel-1 ssh-ed25519 ${ed.toString('base64')}\n[10.0.0.2]:2222 ssh-ed25519 ${other.toString('base64')}\n@revoked 10.0.0.1 ssh-ed25519 ${other.toString('base64')}\n`;
  const entries = parseKnownHosts(text);
  t.deepEqual(checkHostKey(entries, '10.0.0.1', 22, ed), { status: 'known' });
  t.deepEqual(checkHostKey(entries, 'pixel-1', 22, ed), { status: 'known' });
  t.deepEqual(checkHostKey(entries, '10.0.0.2', 2222, other), { status: 'known' });
  t.deepEqual(checkHostKey(entries, '10.0.0.2', 22, other), { status: 'unknown' });
  t.is(checkHostKey(entries, '10.0.0.1', 22, other).status, 'changed');
});

test('a hashed entry matches its host only', (t) => {
  const salt = Buffer.from('0123456789abcdef0123');
  const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('10.0.0.7').digest('base64')}`;
  const entries = parseKnownHosts(`${hashed} ssh-ed25519 ${ed.toString('base64')}\n`);
  t.deepEqual(checkHostKey(entries, '10.0.0.7', 22, ed), { status: 'known' });
  t.deepEqual(checkHostKey(entries, '10.0.0.8', 22, ed), { status: 'unknown' });
});
