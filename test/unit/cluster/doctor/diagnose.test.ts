import test from 'ava';
import { diagnose, imagePlatform, worstLevel, type NodeProbe } from '../../../../cluster/doctor/diagnose.ts';
import { roleChanges } from '../../../../cluster/swarm/init.ts';
import { parseInventory } from '../../../../cluster/inventory/load.ts';
import type { SwarmNode } from '../../../../cluster/swarm/model.ts';

const inventory = parseInventory(
  `
name: t
imagePolicy: local
minFreeDiskGiB: 2
nodes:
  - { name: a, host: 10.0.0.1, role: manager, arch: arm/v7 }
  - { name: b, host: 10.0.0.2, role: manager, arch: arm/v7, labels: { zone: x } }
  - { name: c, host: 10.0.0.3, role: worker, arch: arm/v7 }
`,
  'x.yml',
);

const swarmNode = (hostname: string, role: 'manager' | 'worker', extra: Partial<SwarmNode> = {}): SwarmNode => ({
  ID: `id-${hostname}`,
  Spec: { Role: role, Availability: 'active' },
  Description: { Hostname: hostname, Platform: { Architecture: 'armv7l' } },
  Status: { State: 'ready' },
  ...(role === 'manager' ? { ManagerStatus: { Leader: hostname === 'a', Reachability: 'reachable' } } : {}),
  ...extra,
});

const probe = (node: string, extra: Partial<NodeProbe> = {}): NodeProbe => ({
  node,
  sshError: undefined,
  engineError: undefined,
  clockOffsetMs: 3,
  diskFreeBytes: 10 * 1024 ** 3,
  arch: 'arm/v7',
  images: { 'shop:1': 'arm/v7' },
  ...extra,
});

test('a healthy cluster has only ok findings', (t) => {
  const swarm = [swarmNode('a', 'manager'), swarmNode('b', 'manager'), swarmNode('c', 'worker')];
  const findings = diagnose({
    inventory,
    swarm: [...swarm, swarmNode('d', 'manager')],
    probes: [probe('a'), probe('b'), probe('c')],
    images: ['shop:1'],
    maxClockSkewMs: 1000,
  });
  // Four managers in the swarm: even.
  t.is(worstLevel(findings), 'warn');
  const clean = diagnose({
    inventory: { ...inventory, nodes: inventory.nodes.map((n) => ({ ...n, role: n.name === 'b' ? 'worker' : n.role })) },
    swarm: [swarm[0]!, { ...swarm[1]!, Spec: { Role: 'worker' }, ManagerStatus: undefined }, swarm[2]!],
    probes: [probe('a'), probe('b'), probe('c')],
    images: ['shop:1'],
    maxClockSkewMs: 1000,
  });
  t.is(worstLevel(clean), 'ok', JSON.stringify(clean.filter((f) => f.level !== 'ok')));
});

test('each problem comes with its fix', (t) => {
  const swarm = [
    swarmNode('a', 'manager', { ManagerStatus: { Leader: false, Reachability: 'unreachable' }, Status: { State: 'down' } }),
    swarmNode('b', 'manager'),
    swarmNode('c', 'worker', { Spec: { Role: 'worker', Availability: 'drain' } }),
  ];
  const findings = diagnose({
    inventory,
    swarm,
    probes: [
      probe('a', { sshError: 'a (10.0.0.1:22): SSH timed out after 5000 ms' }),
      probe('b', { clockOffsetMs: -2500, diskFreeBytes: 1024 ** 3, images: { 'shop:1': 'amd64' } }),
      probe('c', { images: { 'shop:1': 'missing' } }),
    ],
    images: ['shop:1'],
    maxClockSkewMs: 1000,
  });
  const problems = findings.filter((finding) => finding.level !== 'ok');
  const has = (check: string, node: string | undefined, pattern: RegExp) =>
    t.true(
      problems.some((f) => f.check === check && f.node === node && pattern.test(f.message) && f.fix.length > 0),
      `${check} ${node} ${pattern}`,
    );
  has('managers', undefined, /2 managers/);
  has('leader', undefined, /no leader/);
  has('node', 'a', /node is down/);
  has('node', 'a', /manager is unreachable/);
  has('node', 'a', /unreachable over SSH/);
  has('node', 'c', /drain/);
  has('clock', 'b', /off by -2\.50 s/);
  has('disk', 'b', /1\.0 GiB free/);
  has('images', 'b', /for amd64, the node runs arm\/v7/);
  has('images', 'c', /not on the node/);
  t.is(worstLevel(findings), 'fail');
});

test('no manager answering is a failure of its own', (t) => {
  const findings = diagnose({ inventory, swarm: { error: 'no manager answered' }, probes: [], images: [], maxClockSkewMs: 1000 });
  t.deepEqual(
    findings.map((f) => [f.check, f.level]),
    [['leader', 'fail']],
  );
});

test('image platforms in inventory terms', (t) => {
  t.is(imagePlatform({ Architecture: 'arm', Variant: 'v7' }), 'arm/v7');
  t.is(imagePlatform({ Architecture: 'amd64' }), 'amd64');
});

test('init promotes before it demotes, and adds labels', (t) => {
  const swarm = [swarmNode('a', 'manager'), swarmNode('b', 'worker'), swarmNode('c', 'manager')];
  const changes = roleChanges(inventory.nodes, swarm);
  t.deepEqual(
    changes.map((c) => [c.node.name, c.role, c.roleChanged, c.labelsChanged]),
    [
      ['b', 'manager', true, true],
      ['c', 'worker', true, false],
    ],
  );
  t.deepEqual(changes[0]!.labels, { zone: 'x' });
});

test('registry images: a platform the registry does not list is a failure', (t) => {
  const registry = { ...inventory, imagePolicy: 'registry' as const };
  const swarm = [swarmNode('a', 'manager'), swarmNode('b', 'worker'), swarmNode('c', 'worker')];
  const findings = diagnose({
    inventory: { ...registry, nodes: registry.nodes.map((n) => ({ ...n, role: n.name === 'a' ? 'manager' : 'worker' })) },
    swarm,
    probes: [probe('a', { images: { 'web:1': 'missing', 'db:1': 'missing' } })],
    images: ['db:1', 'web:1'],
    registryPlatforms: { 'web:1': ['amd64', 'arm64'], 'db:1': ['amd64', 'arm/v7'] },
    maxClockSkewMs: 1000,
  });
  const images = findings.filter((f) => f.check === 'images' && f.level !== 'ok');
  t.deepEqual(
    images.map((f) => [f.level, f.message]),
    [['fail', 'image web:1 is published for amd64, arm64, not for arm/v7']],
  );
  t.regex(images[0]!.fix, /--platform linux\/arm\/v7/);
});

test('a node clock read in whole seconds gets a second of slack, and the finding says why', (t) => {
  const clock = (clockOffsetMs: number, clockPrecisionMs: number) =>
    diagnose({ inventory, swarm: [], probes: [probe('b', { clockOffsetMs, clockPrecisionMs })], images: [], maxClockSkewMs: 1000 }).find(
      (f) => f.check === 'clock',
    );
  t.is(clock(-1500, 1000)?.level, 'ok');
  t.is(clock(-1500, 0.001)?.level, 'fail');
  t.regex(clock(-2500, 1000)?.message ?? '', /off by -2\.50 s \(± 1 s: the node's clock reads whole seconds\)/);
});

test('a missing image built here names the command that builds or loads it, and fails whatever the imagePolicy', (t) => {
  const registry = parseInventory('name: t\nnodes:\n  - { name: a, host: 10.0.0.1, role: manager, arch: arm/v7 }\n', 'x.yml');
  const findings = diagnose({
    inventory: registry,
    swarm: [swarmNode('a', 'manager')],
    probes: [probe('a', { images: { 'cloudlet/go-coffee-proxy:latest': 'missing', 'cloudlet/go-coffee-web:latest': 'amd64' } })],
    images: ['cloudlet/go-coffee-proxy:latest', 'cloudlet/go-coffee-web:latest'],
    maxClockSkewMs: 1000,
    fixFor: (image, platform) => `build ${image} for ${platform}, then load it`,
    localOnly: (image) => image.startsWith('cloudlet/go-coffee-'),
  }).filter((finding) => finding.check === 'images');
  t.deepEqual(
    findings.map((finding) => [finding.level, finding.message, finding.fix]),
    [
      ['fail', 'image cloudlet/go-coffee-proxy:latest is not on the node', 'build cloudlet/go-coffee-proxy:latest for arm/v7, then load it'],
      ['fail', 'image cloudlet/go-coffee-web:latest is for amd64, the node runs arm/v7', 'build cloudlet/go-coffee-web:latest for arm/v7, then load it'],
    ],
  );
});
