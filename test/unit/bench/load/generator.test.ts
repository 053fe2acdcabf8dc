import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { findK6, parseK6Version, resolveGenerator } from '../../../../bench/load/generator.ts';

// A stand-in that only answers `version`: it tests discovery, never a run.
async function fakeK6(version: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'k6-'));
  const path = join(dir, 'k6');
  await writeFile(path, `#!/bin/sh\necho "k6 v${version} (go1.26.8, linux/amd64)"\n`);
  await chmod(path, 0o755);
  return path;
}

test('parses k6 version lines', (t) => {
  t.is(parseK6Version('k6 v2.0.1 (go1.26, linux/amd64)'), '2.0.1');
  t.is(parseK6Version('k6 v1.8.1 (commit/abc, go1.25)'), '1.8.1');
  t.is(parseK6Version('nothing'), null);
});

test('K6_BIN wins, must run, and must be the pinned major version', async (t) => {
  const k6v2 = await fakeK6('2.1.0');
  t.deepEqual(await findK6({ K6_BIN: k6v2, PATH: '' }), { path: k6v2, version: '2.1.0' });
  await t.throwsAsync(findK6({ K6_BIN: await fakeK6('1.8.1'), PATH: '' }), { message: /need k6 2\.x/ });
  await t.throwsAsync(findK6({ K6_BIN: '/nonexistent/k6', PATH: '' }), { message: /does not run as k6/ });
});

test('a k6 on PATH counts only at the pinned major; otherwise auto runs the engine; engine is the engine even with a k6 at hand', async (t) => {
  const old = await fakeK6('1.8.1');
  const dir = old.slice(0, -3);
  const home = await mkdtemp(join(tmpdir(), 'home-'));
  t.is(await findK6({ PATH: dir, HOME: home }), null);
  t.is((await resolveGenerator('auto', { PATH: dir, HOME: home })).info.name, 'engine');
  await t.throwsAsync(resolveGenerator('k6', { PATH: dir, HOME: home }), {
    message: /--load-generator k6 needs your own k6 2\.x, and none was found: set K6_BIN/,
  });
  const current = await fakeK6('2.0.0');
  t.is((await resolveGenerator('auto', { PATH: current.slice(0, -3), HOME: home })).info.name, 'k6');
  t.is((await resolveGenerator('engine', { PATH: current.slice(0, -3), HOME: home })).info.name, 'engine');
});
