import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import test from 'ava';
import { UsageError } from '../../../../kernel/errors.ts';
import { loadInventory, managers, parseInventory, sshTarget } from '../../../../cluster/inventory/load.ts';
import { inventoryJsonSchema } from '../../../../cluster/inventory/schema.ts';

const minimal = `
name: t
nodes:
  - { name: a, host: 10.0.0.1, role: manager }
`;

test('the committed JSON Schema is the one generated from the zod schema', async (t) => {
  const committed = JSON.parse(await readFile(new URL('../../../../cluster/inventory.schema.json', import.meta.url), 'utf8')) as unknown;
  t.deepEqual(committed, inventoryJsonSchema());
});

test('the example cloudlet inventory parses', async (t) => {
  const loaded = await loadInventory('cluster/cloudlet.yml');
  t.is(loaded.inventory.nodes.filter((node) => node.role === 'manager').length, 3);
  const target = sshTarget(loaded, loaded.inventory.nodes[0]!, { HOME: '/home/x', USER: 'x' });
  t.is(target.port, 22);
  t.is(target.username, 'user');
  t.true(target.privateKeyPath?.endsWith('.ssh/cloudlet_ed25519'));
});

test('defaults: engine over SSH, no values, registry images', (t) => {
  const inventory = parseInventory(minimal, 'x.yml');
  t.deepEqual(inventory.engine, { via: 'ssh', socketPath: '/var/run/docker.sock' });
  t.is(inventory.imagePolicy, 'registry');
  t.deepEqual(inventory.nodes[0]!.labels, {});
});

test('errors name the field and what was expected', (t) => {
  const bad = `
name: t
nodes:
  - { name: a, host: h, role: boss, ssh: { port: 70000 } }
  - { name: a, host: h2, role: worker, arch: sparc }
`;
  const error = t.throws(() => parseInventory(bad, 'bad.yml'), { instanceOf: UsageError });
  t.regex(error.message, /bad\.yml: nodes\[0\]\.role: .*"manager"/);
  t.regex(error.message, /nodes\[0\]\.ssh\.port: expected 1–65535/);
  t.regex(error.message, /nodes\[1\]\.arch: expected an architecture/);
});

test('no secrets in values', (t) => {
  t.regex(t.throws(() => parseInventory(`${minimal}values: { DB_PASSWORD: x }\n`, 'x.yml')).message, /values\.DB_PASSWORD: expected no secrets/);
});

test('cross-field rules: unique names and at least one manager', (t) => {
  const error = t.throws(() => parseInventory('name: t\nnodes:\n  - { name: a, host: h, role: worker }\n  - { name: a, host: h, role: worker }\n', 'x.yml'));
  t.regex(error.message, /nodes\[1\]\.name: expected a unique name/);
  t.regex(error.message, /nodes: expected at least one node with role manager/);
});

test('unknown keys and bad YAML are named', (t) => {
  t.regex(t.throws(() => parseInventory(`${minimal}password: x\n`, 'x.yml')).message, /password/);
  t.regex(t.throws(() => parseInventory('name: [', 'x.yml')).message, /x\.yml: not valid YAML/);
});

test("host keys are always verified: the user's known_hosts unless the inventory names another", (t) => {
  const inventory = parseInventory(
    'name: c\nnodes:\n  - { name: a, host: 10.0.0.1, role: manager }\n  - { name: b, host: 10.0.0.2, role: worker, ssh: { knownHostsPath: lab_hosts } }\n',
    'c.yml',
  );
  const loaded = { inventory, path: '/etc/cloudlet/c.yml', acceptNewHostKeys: false };
  const [a, b] = inventory.nodes;
  t.regex(sshTarget(loaded, a!, { HOME: '/home/x' }).knownHostsPath, /\/\.ssh\/known_hosts$/);
  t.is(sshTarget(loaded, b!, {}).knownHostsPath, '/etc/cloudlet/lab_hosts');
});

// One inventory for the SSH merge rules: cluster-wide settings, a node that overrides every one, a
// node that takes them all, and a generator.
const sshInventory = parseInventory(
  `name: c
ssh: { user: ops, port: 2222, keyPath: keys/ops, agent: false, knownHostsPath: /etc/ssh/hosts, timeoutMs: 7000 }
nodes:
  - { name: own, host: 10.0.0.1, role: manager, ssh: { user: pi, port: 8022, keyPath: /k/pi, agent: true, knownHostsPath: pi_hosts, timeoutMs: 900 } }
  - { name: plain, host: 10.0.0.2, role: worker }
generators:
  - { name: gen, host: 10.0.0.9, workdir: /srv/bench, ssh: { keyPath: '~/.ssh/gen' } }
`,
  '/etc/cloudlet/c.yml',
);
const sshLoaded = { inventory: sshInventory, path: '/etc/cloudlet/c.yml', acceptNewHostKeys: false };

test('sshTarget: a node’s own settings win over the cluster’s, which win over the defaults', (t) => {
  const env = { HOME: '/home/x', USER: 'x', SSH_AUTH_SOCK: '/run/agent.sock' };
  t.deepEqual(sshTarget(sshLoaded, sshInventory.nodes[0]!, env), {
    name: 'own',
    host: '10.0.0.1',
    port: 8022,
    username: 'pi',
    privateKeyPath: '/k/pi',
    agent: '/run/agent.sock',
    knownHostsPath: '/etc/cloudlet/pi_hosts',
    readyTimeoutMs: 900,
  });
  // The cluster says agent: false, so no agent even with SSH_AUTH_SOCK set; the key path is relative to the inventory.
  t.deepEqual(sshTarget(sshLoaded, sshInventory.nodes[1]!, env), {
    name: 'plain',
    host: '10.0.0.2',
    port: 2222,
    username: 'ops',
    privateKeyPath: '/etc/cloudlet/keys/ops',
    agent: false,
    knownHostsPath: '/etc/ssh/hosts',
    readyTimeoutMs: 7000,
  });
  // A generator is merged the same way; ~/ is the home folder.
  const gen = sshTarget({ ...sshLoaded, acceptNewHostKeys: true }, sshInventory.generators[0]!, env);
  t.is(gen.privateKeyPath, resolve(homedir(), '.ssh/gen'));
  t.is(gen.username, 'ops');
  t.true(gen.acceptNewHostKey);
  t.false('acceptNewHostKey' in sshTarget(sshLoaded, sshInventory.generators[0]!, env));
});

test('sshTarget with nothing set: port 22, $USER (else root), the agent when there is no key, 5 s to connect', (t) => {
  const loaded = { inventory: parseInventory(minimal, '/srv/x.yml'), path: '/srv/x.yml', acceptNewHostKeys: false };
  const node = loaded.inventory.nodes[0]!;
  t.deepEqual(sshTarget(loaded, node, { USER: 'x', SSH_AUTH_SOCK: '/run/a.sock' }), {
    name: 'a',
    host: '10.0.0.1',
    port: 22,
    username: 'x',
    agent: '/run/a.sock',
    knownHostsPath: resolve(homedir(), '.ssh/known_hosts'),
    readyTimeoutMs: 5000,
  });
  const bare = sshTarget(loaded, node, {});
  t.is(bare.username, 'root');
  t.is(bare.agent, false, 'no SSH_AUTH_SOCK: no agent');
  t.false('privateKeyPath' in bare);
  // `~` alone is the home folder; an absolute path is kept.
  const own = (ssh: string) =>
    sshTarget(loaded, parseInventory(`name: t\nnodes:\n  - { name: a, host: h, role: manager, ssh: ${ssh} }\n`, 'x.yml').nodes[0]!, {});
  t.is(own('{ knownHostsPath: "~" }').knownHostsPath, homedir());
  t.is(own('{ knownHostsPath: /k/h }').knownHostsPath, '/k/h');
  t.is(own('{ knownHostsPath: "~x/h" }').knownHostsPath, '/srv/~x/h');
  // A key file and no word on the agent: the key alone, even with SSH_AUTH_SOCK set.
  t.is(
    sshTarget(loaded, parseInventory('name: t\nnodes:\n  - { name: a, host: h, role: manager, ssh: { keyPath: /k } }\n', 'x.yml').nodes[0]!, {
      SSH_AUTH_SOCK: '/s',
    }).agent,
    false,
  );
  // A key file and an explicit agent: both.
  t.is(
    sshTarget(loaded, parseInventory(`name: t\nnodes:\n  - { name: a, host: h, role: manager, ssh: { keyPath: k, agent: true } }\n`, 'x.yml').nodes[0]!, {
      SSH_AUTH_SOCK: '/s',
    }).agent,
    '/s',
  );
});

test('loadInventory: the absolute path, the host-key option, and an unreadable file named', async (t) => {
  const loaded = await loadInventory('cluster/cloudlet.yml', { acceptNewHostKeys: true });
  t.is(loaded.path, resolve('cluster/cloudlet.yml'));
  t.true(loaded.acceptNewHostKeys);
  t.false((await loadInventory('cluster/cloudlet.yml')).acceptNewHostKeys);
  const error = await t.throwsAsync(loadInventory('cluster/no-such.yml'), { instanceOf: UsageError });
  t.regex(error.message, /^cannot read inventory cluster\/no-such\.yml: .*ENOENT/);
  t.is((error.cause as NodeJS.ErrnoException).code, 'ENOENT');
});

test('managers: the nodes with role manager, in order', (t) => {
  const inventory = parseInventory(
    'name: t\nnodes:\n  - { name: m1, host: h, role: manager }\n  - { name: w, host: h, role: worker }\n  - { name: m2, host: h, role: manager }\n',
    'x.yml',
  );
  t.deepEqual(
    managers(inventory).map((node) => node.name),
    ['m1', 'm2'],
  );
});

test('cross-field problems, exactly as the user reads them', (t) => {
  const text = `name: t
nodes:
  - { name: a, host: h, role: worker }
  - { name: b, host: h, role: worker }
  - { name: a, host: h, role: worker }
  - { name: b, host: h, role: worker }
values: { API_TOKEN: x, EMPTY: '', OK: v, mySecret: y }
`;
  t.is(
    t.throws(() => parseInventory(text, 'x.yml'), { instanceOf: UsageError }).message,
    [
      'x.yml: nodes[2].name: expected a unique name, "a" is also nodes[0]',
      'x.yml: nodes[3].name: expected a unique name, "b" is also nodes[1]',
      'x.yml: nodes: expected at least one node with role manager',
      'x.yml: values.API_TOKEN: expected no secrets here: pass them as Docker secrets from a file or the environment',
      'x.yml: values.EMPTY: expected a non-empty value',
      'x.yml: values.mySecret: expected no secrets here: pass them as Docker secrets from a file or the environment',
    ].join('\n'),
  );
  t.deepEqual(parseInventory(`${minimal}values: { OK: v, passage: p }\n`, 'x.yml').values, { OK: 'v', passage: 'p' });
});

test('field problems, exactly as the user reads them', (t) => {
  const problems = (text: string) => t.throws(() => parseInventory(text, 'x.yml'), { instanceOf: UsageError }).message.split('\n');
  t.deepEqual(problems('name: t\nnodes: []\n'), ['x.yml: nodes: expected at least one node', 'x.yml: nodes: expected at least one node with role manager']);
  t.deepEqual(
    problems(`name: t
ssh: { port: 0 }
nodes:
  - { name: -a, host: h, role: manager, arch: arm/v9 }
generators:
  - { name: .g, host: h, workdir: /w }
images: { 'postgres:14': Bad }
`),
    [
      'x.yml: ssh.port: expected 1–65535',
      'x.yml: nodes[0].name: expected a hostname-like name',
      'x.yml: nodes[0].arch: expected an architecture such as amd64, arm64 or arm/v7',
      'x.yml: generators[0].name: expected a hostname-like name',
      'x.yml: images["postgres:14"]: expected an image reference such as postgres:14-alpine',
    ],
  );
  const inventory = parseInventory(`${minimal}generators:\n  - { name: g, host: h, workdir: /w }\nimages: { 'postgres:14': 'reg.local/pg:14' }\n`, 'x.yml');
  t.deepEqual(inventory.generators[0]!.command, ['k6']);
  t.deepEqual(inventory.images, { 'postgres:14': 'reg.local/pg:14' });
  for (const arch of ['amd64', 'arm64', 'arm/v5', 'arm/v8', '386', 'ppc64le', 's390x', 'riscv64'])
    t.is(parseInventory(`name: t\nnodes:\n  - { name: a, host: h, role: manager, arch: "${arch}" }\n`, 'x.yml').nodes[0]!.arch, arch);
});
