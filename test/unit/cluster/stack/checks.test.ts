import test from 'ava';
import { parse } from 'yaml';
import { candidateNodes, constraintHolds, deployProblems, type DeployFacts } from '../../../../cluster/stack/checks.ts';
import { convertStack } from '../../../../cluster/stack/convert.ts';
import type { SwarmNode } from '../../../../cluster/swarm/model.ts';

// What deploy checks before it changes anything, all problems at once.
const node = (name: string, role: 'manager' | 'worker', arch = 'x86_64', extra: Partial<SwarmNode> = {}): SwarmNode => ({
  ID: `id-${name}`,
  Spec: { Role: role, Availability: 'active', Labels: { zone: name === 'n1' ? 'a' : 'b' } },
  Description: { Hostname: name, Platform: { Architecture: arch, OS: 'linux' }, Engine: { Labels: { disk: 'ssd' } } },
  Status: { State: 'ready' },
  ...extra,
});
const nodes = [node('n1', 'manager'), node('n2', 'worker'), node('n3', 'worker', 'armv7l'), node('n4', 'worker', 'x86_64', { Status: { State: 'down' } })];

test('placement constraints as swarm reads them', (t) => {
  const n1 = nodes[0]!;
  t.true(constraintHolds('node.role == manager', n1));
  t.true(constraintHolds('node.role==MANAGER', n1), 'case does not matter');
  t.false(constraintHolds('node.role != manager', n1));
  t.true(constraintHolds('node.platform.arch == x86_64', n1));
  t.true(constraintHolds('node.labels.zone == a', n1));
  t.false(constraintHolds('node.labels.missing == a', n1));
  t.true(constraintHolds('engine.labels.disk == ssd', n1));
  t.true(constraintHolds('node.hostname == n1', n1));
  t.true(constraintHolds('something.else == x', n1), 'what we cannot judge never refuses');
  t.deepEqual(
    candidateNodes(['node.platform.arch == x86_64'], nodes).map((n) => n.ID),
    ['id-n1', 'id-n2'],
    'a node that is down runs nothing',
  );
});

const plan = convertStack(
  's',
  parse(`
version: "3.8"
services:
  db: { image: "db:1", deploy: { placement: { constraints: ["node.role == manager"] } } }
  api: { image: "api:1", deploy: { replicas: 2, placement: { constraints: ["node.platform.arch == x86_64"] } } }
  arm: { image: "api:1", deploy: { placement: { constraints: ["node.platform.arch == aarch64"] } } }
networks: { ext: { external: true } }
secrets: { token: { external: true } }
`),
);
const facts = (extra: Partial<DeployFacts> = {}): DeployFacts => ({
  plan,
  nodes,
  existing: { networks: new Set(), secrets: new Set(), configs: new Set() },
  fixFor: (image, platform) => `load ${image} for ${platform}`,
  ...extra,
});

test('missing external objects and services no node can run, each named', (t) => {
  t.deepEqual(deployProblems(facts()), [
    'network ext is external but does not exist: create it first',
    'secret token is external but does not exist: docker secret create token <file>',
    'services.arm: no ready node satisfies its placement constraints (node.platform.arch == aarch64); nodes: n1 (manager, x86_64, ready), n2 (worker, x86_64, ready), n3 (worker, armv7l, ready), n4 (worker, x86_64, down)',
  ]);
});

test("imagePolicy local: every image on every node that could run it, the same as the manager's", (t) => {
  const ids = new Map<string, Map<string, string | undefined> | Error>([
    [
      'id-n1',
      new Map([
        ['db:1', 'sha256:d'],
        ['api:1', 'sha256:a1'],
      ]),
    ],
    [
      'id-n2',
      new Map([
        ['db:1', undefined],
        ['api:1', 'sha256:a2'],
      ]),
    ],
    ['id-n3', new Error('SSH timed out')],
  ]);
  const problems = deployProblems(
    facts({ existing: { networks: new Set(['ext']), secrets: new Set(['token']), configs: new Set() }, images: { managerNodeId: 'id-n1', ids } }),
  );
  t.deepEqual(problems, [
    'services.arm: no ready node satisfies its placement constraints (node.platform.arch == aarch64); nodes: n1 (manager, x86_64, ready), n2 (worker, x86_64, ready), n3 (worker, armv7l, ready), n4 (worker, x86_64, down)',
    "image api:1 (services api) on n2 is a2, the manager's is a1 (services run the manager's): load api:1 for amd64",
  ]);
  // db runs on managers only: n2 lacking it is no problem. Missing on the one node that runs it is.
  ids.set(
    'id-n1',
    new Map([
      ['db:1', undefined],
      ['api:1', 'sha256:a1'],
    ]),
  );
  t.true(deployProblems(facts({ images: { managerNodeId: 'id-n1', ids } })).includes('image db:1 (services db) is not on n1: load db:1 for amd64'));
});
