// The harness's side of stopping a generator: one SIGINT, to the generator alone. Its own helpers
// (the engine's esbuild service) are in its process group; a group signal killed them mid-start and
// the engine failed with "The service was stopped" (exit 107, no summary) instead of stopping.
// Seen failing with the forward sent to the group again (supervised.signal): the helper logs SIGINT.
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { k6Generator } from '../../../bench/load/generator.ts';
import { waitFor } from '../../helpers/poll.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

/** A stand-in generator: starts a helper in its own group, and on SIGINT stops it itself, then exits 105. */
const FAKE = `#!${process.execPath}
const { spawn } = require('node:child_process');
const { appendFileSync } = require('node:fs');
const log = (line) => appendFileSync(process.env.FAKE_LOG, line + '\\n');
const helper = spawn(process.execPath, ['-e', \`
  const { appendFileSync } = require('node:fs');
  process.on('SIGINT', () => appendFileSync(process.env.FAKE_LOG, 'helper SIGINT\\\\n'));
  appendFileSync(process.env.FAKE_LOG, 'helper up\\\\n');
  setInterval(() => {}, 1000);
\`], { stdio: 'ignore' });
process.on('SIGINT', () => {
  setTimeout(() => {
    log('leader SIGINT');
    helper.kill('SIGTERM');
    process.exit(105);
  }, 300);
});
setInterval(() => {}, 1000);
`;

test('a stop reaches the generator alone; its helpers are its own to stop', async (t) => {
  const dir = await tempDir(t);
  const fake = join(dir, 'fake-k6');
  const logPath = join(dir, 'fake.log');
  await writeFile(fake, FAKE.replaceAll('process.env.FAKE_LOG', JSON.stringify(logPath)));
  await chmod(fake, 0o755);
  const stop = new AbortController();
  const running = k6Generator(fake, 'fake').run({
    script: 'none.js',
    env: {},
    tags: {},
    summaryPath: null,
    samplesPath: null,
    logPath: join(dir, 'load.log'),
    signal: stop.signal,
  });
  await waitFor('the helper to start', async () => (await readFile(logPath, 'utf8').catch(() => '')).includes('helper up'), 10_000, 20);
  stop.abort();
  const result = await running;
  t.is(result.exitCode, 105);
  t.true(result.interrupted);
  t.deepEqual((await readFile(logPath, 'utf8')).trim().split('\n'), ['helper up', 'leader SIGINT']);
});
