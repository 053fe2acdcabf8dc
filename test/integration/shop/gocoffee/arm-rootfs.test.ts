import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { silentLogger } from '../../../../kernel/log.ts';
import { POSTGRES_CHECK, RABBITMQ_CHECK, runInArmRootfs } from '../../../../shop/gocoffee/emulate.ts';
import { buildImages, rootfsDir, type ImageRecord } from '../../../../shop/gocoffee/images.ts';
import { REPO_ROOT, runEntry } from '../../../helpers/cli.ts';
import { upstreamSource } from './helpers.ts';

// Integration: the armhf postgres and rabbitmq images (Debian packages, mmdebstrap
// --variant=extract: nothing emulated at build time) carry linux/arm/v7 in their config, and their
// entrypoints start the servers under qemu-arm-static in a user namespace with its own
// binfmt_misc, so the host's binfmt settings stay as they are.

let records: ImageRecord[];
test.before(async () => {
  records = await buildImages({ arch: 'arm/v7', only: ['postgres', 'rabbitmq'] }, silentLogger);
});

function tarEntry(archive: string, name: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('tar', ['-xOf', archive, name], { maxBuffer: 1 << 20 }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
  );
}

test('the armhf images carry linux/arm/v7 in their config', async (t) => {
  for (const record of records) {
    const [manifest] = JSON.parse(await tarEntry(record.path, 'manifest.json')) as Array<{ Config: string; RepoTags: string[] }>;
    const config = JSON.parse(await tarEntry(record.path, manifest!.Config)) as { os: string; architecture: string; variant: string };
    t.deepEqual([config.os, config.architecture, config.variant], ['linux', 'arm', 'v7'], record.name);
    t.true(manifest!.RepoTags.includes(record.reference));
  }
});

for (const [name, script, expect] of [
  ['postgres', POSTGRES_CHECK, /on arm-unknown-linux-gnueabihf.*32-bit/],
  ['rabbitmq', RABBITMQ_CHECK, /armv7l/],
] as const) {
  test.serial(`the armhf ${name} image's entrypoint starts its server under qemu-arm-static`, async (t) => {
    t.timeout(400_000);
    const record = records.find((r) => r.name === name)!;
    const result = await runInArmRootfs(rootfsDir(name, 'arm/v7', record.key), script);
    t.is(result.code, 0, result.output.slice(-2000));
    t.regex(result.output, expect);
    t.false(existsSync('/proc/sys/fs/binfmt_misc/cloudlet-qemu-arm'), 'the host binfmt has no entry of ours');
  });
}

test('images-real --arch arm/v7 --dry-run plans all eight images with their platform', async (t) => {
  const result = await runEntry(`${REPO_ROOT}shop/cli.ts`, ['images-real', '--arch', 'arm/v7', '--dry-run', '--json', '--src', upstreamSource()]);
  t.is(result.code, 0, result.stderr);
  const plan = JSON.parse(result.stdout) as Array<{ name: string; platform: string; reference: string }>;
  t.deepEqual(
    plan.map((e) => e.name),
    ['proxy', 'product', 'counter', 'barista', 'kitchen', 'web', 'postgres', 'rabbitmq'],
  );
  t.true(plan.every((e) => e.platform === 'linux/arm/v7' && /^cloudlet\/go-coffee-[a-z]+:[0-9a-f]{16}-arm-v7$/.test(e.reference)));
});
