import test from 'ava';
import { parse } from 'yaml';
import { parseInventory } from '../../../../cluster/inventory/load.ts';
import { adaptStack, clusterAdaptation, normalizeImageRef, summarizeChanges } from '../../../../cluster/stack/adapt.ts';
import { swarmArch } from '../../../../cluster/swarm/model.ts';

// The one function that adapts a stack file to a cluster: images, platform constraint, network.
const inventory = (extra: string, arches: Array<string | undefined> = ['amd64']) =>
  parseInventory(
    `name: t\n${extra}\nnodes:\n${arches.map((arch, i) => `  - { name: n${i}, host: 10.0.0.${i + 1}, role: ${i ? 'worker' : 'manager'}${arch ? `, arch: ${arch}` : ''} }`).join('\n')}\n`,
    'x.yml',
  );

const doc = parse(`
version: "3.8"
services:
  db:
    image: postgres:14-alpine
    ports: ["5432:5432", "9000/udp", { target: 80, published: 8080 }]
    deploy: { placement: { constraints: ["node.platform.arch == armv7l", "node.role == manager"] } }
  api:
    image: juangonzalout/go-coffeeshop-proxy
    deploy: { endpoint_mode: vip }
  other:
    image: docker.io/library/busybox:1
`) as Record<string, unknown>;

test('the preset maps the Go coffee shop images to the ones images-real builds, whatever their spelling', (t) => {
  const { doc: adapted, changes } = adaptStack(doc, clusterAdaptation(inventory('images: go-coffee-local')));
  const services = adapted.services as Record<string, { image: string }>;
  t.is(services.db!.image, 'cloudlet/go-coffee-postgres:latest');
  t.is(services.api!.image, 'cloudlet/go-coffee-proxy:latest', 'no tag means :latest');
  t.is(services.other!.image, 'docker.io/library/busybox:1', 'an image the map does not name stays');
  t.deepEqual(
    changes.filter((c) => c.kind === 'image').map((c) => c.service),
    ['db', 'api'],
  );
  t.is((doc.services as Record<string, { image: string }>).db!.image, 'postgres:14-alpine', 'the input is left as it was');
});

test('an image map of its own, keys compared as docker names them', (t) => {
  const { doc: adapted } = adaptStack(doc, clusterAdaptation(inventory('images: { "busybox:1": "mirror.local/busybox:1" }')));
  t.is((adapted.services as Record<string, { image: string }>).other!.image, 'mirror.local/busybox:1');
  t.is(normalizeImageRef('docker.io/library/postgres'), 'postgres:latest');
  t.is(normalizeImageRef('registry:5000/x/y'), 'registry:5000/x/y:latest');
  t.is(normalizeImageRef('x@sha256:abc'), 'x@sha256:abc');
});

test("the platform constraint follows the nodes' arch, in Swarm's spelling", (t) => {
  t.deepEqual(['amd64', 'arm64', 'arm/v7', 'arm/v6', '386', 'ppc64le'].map(swarmArch), ['x86_64', 'aarch64', 'armv7l', 'armv6l', 'i686', 'ppc64le']);
  const constraints = (arches: string[]) => {
    const adapted = adaptStack(doc, clusterAdaptation(inventory('', arches)));
    return {
      constraints: (adapted.doc.services as Record<string, { deploy: { placement: { constraints: string[] } } }>).db!.deploy.placement.constraints,
      adapted,
    };
  };
  t.deepEqual(constraints(['amd64', 'amd64']).constraints, ['node.platform.arch == x86_64', 'node.role == manager']);
  const phones = constraints(['arm/v7']);
  t.deepEqual(phones.constraints, ['node.platform.arch == armv7l', 'node.role == manager']);
  t.deepEqual(phones.adapted.changes, [], 'the phones get the file as it is');
  const mixed = constraints(['amd64', 'arm/v7']);
  t.deepEqual(mixed.constraints, ['node.role == manager'], 'nodes of two platforms: no arch constraint');
  t.regex(mixed.adapted.warnings[0]!, /services\.db: "node\.platform\.arch == armv7l" dropped: the inventory's nodes are amd64, arm\/v7/);
  // Nodes that do not say their arch: nothing to go by.
  t.deepEqual(adaptStack(doc, clusterAdaptation(inventory('', [undefined]))).changes, []);
});

test('routingMesh false: dnsrr and every port in host mode; true changes nothing', (t) => {
  const { doc: adapted, changes } = adaptStack(doc, clusterAdaptation(inventory('network: { routingMesh: false }', [undefined])));
  const services = adapted.services as Record<string, { ports?: unknown[]; deploy: { endpoint_mode: string } }>;
  t.deepEqual(services.db!.ports, [
    { target: 5432, published: 5432, protocol: 'tcp', mode: 'host' },
    { target: 9000, protocol: 'udp', mode: 'host' },
    { target: 80, published: 8080, mode: 'host' },
  ]);
  t.deepEqual(
    Object.values(services).map((service) => service.deploy.endpoint_mode),
    ['dnsrr', 'dnsrr', 'dnsrr'],
  );
  t.is(summarizeChanges(changes), '3 services in dnsrr, their ports in host mode (network.routingMesh: false)');
  t.deepEqual(adaptStack(doc, clusterAdaptation(inventory('', [undefined]))).changes, []);
});
