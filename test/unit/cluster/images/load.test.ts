import test from 'ava';
import { imageFix, isBuilt } from '../../../../cluster/images/fix.ts';
import { nodeActions, recordsFor } from '../../../../cluster/images/load.ts';
import type { ImagePresence } from '../../../../cluster/images/presence.ts';
import type { ImageIndex, ImageRecord } from '../../../../shop/gocoffee/images.ts';
import { ourImageName } from '../../../../shop/gocoffee/source.ts';

// Planning `cluster images load` and the fixes doctor and deploy name for a missing image.
const record = (name: string, arch: 'amd64' | 'arm/v7', id: string): ImageRecord =>
  ({
    name,
    arch,
    reference: `cloudlet/go-coffee-${name}:k-${arch === 'amd64' ? 'amd64' : 'arm-v7'}`,
    stableReference: `cloudlet/go-coffee-${name}:latest`,
    path: `/cache/${name}-${arch}.tar`,
    imageId: id,
    bytes: 1e6,
  }) as ImageRecord;
const index: ImageIndex = { images: [record('proxy', 'amd64', 'sha256:p1'), record('postgres', 'amd64', 'sha256:g1'), record('proxy', 'arm/v7', 'sha256:p7')] };

test('each node gets the records of its platform; an image not built for it is a problem naming the build', (t) => {
  const fix = (platform: string) => `npm run shop -- images-real --arch ${platform}`;
  t.deepEqual(
    recordsFor(index, 'amd64', undefined, fix).records.map((r) => r.imageId),
    ['sha256:p1', 'sha256:g1'],
  );
  const arm = recordsFor(index, 'arm/v7', ['cloudlet/go-coffee-proxy:latest', 'cloudlet/go-coffee-postgres:latest'], fix);
  t.deepEqual(
    arm.records.map((r) => r.imageId),
    ['sha256:p7'],
  );
  t.deepEqual(arm.problems, ['cloudlet/go-coffee-postgres:latest is not built for arm/v7: npm run shop -- images-real --arch arm/v7']);
  t.deepEqual(recordsFor(index, 'arm64', undefined, fix).problems, ['no image is built for arm64: npm run shop -- images-real --arch arm64']);
});

test('an image the node has (same id) is skipped, or only tagged when its stable tag points elsewhere', (t) => {
  const records = index.images.filter((r) => r.arch === 'amd64');
  const actions = nodeActions(
    'n1',
    'amd64',
    records,
    new Map<string, ImagePresence>([
      ['cloudlet/go-coffee-proxy:k-amd64', { id: 'sha256:p1', platform: 'amd64' }],
      ['cloudlet/go-coffee-proxy:latest', { id: 'sha256:p7', platform: 'arm/v7' }],
      ['cloudlet/go-coffee-postgres:k-amd64', 'missing'],
      ['cloudlet/go-coffee-postgres:latest', { id: 'sha256:old', platform: 'amd64' }],
    ]),
  );
  t.deepEqual(
    actions.map((a) => [a.image, a.action]),
    [
      ['cloudlet/go-coffee-proxy:k-amd64', 'tag'],
      ['cloudlet/go-coffee-postgres:k-amd64', 'load'],
    ],
  );
  const again = nodeActions(
    'n1',
    'amd64',
    records.slice(0, 1),
    new Map<string, ImagePresence>([
      ['cloudlet/go-coffee-proxy:k-amd64', { id: 'sha256:p1', platform: 'amd64' }],
      ['cloudlet/go-coffee-proxy:latest', { id: 'sha256:p1', platform: 'amd64' }],
    ]),
  );
  t.is(again[0]!.action, 'present');
});

test('the fix for a missing image: load it, build then load it, or the registry', (t) => {
  const context = { inventoryPath: `${process.cwd()}/cluster/x.yml`, imagePolicy: 'local' as const, index };
  t.is(imageFix('cloudlet/go-coffee-proxy:latest', 'amd64', context), 'npm run cluster -- --cluster cluster/x.yml images load');
  t.is(
    imageFix('cloudlet/go-coffee-web:latest', 'arm/v7', context),
    'npm run shop -- images-real --arch arm/v7, then npm run cluster -- --cluster cluster/x.yml images load',
  );
  t.regex(imageFix('cloudlet/go-coffee-web:latest', 'arm64', context), /builds amd64 and arm\/v7 only, not arm64/);
  t.regex(imageFix('portainer/agent:2.19.4', 'arm/v7', context), /docker save portainer\/agent:2\.19\.4/);
  t.regex(imageFix('portainer/agent:2.19.4', 'arm/v7', { ...context, imagePolicy: 'registry' }), /published for linux\/arm\/v7/);
  t.true(isBuilt(index, 'cloudlet/go-coffee-proxy:k-arm-v7', 'arm/v7'));
  t.is(ourImageName('cloudlet/go-coffee-postgres:latest'), 'postgres');
  t.is(ourImageName('cloudlet/go-coffee-nginx:latest'), undefined);
  t.is(ourImageName('cloudlet/shop:dev'), undefined);
});
