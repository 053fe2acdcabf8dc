import test from 'ava';
import { isOneLineError, REPO_ROOT, runEntry } from '../../../helpers/cli.ts';
import { tempDir } from '../../../helpers/temp-dir.ts';
import { upstreamSource } from './helpers.ts';

// The real shop's commands as a user runs them: help, plans, errors (one line, exit 2), the cache.
const SHOP = `${REPO_ROOT}shop/cli.ts`;

test('build-real: a missing source or Go is one error line with the fix and exit 2', async (t) => {
  const missing = await runEntry(SHOP, ['build-real', '--src', '/nonexistent/go-coffeeshop']);
  t.is(missing.code, 2);
  t.true(isOneLineError(missing.stderr), missing.stderr);
  t.regex(missing.stderr, /pass --src DIR or set GO_COFFEE_SRC=DIR/);
  const noGo = await runEntry(SHOP, ['build-real', '--src', upstreamSource()], { env: { GO: '/nonexistent/go' } });
  t.is(noGo.code, 2);
  t.true(isOneLineError(noGo.stderr), noGo.stderr);
  t.regex(noGo.stderr, /Go toolchain not found .*golang-go/);
  const badArch = await runEntry(SHOP, ['build-real', '--arch', 'arm64']);
  t.is(badArch.code, 2);
  t.regex(badArch.stderr, /Allowed choices are amd64, arm\/v7/);
});

test('build-real --dry-run prints the plan: static, trimmed, GOARM=7 for arm/v7, migrate tag for five services', async (t) => {
  const cache = await tempDir(t);
  const result = await runEntry(SHOP, ['build-real', '--arch', 'arm/v7', '--dry-run', '--src', upstreamSource()], { env: { XDG_CACHE_HOME: cache } });
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /env +CGO_ENABLED=0 GOOS=linux GOARCH=arm GOARM=7/);
  t.regex(result.stdout, new RegExp(`output +${cache}/cloudlet-bench/go-coffee/[0-9a-f]{16}/arm-v7 \\(to build\\)`));
  t.is(result.stdout.match(/-tags migrate -trimpath '-ldflags=-s -w'/g)?.length, 5);
  t.regex(result.stdout, /build +\S+ build -trimpath '-ldflags=-s -w' -o \S+\/bin\/web \.\/cmd\/web/);
});

test('build-real: a second build of the same source is taken from the cache at once', async (t) => {
  t.timeout(300_000);
  await runEntry(SHOP, ['build-real', '--src', upstreamSource()], { timeoutMs: 300_000 });
  const again = await runEntry(SHOP, ['build-real', '--src', upstreamSource()]);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stderr, /binaries: cached in/);
  t.regex(again.stdout.trim(), /\/cloudlet-bench\/go-coffee\/[0-9a-f]{16}\/amd64$/);
});

test('--help of every real-shop command', async (t) => {
  for (const command of ['build-real', 'images-real', 'serve-real']) {
    const result = await runEntry(SHOP, [command, '--help']);
    t.is(result.code, 0);
    t.regex(result.stdout, new RegExp(`Usage: shop ${command}`));
  }
  const badImage = await runEntry(SHOP, ['images-real', '--only', 'proxy,nginx']);
  t.is(badImage.code, 2);
  t.regex(badImage.stderr, /unknown image nginx: choose from proxy, product/);
  const badScale = await runEntry(SHOP, ['serve-real', '--kitchen', '0']);
  t.is(badScale.code, 2);
});
