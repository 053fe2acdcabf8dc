import test from 'ava';
import { parse } from 'yaml';
import { ComposeError, convertStack, parsePortText, specHash } from '../../../../cluster/stack/convert.ts';
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

const NS = 'com.docker.stack.namespace';

test('every supported key, converted as docker stack deploy converts it (worked by hand)', (t) => {
  const plan = convertStack(
    's',
    doc(`
version: "3.8"
x-common: { a: 1 }
services:
  web:
    image: nginx:1
    entrypoint: ["/bin/sh", "-c"]
    command: echo 'hello world' "a b" plain
    environment: ["B=2=3", "NOEQ", "=skip", "A=1"]
    ports: ["80", "8080:81/udp", { target: 90, published: 9090, protocol: sctp, mode: host }, { target: 90 }, "70:80"]
    networks: { front: { aliases: [www] }, default: null }
    labels: { app: web }
    hostname: web1
    working_dir: /srv
    user: 1000
    volumes: ["data:/data:ro", "./conf:/etc/conf", "/abs:/abs:ro", { source: data, target: /d2, read_only: true }, { target: /anon }]
    secrets: [pw, { source: pw, target: /run/x, uid: "1", gid: 2, mode: 256 }]
    configs: [conf]
    healthcheck: { test: "curl -f http://localhost", interval: 10s, timeout: 2s, retries: 3, start_period: 1m }
    stop_grace_period: 30s
    init: true
    x-extra: 1
    deploy:
      mode: replicated
      replicas: 0
      endpoint_mode: dnsrr
      labels: ["team=a"]
      placement: { constraints: [node.role==worker], preferences: [{ spread: node.labels.zone }], max_replicas_per_node: 2 }
      resources: { limits: { cpus: 1.5, memory: 1g }, reservations: { cpus: "0.25", memory: 512k } }
      restart_policy: { condition: on-failure, delay: 5s, max_attempts: 3, window: 1m }
      update_config: { parallelism: 2, delay: 10s, failure_action: rollback, order: start-first }
  db:
    image: postgres
    networks: [back]
    healthcheck: { test: [CMD, pg_isready] }
    init: false
networks:
  front: { driver: bridge, attachable: true, internal: true, labels: { tier: front }, driver_opts: { mtu: 1400 } }
  back: { external: true }
  named: { name: custom-net, external: { name: x } }
volumes: { data: {} }
secrets:
  pw: { file: ./pw.txt, labels: [k=v] }
  ext: { external: true }
configs:
  conf: { environment: CONF_TEXT, name: my-conf }
`),
  );
  t.deepEqual(plan.warnings, []);
  t.deepEqual(plan.networks, [
    {
      name: 's_front',
      external: false,
      spec: {
        Name: 's_front',
        Driver: 'bridge',
        Attachable: true,
        Internal: true,
        Labels: { tier: 'front', [NS]: 's' },
        Options: { mtu: '1400' },
        CheckDuplicate: true,
      },
    },
    { name: 'back', external: true, spec: { Name: 'back', Driver: 'overlay', Labels: { [NS]: 's' }, CheckDuplicate: true } },
    { name: 'custom-net', external: true, spec: { Name: 'custom-net', Driver: 'overlay', Labels: { [NS]: 's' }, CheckDuplicate: true } },
    { name: 's_default', external: false, spec: { Name: 's_default', Driver: 'overlay', Labels: { [NS]: 's' }, CheckDuplicate: true } },
  ]);
  t.deepEqual(plan.secrets, [
    { key: 'pw', name: 's_pw', external: false, file: './pw.txt', environment: undefined, labels: { k: 'v', [NS]: 's' } },
    { key: 'ext', name: 'ext', external: true, file: undefined, environment: undefined, labels: { [NS]: 's' } },
  ]);
  t.deepEqual(plan.configs, [{ key: 'conf', name: 'my-conf', external: false, file: undefined, environment: 'CONF_TEXT', labels: { [NS]: 's' } }]);
  const volume = { VolumeOptions: { Labels: { [NS]: 's' } } };
  t.deepEqual(plan.services, [
    {
      key: 'web',
      name: 's_web',
      spec: {
        Name: 's_web',
        Labels: { team: 'a', [NS]: 's', 'com.docker.stack.image': 'nginx:1' },
        TaskTemplate: {
          ContainerSpec: {
            Image: 'nginx:1',
            Labels: { app: 'web', [NS]: 's' },
            Command: ['/bin/sh', '-c'],
            Args: ['echo', 'hello world', 'a b', 'plain'],
            Hostname: 'web1',
            Env: ['A=1', 'B=2=3'],
            Dir: '/srv',
            User: '1000',
            Mounts: [
              { Type: 'volume', Source: 's_data', Target: '/data', ReadOnly: true, ...volume },
              { Type: 'bind', Source: './conf', Target: '/etc/conf' },
              { Type: 'bind', Source: '/abs', Target: '/abs', ReadOnly: true },
              { Type: 'volume', Source: 's_data', Target: '/d2', ReadOnly: true, ...volume },
              { Type: 'volume', Source: '', Target: '/anon', ...volume },
            ],
            StopGracePeriod: 30e9,
            Init: true,
            Healthcheck: { Test: ['CMD-SHELL', 'curl -f http://localhost'], Interval: 10e9, Timeout: 2e9, Retries: 3, StartPeriod: 60e9 },
            Secrets: [
              { File: { Name: 'pw', UID: '0', GID: '0', Mode: 0o444 }, SecretID: '', SecretName: 's_pw' },
              { File: { Name: '/run/x', UID: '1', GID: '2', Mode: 256 }, SecretID: '', SecretName: 's_pw' },
            ],
            Configs: [{ File: { Name: '/conf', UID: '0', GID: '0', Mode: 0o444 }, ConfigID: '', ConfigName: 'my-conf' }],
          },
          Resources: { Limits: { NanoCPUs: 1.5e9, MemoryBytes: 1024 ** 3 }, Reservations: { NanoCPUs: 2.5e8, MemoryBytes: 512 * 1024 } },
          RestartPolicy: { Condition: 'on-failure', Delay: 5e9, MaxAttempts: 3, Window: 60e9 },
          Placement: { Constraints: ['node.role==worker'], Preferences: [{ Spread: { SpreadDescriptor: 'node.labels.zone' } }], MaxReplicas: 2 },
          // Sorted by target: s_default before s_front.
          Networks: [
            { Target: 's_default', Aliases: ['web'] },
            { Target: 's_front', Aliases: ['web', 'www'] },
          ],
        },
        Mode: { Replicated: { Replicas: 0 } },
        UpdateConfig: { Parallelism: 2, Delay: 10e9, FailureAction: 'rollback', Order: 'start-first' },
        // Sorted by target port, then published port (none counts as 0).
        EndpointSpec: {
          Mode: 'dnsrr',
          Ports: [
            { Protocol: 'tcp', TargetPort: 80, PublishMode: 'ingress' },
            { Protocol: 'tcp', TargetPort: 80, PublishedPort: 70, PublishMode: 'ingress' },
            { Protocol: 'udp', TargetPort: 81, PublishedPort: 8080, PublishMode: 'ingress' },
            { Protocol: 'tcp', TargetPort: 90, PublishMode: 'ingress' },
            { Protocol: 'sctp', TargetPort: 90, PublishedPort: 9090, PublishMode: 'host' },
          ],
        },
      },
    },
    {
      key: 'db',
      name: 's_db',
      spec: {
        Name: 's_db',
        Labels: { [NS]: 's', 'com.docker.stack.image': 'postgres' },
        TaskTemplate: {
          ContainerSpec: { Image: 'postgres', Labels: { [NS]: 's' }, Init: false, Healthcheck: { Test: ['CMD', 'pg_isready'] } },
          Placement: {},
          Networks: [{ Target: 'back', Aliases: ['db'] }],
        },
        Mode: { Replicated: { Replicas: 1 } },
        EndpointSpec: { Mode: 'vip' },
      },
    },
  ]);
});

test('a service on a declared default network uses it; the stack adds none of its own', (t) => {
  const plan = convertStack('s', doc('version: "3"\nservices:\n  a: { image: x }\nnetworks:\n  default: { name: shared, external: true }\n'));
  t.deepEqual(
    plan.networks.map((network) => network.name),
    ['shared'],
  );
  t.deepEqual(plan.services[0]?.spec.TaskTemplate.Networks, [{ Target: 'shared', Aliases: ['a'] }]);
  // A service with networks of its own that are not the default leaves the default network out.
  const own = convertStack('s', doc('version: "3"\nservices:\n  a: { image: x, networks: [n] }\nnetworks:\n  n: {}\n'));
  t.deepEqual(
    own.networks.map((network) => network.name),
    ['s_n'],
  );
});

test('each mistake in a compose file is named with its place and what was expected', (t) => {
  const message = (text: string, stack = 's') => {
    try {
      convertStack(stack, doc(text));
      return '';
    } catch (error) {
      return error instanceof ComposeError ? error.message : `${(error as Error).name}: ${(error as Error).message}`;
    }
  };
  const svc = (inner: string) => `version: "3"\nservices:\n  a: { image: x, ${inner} }\n`;
  t.is(message('services: { a: { image: x } }', '-bad'), 'stack name "-bad": expected letters, digits, _ . -');
  t.is(message('services: { a: { image: x } }', 'ok_1.-A'), '');
  t.is(message('[1]'), '(root): expected a mapping');
  t.is(message('version: "3"\nservices: {}\n'), 'services: expected at least one service');
  t.is(message('version: "3"\n'), 'services: expected at least one service');
  t.is(message('version: "3"\nservices:\n  a: [1]\n'), 'services.a: expected a mapping');
  t.is(message('version: "3"\nservices:\n  a: { image: { x: 1 } }\n'), 'services.a.image: expected a string');
  t.is(message(svc('deploy: { mode: daemon }')), 'services.a.deploy.mode: expected replicated or global, got "daemon"');
  t.is(message(svc('deploy: { replicas: -1 }')), 'services.a.deploy.replicas: expected a whole number ≥ 0');
  t.is(message(svc('deploy: { replicas: 1.5 }')), 'services.a.deploy.replicas: expected a whole number ≥ 0');
  t.is(message(svc('deploy: { endpoint_mode: rr }')), 'services.a.deploy.endpoint_mode: expected vip or dnsrr');
  t.is(message(svc('networks: [n]')), 'services.a.networks: network "n" is not defined under top-level networks');
  t.is(message(svc('networks: [[n]]')), 'services.a.networks[0]: expected a string');
  t.is(message(svc('networks: { n: 1 }')), 'services.a.networks.n: expected a mapping');
  t.is(message(svc('ports: [{ target: http }]')), 'services.a.ports[0].target: expected a port number');
  t.is(message(svc('ports: ["1-2:3"]')), 'services.a.ports[0]: expected "published:target[/protocol]", got "1-2:3"');
  t.is(message(svc('ports: ["80/icmp"]')), 'services.a.ports[0]: expected "published:target[/protocol]", got "80/icmp"');
  t.is(message(svc('volumes: ["/only-source"]')), 'services.a.volumes[0]: expected "source:target[:ro]"');
  t.is(message(svc('volumes: ["data:/d"]')), 'services.a.volumes[0]: volume "data" is not defined under top-level volumes');
  t.is(message(svc('secrets: [pw]')), 'services.a.secrets[0]: secret "pw" is not defined under top-level secrets');
  t.is(message(svc('configs: [{ source: c }]')), 'services.a.configs[0]: config "c" is not defined under top-level configs');
  t.is(message(svc('command: { a: 1 }')), 'services.a.command: expected a string');
  t.is(message(svc('command: [a, [b]]')), 'services.a.command[1]: expected a string');
  t.is(message(svc('environment: [A=1, [B]]')), 'services.a.environment[1]: expected a string');
  t.is(message(svc('environment: { A: [1] }')), 'services.a.environment.A: expected a string');
  t.is(message(svc('deploy: { placement: { constraints: [[x]] } }')), 'services.a.deploy.placement.constraints[0]: expected a string');
  t.is(message(svc('deploy: { placement: { preferences: [{ spread: [x] }] } }')), 'services.a.deploy.placement.preferences[0].spread: expected a string');
  t.is(message(svc('deploy: { placement: { preferences: [x] } }')), 'services.a.deploy.placement.preferences[0]: expected a mapping');
  t.is(message(`${svc('secrets: [pw]')}secrets:\n  pw: {}\n`), 'secrets.pw: expected file, environment or external');
  t.is(message(`${svc('configs: [c]')}configs:\n  c: { file: [x] }\n`), 'configs.c.file: expected a string');
  t.is(message(`${svc('networks: [n]')}networks:\n  n: [x]\n`), 'networks.n: expected a mapping');
  // A bad duration, size or CPU count names its place too (it reached the user as a stack trace before).
  const duration = (got: string) => `expected a duration such as 10s or 1m30s, got "${got}"`;
  t.is(message(svc('stop_grace_period: soon')), `services.a.stop_grace_period: ${duration('soon')}`);
  t.is(message(svc('healthcheck: { test: [CMD, x], interval: 1y }')), `services.a.healthcheck.interval: ${duration('1y')}`);
  t.is(message(svc('healthcheck: { test: [CMD, x], timeout: 1y }')), `services.a.healthcheck.timeout: ${duration('1y')}`);
  t.is(message(svc('healthcheck: { test: [CMD, x], start_period: 1y }')), `services.a.healthcheck.start_period: ${duration('1y')}`);
  t.is(message(svc('deploy: { restart_policy: { delay: 1y } }')), `services.a.deploy.restart_policy.delay: ${duration('1y')}`);
  t.is(message(svc('deploy: { restart_policy: { window: 1y } }')), `services.a.deploy.restart_policy.window: ${duration('1y')}`);
  t.is(message(svc('deploy: { update_config: { delay: 1y } }')), `services.a.deploy.update_config.delay: ${duration('1y')}`);
  t.is(message(svc('deploy: { resources: { limits: { memory: 1t } } }')), 'services.a.deploy.resources.limits.memory: expected a size such as 512m, got "1t"');
  t.is(
    message(svc('deploy: { resources: { reservations: { memory: 1t } } }')),
    'services.a.deploy.resources.reservations.memory: expected a size such as 512m, got "1t"',
  );
  t.is(message(svc('deploy: { resources: { limits: { cpus: x } } }')), 'services.a.deploy.resources.limits.cpus: expected a CPU count such as 0.5, got "x"');
  t.is(
    message(svc('deploy: { resources: { reservations: { cpus: 0 } } }')),
    'services.a.deploy.resources.reservations.cpus: expected a CPU count such as 0.5, got "0"',
  );
});

test('a file without a version, and unsupported keys, are warned about in full; x- keys are extensions', (t) => {
  const plan = convertStack('s', doc('services:\n  a: { image: x, build: ., x-y: 1, deploy: { rollback_config: {}, x-z: 2 } }\nfoo: 1\nx-top: 1\n'));
  t.deepEqual(plan.warnings, [
    '(root): ignoring unsupported keys: foo',
    '(root): no version key; Docker 20.10 `docker stack deploy` rejects such a file ("unsupported Compose file version")',
    'services.a: ignoring unsupported keys: build',
    'services.a.deploy: ignoring unsupported keys: rollback_config',
  ]);
});

test('global mode, ports as published:target, secrets and configs by target, external names', (t) => {
  const plan = convertStack(
    's',
    doc(`version: "3"
services:
  a:
    image: x
    deploy: { mode: global, replicas: 3 }
    ports: ["9000:80", "9001:80", { target: 80, published: 8999, protocol: udp }]
    configs: [{ source: c, target: /etc/c.conf, mode: 0 }]
    secrets: [{ source: s, target: key }]
secrets:
  s: { external: { name: other } }
configs:
  c: { file: ./c.conf, name: fixed }
`),
  );
  const spec = plan.services[0]!.spec;
  t.deepEqual(spec.Mode, { Global: {} });
  t.deepEqual(spec.EndpointSpec?.Ports, [
    { Protocol: 'udp', TargetPort: 80, PublishedPort: 8999, PublishMode: 'ingress' },
    { Protocol: 'tcp', TargetPort: 80, PublishedPort: 9000, PublishMode: 'ingress' },
    { Protocol: 'tcp', TargetPort: 80, PublishedPort: 9001, PublishMode: 'ingress' },
  ]);
  t.deepEqual(spec.TaskTemplate.ContainerSpec.Configs, [{ File: { Name: '/etc/c.conf', UID: '0', GID: '0', Mode: 0 }, ConfigID: '', ConfigName: 'fixed' }]);
  t.deepEqual(spec.TaskTemplate.ContainerSpec.Secrets, [{ File: { Name: 'key', UID: '0', GID: '0', Mode: 0o444 }, SecretID: '', SecretName: 's' }]);
  t.deepEqual(
    plan.secrets.map((secret) => [secret.name, secret.external]),
    [['s', true]],
  );
  t.deepEqual(
    plan.configs.map((config) => [config.name, config.external, config.file]),
    [['fixed', false, './c.conf']],
  );
  t.deepEqual(parsePortText('53/udp'), { target: 53, published: undefined, protocol: 'udp' });
  t.deepEqual(parsePortText('0:0'), { target: 0, published: 0, protocol: 'tcp' });
  t.is(parsePortText('1.2.3.4:80:80'), undefined);
  t.is(parsePortText(' 80'), undefined);
});

test('the spec hash does not depend on key order, does on values and array order', (t) => {
  const a = { Name: 'n', Labels: { a: '1', b: '2' }, List: [1, 2] } as unknown as Parameters<typeof specHash>[0];
  const b = { List: [1, 2], Labels: { b: '2', a: '1' }, Name: 'n' } as unknown as Parameters<typeof specHash>[0];
  const c = { Name: 'n', Labels: { a: '1', b: '2' }, List: [2, 1] } as unknown as Parameters<typeof specHash>[0];
  const d = { Name: 'n', Labels: { a: '1', b: '3' }, List: [1, 2] } as unknown as Parameters<typeof specHash>[0];
  t.is(specHash(a), specHash(b));
  t.not(specHash(a), specHash(c));
  t.not(specHash(a), specHash(d));
  t.regex(specHash(a), /^[0-9a-f]{64}$/);
});

test('interpolation: every form with set, empty and unset variables; anything that is no variable stays', (t) => {
  const values: Record<string, string> = { A: 'a', EMPTY: '' };
  // biome-ignore-start lint/suspicious/noTemplateCurlyInString: compose interpolation syntax, not a template literal
  const result = interpolate(
    {
      set: '${A:-d}|${A-d}|${A:?m}|${A?m}|${A}|$A_x|${A}_x',
      empty: '${EMPTY:-d}|${EMPTY-d}|${EMPTY?m}|${EMPTY}|${EMPTY:-}',
      unset: '${U:-d}|${U-d}|${U:-}|$Z|${B}|$Z',
      other: '$1|${1}|${A|$|x$$y|$$A',
      list: [1, true, null, '${A}'],
      nested: { k: { deeper: '$A' } },
    },
    (name) => values[name],
  );
  t.deepEqual(result.value, {
    set: 'a|a|a|a|a||a_x',
    empty: 'd||||',
    unset: 'd|d||||',
    other: '$1|${1}|${A|$|x$y|$A',
    list: [1, true, null, 'a'],
    nested: { k: { deeper: 'a' } },
  });
  // biome-ignore-end lint/suspicious/noTemplateCurlyInString: compose interpolation syntax, not a template literal
  t.deepEqual(result.unset, ['A_x', 'B', 'Z']);
  t.deepEqual(result.missing, []);
  t.deepEqual(
    interpolate(7, () => undefined),
    { value: 7, unset: [], missing: [] },
  );
});

test('units: sizes with or without b, any case and spaces; durations as seconds when a number; CPU counts > 0', (t) => {
  t.is(bytes(7), 7);
  t.is(bytes('100'), 100);
  t.is(bytes(' 2 K '), 2048);
  t.is(bytes('1.5kb'), 1536);
  t.is(bytes('10B'), 10);
  t.is(bytes('3MB'), 3 * 1024 ** 2);
  t.is(bytes('1.0000001k'), 1024);
  for (const bad of ['1t', 'k', '1.k', '-1m', '1 m b', '1mbb', 'x1m'])
    t.throws(() => bytes(bad), { message: `expected a size such as 512m, got "${bad}"` }, bad);
  t.is(durationNs(2), 2e9);
  t.is(durationNs(0.5), 5e8);
  t.is(durationNs('1.5us'), 1500);
  t.throws(() => durationNs('10'), { message: 'expected a duration such as 10s or 1m30s, got "10"' });
  t.is(nanoCpus(2), 2e9);
  t.is(nanoCpus('0.0000000014'), 1);
  for (const bad of ['0', '-1', 'x', 'Infinity', 'NaN']) t.throws(() => nanoCpus(bad), { message: `expected a CPU count such as 0.5, got "${bad}"` }, bad);
});

test('YAML booleans and numbers become text; a null environment value is left out; an empty command is no arguments', (t) => {
  const plan = convertStack(
    's',
    doc(`version: "3"
services:
  a:
    image: x
    command: ""
    environment: { DEBUG: true, PORT: 80, FROM_SHELL: null }
    labels: { enabled: false }
  b:
    image: x
    command:
`),
  );
  const [a, b] = plan.services.map((service) => service.spec.TaskTemplate.ContainerSpec);
  t.deepEqual(a?.Args, []);
  t.deepEqual(a?.Env, ['DEBUG=true', 'PORT=80']);
  t.deepEqual(a?.Labels, { enabled: 'false', [NS]: 's' });
  t.is(b?.Args, undefined);
});

test('a stack name with a character docker refuses anywhere in it is refused', (t) => {
  for (const stack of ['my stack', 'shop!', 'a/b'])
    t.throws(() => convertStack(stack, doc('services: { a: { image: x } }')), { message: `stack name "${stack}": expected letters, digits, _ . -` }, stack);
});

test('partial healthcheck, resources, restart policy and update config: only the fields given, the engine defaults the rest', (t) => {
  const plan = convertStack(
    's',
    doc(`version: "3"
services:
  a:
    image: x
    healthcheck: { interval: 5s }
    deploy:
      resources: { limits: { memory: 1m }, reservations: { cpus: "0.5" } }
      restart_policy: { condition: any }
      update_config: { parallelism: 1 }
  b:
    image: x
    deploy:
      resources: { reservations: { memory: 2k } }
      restart_policy: { max_attempts: 5 }
      update_config: { order: stop-first }
  c:
    image: x
    deploy:
      resources: { limits: { cpus: 2 } }
      restart_policy: { delay: 1s }
      update_config: { delay: 2s, failure_action: pause }
`),
  );
  const [a, b, c] = plan.services.map((service) => service.spec);
  t.deepEqual(a?.TaskTemplate.ContainerSpec.Healthcheck, { Interval: 5e9 });
  t.deepEqual(a?.TaskTemplate.Resources, { Limits: { MemoryBytes: 1024 ** 2 }, Reservations: { NanoCPUs: 5e8 } });
  t.deepEqual(a?.TaskTemplate.RestartPolicy, { Condition: 'any' });
  t.deepEqual(a?.UpdateConfig, { Parallelism: 1 });
  // No healthcheck in the file: none in the spec (the image's own HEALTHCHECK applies).
  t.false('Healthcheck' in (b?.TaskTemplate.ContainerSpec ?? {}));
  t.deepEqual(b?.TaskTemplate.Resources, { Reservations: { MemoryBytes: 2048 } });
  t.deepEqual(b?.TaskTemplate.RestartPolicy, { MaxAttempts: 5 });
  t.deepEqual(b?.UpdateConfig, { Order: 'stop-first' });
  t.deepEqual(c?.TaskTemplate.Resources, { Limits: { NanoCPUs: 2e9 } });
  t.deepEqual(c?.TaskTemplate.RestartPolicy, { Delay: 1e9 });
  t.deepEqual(c?.UpdateConfig, { Delay: 2e9, FailureAction: 'pause' });
});

test('a value of the wrong kind under resources, restart_policy or update_config is named with its place', (t) => {
  const message = (deploy: string) => {
    try {
      convertStack('s', doc(`version: "3"\nservices:\n  a: { image: x, deploy: ${deploy} }\n`));
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  };
  t.is(message('{ resources: { limits: { cpus: [1] } } }'), 'services.a.deploy.resources.limits.cpus: expected a string');
  t.is(message('{ resources: { limits: { memory: [1] } } }'), 'services.a.deploy.resources.limits.memory: expected a string');
  t.is(message('{ resources: { reservations: { cpus: [1] } } }'), 'services.a.deploy.resources.reservations.cpus: expected a string');
  t.is(message('{ resources: { reservations: { memory: [1] } } }'), 'services.a.deploy.resources.reservations.memory: expected a string');
  t.is(message('{ restart_policy: { delay: [1] } }'), 'services.a.deploy.restart_policy.delay: expected a string');
  t.is(message('{ restart_policy: { window: [1] } }'), 'services.a.deploy.restart_policy.window: expected a string');
  t.is(message('{ update_config: { delay: [1] } }'), 'services.a.deploy.update_config.delay: expected a string');
  t.is(message('{ update_config: { failure_action: [1] } }'), 'services.a.deploy.update_config.failure_action: expected a string');
  t.is(message('{ update_config: { order: [1] } }'), 'services.a.deploy.update_config.order: expected a string');
});

test('the spec hash does not depend on the key order of objects inside lists either', (t) => {
  const spec = (networks: unknown) => ({ Name: 'n', TaskTemplate: { Networks: networks } }) as unknown as Parameters<typeof specHash>[0];
  t.is(specHash(spec([{ Target: 't', Aliases: ['a'] }])), specHash(spec([{ Aliases: ['a'], Target: 't' }])));
  t.not(specHash(spec([{ Target: 't', Aliases: ['a'] }])), specHash(spec([{ Target: 't', Aliases: ['b'] }])));
});
