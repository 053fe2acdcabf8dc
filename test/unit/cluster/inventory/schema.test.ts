import { readFile } from 'node:fs/promises';
import test from 'ava';
import { UsageError } from '../../../../kernel/errors.ts';
import { loadInventory, parseInventory, sshTarget } from '../../../../cluster/inventory/load.ts';
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
