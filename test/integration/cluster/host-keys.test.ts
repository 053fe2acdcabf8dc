// `cluster --accept-new-host-keys` reaches the SSH connections cluster control makes: against a real
// sshd on loopback (no engine behind it), doctor records the node's host key only when asked.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { sshdForFile } from '../../helpers/sshd.ts';
import { clusterCli } from '../../helpers/testbed.ts';

const file = sshdForFile(test);

test.serial('an unknown host key is refused, and recorded with --accept-new-host-keys', async (t) => {
  const sshd = file.sshd();
  const knownHosts = join(sshd.dir, 'cluster_known_hosts');
  await writeFile(knownHosts, '');
  const inventory = join(sshd.dir, 'loopback.yml');
  await writeFile(
    inventory,
    `name: loopback\nssh: { user: ${sshd.username}, keyPath: ${sshd.privateKeyPath}, knownHostsPath: ${knownHosts}, timeoutMs: 3000 }\n` +
      `engine: { via: ssh, socketPath: ${join(sshd.dir, 'no-engine.sock')} }\nnodes:\n  - { name: m1, host: ${sshd.host}, role: manager, ssh: { port: ${sshd.port} } }\n`,
  );
  const refused = await clusterCli(inventory, ['doctor', '--json'], 30_000);
  t.is(refused.code, 1);
  t.regex(refused.stdout, /host key .* is not in .*cluster_known_hosts; accept it on first use with --accept-new-host-keys/);
  t.is(await readFile(knownHosts, 'utf8'), '');

  const accepted = await clusterCli(inventory, ['--accept-new-host-keys', 'doctor', '--json'], 30_000);
  t.is(accepted.code, 1, 'no engine answers behind this sshd');
  t.is((await readFile(knownHosts, 'utf8')).trim(), sshd.knownHostsLine);
  t.notRegex(accepted.stdout, /is not in/);
});
