import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { parse } from 'yaml';
import { parseInventory } from '../../../../cluster/inventory/load.ts';
import { assertLoadable, loadStack, parseEnvFile, renderStack, stackFilePath } from '../../../../cluster/stack/load.ts';
import { UsageError } from '../../../../kernel/errors.ts';

// A stack file read as `docker stack deploy` reads it: relative paths against its folder, env_file,
// every missing variable at once; and the effective file `stack config` prints.
const fixtures = fileURLToPath(new URL('../../../fixtures/stacks/', import.meta.url));
const plain = parseInventory('name: plain\nnodes: [{ name: a, host: h, role: manager }]\n', 'x.yml');
const testbedLike = parseInventory(
  'name: bed\nimagePolicy: local\nimages: go-coffee-local\nnetwork: { routingMesh: false }\nvalues: { REVERSE_PROXY_URL: "http://10.1.1.1:5000" }\nnodes: [{ name: a, host: h, role: manager, arch: amd64 }]\n',
  'x.yml',
);

test('relative paths resolve against the stack file, env_file is merged under environment', async (t) => {
  const stack = await loadStack(join(fixtures, 'web.yml'), 'web', plain, { ENTRY_HOST: '10.0.0.1' });
  t.deepEqual(stack.problems, []);
  const web = stack.plan.services.find((service) => service.key === 'web')!.spec.TaskTemplate.ContainerSpec;
  t.deepEqual(web.Mounts, [{ Type: 'bind', Source: join(fixtures, 'www'), Target: '/www', ReadOnly: true }]);
  t.deepEqual(web.Env, ['ENTRY=10.0.0.1', 'FROM_ENV_FILE=yes', 'MODE=test'], 'environment wins over the env file');
  t.deepEqual(
    [...stack.plan.secrets, ...stack.plan.configs].map((entry) => entry.file),
    [join(fixtures, 'web-token.txt'), join(fixtures, 'web-settings.conf')],
  );
  t.is(web.Image, 'cloudlet/busybox:1');
  t.is(
    (await loadStack(join(fixtures, 'web.yml'), 'web', plain, { ENTRY_HOST: 'x', WEB_IMAGE: 'sha256:abc' })).plan.services[0]!.spec.TaskTemplate.ContainerSpec
      .Image,
    'sha256:abc',
  );
});

test('every problem at once: missing variables, unreadable env, secret and config files', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'stack-load-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'bad.yml');
  await writeFile(
    file,
    `version: "3.8"
services:
  a:
    image: "x:\${TAG:?set TAG}"
    env_file: [./missing.env]
    environment: { P: "\${PASS:?set PASS}", Q: "\${PASS:?set PASS}" }
    secrets: [s]
    configs: [c]
secrets:
  s: { file: ./nope.txt }
configs:
  c: { environment: NOT_SET_ANYWHERE }
`,
  );
  const stack = await loadStack(file, 'bad', plain, {});
  t.deepEqual(
    stack.problems.map((problem) => problem.replace(`${file}: `, '')),
    [
      'TAG: set TAG',
      'PASS: set PASS',
      `services.a.env_file: cannot read ${join(dir, 'missing.env')}: ENOENT: no such file or directory, open '${join(dir, 'missing.env')}'`,
      `secrets.s: cannot read ${join(dir, 'nope.txt')}: ENOENT: no such file or directory, access '${join(dir, 'nope.txt')}'`,
      'configs.c: environment variable NOT_SET_ANYWHERE is not set',
    ],
  );
  const error = t.throws(() => assertLoadable(stack), { instanceOf: UsageError });
  t.is(error.message.split('\n').length, 5, 'one line each');
});

test('env files are read as the docker CLI reads them', (t) => {
  t.deepEqual(parseEnvFile('# comment\n\n  A=1\nB="two words"\nC=x=y\nFROM_SHELL\nNOT_IN_SHELL\n', { FROM_SHELL: 's' }), {
    A: '1',
    B: '"two words"',
    C: 'x=y',
    FROM_SHELL: 's',
  });
});

test("go-coffee's effective stack on a testbed-like cluster: our images, x86_64, dnsrr, no x- keys, no relative path", async (t) => {
  const stack = await loadStack(stackFilePath('go-coffee'), 'go-coffee', testbedLike, { POSTGRES_PASSWORD: 'p', RABBITMQ_PASSWORD: 'r' });
  t.deepEqual(stack.problems, []);
  const text = renderStack(stack, 'bed');
  t.regex(text, /^# .*go-coffee\.yml, adapted for cluster bed:\n# {3}services\.postgres: postgres:14-alpine → cloudlet\/go-coffee-postgres:latest\n/);
  const effective = parse(text) as { services: Record<string, { image: string; deploy: { endpoint_mode: string; placement: { constraints: string[] } } }> };
  t.false(Object.keys(effective).some((key) => key.startsWith('x-')));
  for (const [name, service] of Object.entries(effective.services)) {
    t.regex(service.image, /^cloudlet\/go-coffee-[a-z]+:latest$/, name);
    t.is(service.deploy.endpoint_mode, 'dnsrr', name);
    t.deepEqual(service.deploy.placement.constraints, ['node.platform.arch == x86_64'], name);
  }
  // The effective file converts to the same plan the deploy uses.
  const again = await loadStack(stackFilePath('go-coffee'), 'go-coffee', plain, { POSTGRES_PASSWORD: 'p', RABBITMQ_PASSWORD: 'r', REVERSE_PROXY_URL: 'x' });
  t.is(again.changes.length, 0, 'an inventory that says nothing changes nothing');
});
