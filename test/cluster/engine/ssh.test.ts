import { createHmac } from 'node:crypto';
import test from 'ava';
import { knownHostKeys, knownHostsName } from '../../../cluster/engine/ssh.ts';

const key = Buffer.from('ssh-ed25519-key-blob').toString('base64');
const other = Buffer.from('another-key').toString('base64');

test('plain entries, several names a line, and ports', (t) => {
  const text = `# comment\n10.0.0.1,pixel-1 ssh-ed25519 ${key}\n[10.0.0.2]:2222 ssh-ed25519 ${other}\n@revoked 10.0.0.1 ssh-ed25519 ${other}\n`;
  t.deepEqual(knownHostKeys(text, '10.0.0.1'), [Buffer.from(key, 'base64')]);
  t.deepEqual(knownHostKeys(text, 'pixel-1'), [Buffer.from(key, 'base64')]);
  t.deepEqual(knownHostKeys(text, knownHostsName('10.0.0.2', 2222)), [Buffer.from(other, 'base64')]);
  t.deepEqual(knownHostKeys(text, '10.0.0.2'), []);
});

test('hashed entries (HashKnownHosts yes)', (t) => {
  const salt = Buffer.from('0123456789abcdef0123');
  const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('10.0.0.7').digest('base64')}`;
  const text = `${hashed} ssh-ed25519 ${key}\n`;
  t.deepEqual(knownHostKeys(text, '10.0.0.7'), [Buffer.from(key, 'base64')]);
  t.deepEqual(knownHostKeys(text, '10.0.0.8'), []);
});
