import test from 'ava';
import { parse } from 'yaml';
import { ComposeError, convertStack, specHash } from '../../../../cluster/stack/convert.ts';
import { interpolate } from '../../../../cluster/stack/interpolate.ts';
import { bytes, durationNs, nanoCpus } from '../../../../cluster/stack/units.ts';

const doc = (text: string): unknown => parse(text);

test('names, labels, default network and sorted env as docker stack deploy makes them', (t) => {
  const plan = convertStack(
    'shop',
    doc(`
version: "3.8"
services:
  api:
    image: img:1
    command: serve --port 80
    environment: { Z: "1", A: "2" }
    ports: ["8080:80", { target: 90, published: 9090, mode: host }]
    deploy: { replicas: 2, placement: { constraints: [node.role==manager] }, resources: { limits: { cpus: "0.5", memory: 64M } } }
`),
  );
  t.deepEqual(plan.warnings, []);
  t.deepEqual(
    plan.networks.map((network) => [network.name, network.spec.Labels]),
    [['shop_default', { 'com.docker.stack.namespace': 'shop' }]],
  );
  const api = plan.services[0]!.spec;
  t.is(api.Name, 'shop_api');
  t.deepEqual(api.Labels, { 'com.docker.stack.namespace': 'shop', 'com.docker.stack.image': 'img:1' });
  t.deepEqual(api.TaskTemplate.ContainerSpec.Args, ['serve', '--port', '80']);
  t.deepEqual(api.TaskTemplate.ContainerSpec.Env, ['A=2', 'Z=1']);
  t.deepEqual(api.TaskTemplate.Networks, [{ Target: 'shop_default', Aliases: ['api'] }]);
  t.deepEqual(api.Mode, { Replicated: { Replicas: 2 } });
  t.deepEqual(api.TaskTemplate.Placement, { Constraints: ['node.role==manager'] });
  t.deepEqual(api.TaskTemplate.Resources, { Limits: { NanoCPUs: 5e8, MemoryBytes: 64 * 1024 ** 2 } });
  t.deepEqual(api.EndpointSpec, {
    Mode: 'vip',
    Ports: [
      { Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' },
      { Protocol: 'tcp', TargetPort: 90, PublishedPort: 9090, PublishMode: 'host' },
    ],
  });
});

test('unsupported keys are warned about by name; a missing version too', (t) => {
  const plan = convertStack('s', doc('services:\n  a:\n    image: x\n    build: .\n    cap_add: [NET_ADMIN]\n    deploy: { rollback_config: {} }\nfoo: 1\n'));
  t.true(plan.warnings.some((warning) => warning.includes('services.a: ignoring unsupported keys: build, cap_add')));
  t.true(plan.warnings.some((warning) => warning.includes('services.a.deploy: ignoring unsupported keys: rollback_config')));
  t.true(plan.warnings.some((warning) => warning.includes('(root): ignoring unsupported keys: foo')));
  t.true(plan.warnings.some((warning) => warning.includes('no version key')));
});

test('bad input names the place', (t) => {
  t.regex(
    t.throws(() => convertStack('s', doc('services:\n  a: { command: x }\n')), { instanceOf: ComposeError }).message,
    /services\.a\.image: expected an image/,
  );
  t.regex(t.throws(() => convertStack('s', doc('services:\n  a: { image: x, networks: [nope] }\n'))).message, /network "nope" is not defined/);
  t.regex(t.throws(() => convertStack('s', doc('services:\n  a: { image: x, secrets: [pw] }\n'))).message, /secret "pw" is not defined/);
  t.regex(t.throws(() => convertStack('s', doc('services:\n  a: { image: x, ports: ["a:b"] }\n'))).message, /ports\[0\]: expected "published:target/);
});

test('secrets, global mode and the spec hash', (t) => {
  const plan = convertStack(
    'p',
    doc('version: "3.8"\nservices:\n  a: { image: x, secrets: [pw], deploy: { mode: global } }\nsecrets:\n  pw: { file: ./pw.txt }\n'),
  );
  t.deepEqual(
    plan.secrets.map((secret) => [secret.name, secret.file]),
    [['p_pw', './pw.txt']],
  );
  const spec = plan.services[0]!.spec;
  t.deepEqual(spec.Mode, { Global: {} });
  t.deepEqual(spec.TaskTemplate.ContainerSpec.Secrets, [{ File: { Name: 'pw', UID: '0', GID: '0', Mode: 0o444 }, SecretID: '', SecretName: 'p_pw' }]);
  t.is(specHash(spec), specHash(structuredClone(spec)));
  t.not(specHash(spec), specHash({ ...spec, Name: 'other' }));
});

test('interpolation: values, defaults, required, $$ and unset names', (t) => {
  const values: Record<string, string> = { A: 'a', EMPTY: '' };
  // biome-ignore lint/suspicious/noTemplateCurlyInString: compose interpolation syntax, not a template literal
  const result = interpolate({ x: '${A}-$A-${B:-b}-${EMPTY:-e}-${EMPTY-e}-$$-${C}' }, (name) => values[name]);
  t.deepEqual(result.value, { x: 'a-a-b-e--$-' });
  t.deepEqual(result.unset, ['C']);
  t.deepEqual(result.missing, []);
});

test('interpolation: every missing required variable at once, each once, with its message', (t) => {
  // biome-ignore-start lint/suspicious/noTemplateCurlyInString: compose interpolation syntax, not a template literal
  const result = interpolate(
    { a: '${D:?set D}', b: ['${E?}', '${D:?set D again}'], c: '${F:?set F}', d: '${EMPTY?unused}', e: '${EMPTY:?empty is missing too}' },
    (name) => (name === 'F' ? 'f' : name === 'EMPTY' ? '' : undefined),
  );
  // biome-ignore-end lint/suspicious/noTemplateCurlyInString: compose interpolation syntax, not a template literal
  t.deepEqual(result.missing, [
    { name: 'D', message: 'set D' },
    { name: 'E', message: 'required variable is not set' },
    { name: 'EMPTY', message: 'empty is missing too' },
  ]);
  t.deepEqual(result.value, { a: '', b: ['', ''], c: 'f', d: '', e: '' });
});

test('units', (t) => {
  t.is(durationNs('1m30s'), 90e9);
  t.is(durationNs('500ms'), 5e8);
  t.is(bytes('1g'), 1024 ** 3);
  t.is(nanoCpus('0.25'), 2.5e8);
  t.throws(() => durationNs('soon'));
});
