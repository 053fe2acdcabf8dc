// One writer per run directory: the lock names its holder; a stale one (its process gone) is taken
// over with a warning; `bench resume` on a live run is refused with one line and moves nothing; and
// `bench report` on a live run writes elsewhere.
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { reportCommand } from '../../../bench/commands/report.ts';
import { resumeCommand } from '../../../bench/commands/resume.ts';
import { lockPath, manifestPath, pointPath } from '../../../rundir/layout.ts';
import { acquireRunLock, readLock, RunLockedError } from '../../../rundir/lock.ts';
import { runCommand } from '../../helpers/run-cli.ts';
import { buildRunDir } from '../../helpers/synthetic-run.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

/** The pid of a process that has ended (and was reaped): a stale holder. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

test('a second writer is refused with the holder named; release lets the next one in', async (t) => {
  const dir = await tempDir(t);
  const warnings: string[] = [];
  const lock = await acquireRunLock(dir, (m) => warnings.push(m), 'bench run --config x.yml');
  const error = await t.throwsAsync(
    acquireRunLock(dir, (m) => warnings.push(m)),
    { instanceOf: RunLockedError },
  );
  t.regex(error.message, new RegExp(`is being written by pid ${process.pid} on ${hostname()} since .* \\(bench run --config x\\.yml\\): wait for it to end`));
  t.deepEqual(warnings, []);
  await lock.release();
  t.is(await readLock(dir), null);
  await (await acquireRunLock(dir, () => undefined)).release();
});

test('a lock whose process is gone is stale: taken over with a warning; one of another host is not', async (t) => {
  const dir = await tempDir(t);
  const pid = deadPid();
  await writeFile(lockPath(dir), JSON.stringify({ pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
  const warnings: string[] = [];
  const lock = await acquireRunLock(dir, (m) => warnings.push(m));
  t.is((await readLock(dir))?.pid, process.pid);
  t.regex(warnings.join('\n'), new RegExp(`taking over the lock of pid ${pid} on ${hostname()} .*which is no longer running`));
  await lock.release();
  // A pid that lives but started later than the lock says is a reused pid: stale too.
  await writeFile(lockPath(dir), JSON.stringify({ pid: process.pid, host: hostname(), startedAt: 'x', procStart: 1 }));
  await (await acquireRunLock(dir, () => undefined)).release();
  // A torn lock file names nobody: taken over.
  await writeFile(lockPath(dir), '{"pid": 12');
  await (await acquireRunLock(dir, () => undefined)).release();
  await writeFile(lockPath(dir), JSON.stringify({ pid, host: 'another-host', startedAt: '2026-01-01T00:00:00.000Z' }));
  await t.throwsAsync(
    acquireRunLock(dir, () => undefined),
    { instanceOf: RunLockedError, message: /pid \d+ on another-host/ },
  );
});

test.serial('bench resume on a run another process writes: one error line naming it, exit 2, nothing moved', async (t) => {
  const root = await tempDir(t);
  const dir = await buildRunDir(root, { runId: 'live', points: [{ pointId: 'p01', replicas: { shop: 1 }, rateRps: 5, durationS: 2 }] });
  // A point still running, as a live run has one.
  await mkdir(pointPath(dir, 'p02', true));
  await writeFile(join(pointPath(dir, 'p02', true), 'events.ndjson'), '');
  const manifest = JSON.parse(await readFile(manifestPath(dir), 'utf8'));
  await writeFile(manifestPath(dir), JSON.stringify({ ...manifest, status: 'running', config: { matrix: { replicas: [1], ratesRps: [5] } } }));
  const holder = await acquireRunLock(dir, () => undefined, 'bench run');
  t.teardown(() => holder.release());
  const before = await readdir(join(dir, 'points'));
  const result = await runCommand([resumeCommand()], ['resume', dir]);
  t.is(result.exitCode, 2, result.stderr);
  t.regex(result.stderr, new RegExp(`^error: ${dir} is being written by pid ${process.pid} on ${hostname()} since .* \\(bench run\\)`));
  t.is(result.stderr.trim().split('\n').length, 1, result.stderr);
  t.deepEqual(await readdir(join(dir, 'points')), before, 'nothing moved');
  t.is(JSON.parse(await readFile(manifestPath(dir), 'utf8')).status, 'running');
});

test.serial('bench resume of a run whose manifest is null or torn: one error line naming the file, exit 2', async (t) => {
  const root = await tempDir(t);
  for (const text of ['null', '{"runId": "x", "pl', '{"runId": "x", "plannedPoints": [], "status": "running"}']) {
    const dir = await buildRunDir(root, { runId: `m${text.length}`, points: [{ pointId: 'p01', replicas: { shop: 1 }, rateRps: 5, durationS: 2 }] });
    await writeFile(manifestPath(dir), text);
    const result = await runCommand([resumeCommand()], ['resume', dir]);
    t.is(result.exitCode, 2, result.stderr);
    t.regex(result.stderr, new RegExp(`^error: ${manifestPath(dir)}: (expected a run manifest .* found null|not JSON|config: missing)`));
    t.is(result.stderr.trim().split('\n').length, 1, result.stderr);
  }
});

test.serial('bench report on a live run reads it and writes its report elsewhere, never into the locked folder', async (t) => {
  const root = await tempDir(t);
  const dir = await buildRunDir(root, { runId: 'live', points: [{ pointId: 'p01', replicas: { shop: 1 }, rateRps: 5, durationS: 2 }] });
  const holder = await acquireRunLock(dir, () => undefined, 'bench run');
  t.teardown(() => holder.release());
  const result = await runCommand([reportCommand()], ['report', dir]);
  t.is(result.exitCode, 0, result.stderr);
  t.regex(result.stderr, /is still being written \(pid \d+ .*\): reading its finished points, and writing this report to .* instead/);
  const html = result.stdout.trim().split('\n')[0]!;
  t.false(html.startsWith(dir), html);
  t.false((await readdir(dir)).includes('report.html'));
  const inside = await runCommand([reportCommand()], ['report', dir, '--out', join(dir, 'mine')]);
  t.is(inside.exitCode, 2);
  t.regex(inside.stderr, /^error: --out .*mine is inside .*, which pid \d+ .* is still writing/);
});
