// Faults as users meet them, on the real process tree: `npm run bench` in a process group of its own
// (a terminal's foreground job), Ctrl-C to the whole group during warm-up, load and report writing,
// SIGTERM and SIGHUP, a wrapper's re-sent signal, a real second Ctrl-C, SIGKILL then resume, a
// resume racing a live run, a target killed mid-load, a full disk.
import { execFileSync } from 'node:child_process';
import { chmod, open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import type { Manifest, PointResult } from '../../../rundir/types.ts';
import {
  benchConfig,
  eventTypes,
  portFree,
  processTree,
  readJsonFile,
  runDirIn,
  shopPort,
  startBench,
  survivors,
  untilEvent,
  untilExists,
} from '../../helpers/bench-process.ts';
import { isOneLineError } from '../../helpers/cli.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const args = (config: string, results: string, extra: string[] = []) => ['--config', config, '--results', results, '--load-generator', 'engine', ...extra];

const errorLinesOf = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('error:'));

/** Every file below `dir`, as paths relative to it. */
async function tree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String);
}

/** What every run directory left after a signal must show: no lock, no reserve, no temporary file, a final point folder. */
async function cleanRunDir(t: import('ava').ExecutionContext, run: string): Promise<void> {
  const files = await tree(run);
  t.false(files.includes('writer.lock'), 'the lock is released');
  t.false(files.includes('.space-reserve'), 'the reserve is gone');
  t.deepEqual(
    files.filter((f) => f.includes('.tmp-') || f.endsWith('.partial')),
    [],
    'no temporary file, no .partial point',
  );
}

async function onlyPoint(run: string): Promise<{ dir: string; result: PointResult }> {
  const [name] = await readdir(join(run, 'points'));
  const dir = join(run, 'points', name!);
  return { dir, result: await readJsonFile<PointResult>(join(dir, 'result.json')) };
}

/** Signals the group at a phase and checks the outcome every interruption must have. */
async function interruptAt(t: import('ava').ExecutionContext, phase: { event?: string; path?: string }, signal: NodeJS.Signals, via: 'npm' | 'node' = 'npm') {
  const { config, results } = await benchConfig(t);
  const bench = startBench(args(config, results), { via });
  let pointDir = '';
  if (phase.event) {
    pointDir = await untilEvent(results, phase.event);
    await sleep(400);
  } else {
    await untilExists(join(await runDirIn(results), phase.path!));
  }
  const children = await processTree(bench.pgid);
  t.true(children.length >= 2, `the shop, the sampler, the watcher… run: ${children.length}`);
  process.kill(-bench.pgid, signal);
  const exit = await bench.exited;
  t.is(exit.code, 130, `${signal}: ${bench.stderr()}`);
  t.deepEqual(await survivors(children), [], 'no child outlives the bench');
  const run = await runDirIn(results);
  if (pointDir) t.true(await portFree(await shopPort(pointDir.replace(/\.partial$/, ''))), "the shop's port is free");
  await cleanRunDir(t, run);
  return { run, bench, manifest: await readJsonFile<Manifest>(join(run, 'manifest.json')), point: await onlyPoint(run) };
}

test.serial('Ctrl-C to the whole group during the load: the point keeps its summary and samples, exit 130, report written', async (t) => {
  const { run, manifest, point, bench } = await interruptAt(t, { event: 'load-start' }, 'SIGINT');
  t.is(manifest.status, 'interrupted');
  t.is(point.result.status, 'interrupted');
  t.is(point.result.loadExitCode, 105, 'the generator got one SIGINT and stopped gracefully');
  t.true((await stat(join(point.dir, 'k6-summary.json'))).size > 100);
  t.true((await stat(join(point.dir, 'k6-samples.ndjson.gz'))).size > 20);
  const events = await readFile(join(point.dir, 'events.ndjson'), 'utf8');
  t.regex(events, /"type":"interrupted","signal":"SIGINT"}/);
  t.notRegex(events, /"forced"/);
  t.regex(bench.stdout(), /report\.html\n$/);
  await stat(join(run, 'report.html'));
});

test.serial('Ctrl-C during the warm-up: the point is interrupted with the warm-up generator exit code, exit 130, report written', async (t) => {
  const { run, manifest, point } = await interruptAt(t, { event: 'warmup-start' }, 'SIGINT');
  t.is(manifest.status, 'interrupted');
  t.is(point.result.status, 'interrupted');
  t.is(point.result.loadExitCode, 105);
  const types = await eventTypes(point.dir);
  t.false(types.includes('load-start'), types.join(','));
  t.is(types.at(-1), 'interrupted');
  await stat(join(run, 'report.html'));
});

test.serial("Ctrl-C while the point's shop is starting: it starts (it never saw the signal), the point is interrupted, not failed; exit 130", async (t) => {
  const { manifest, point } = await interruptAt(t, { event: 'scale' }, 'SIGINT');
  t.is(manifest.status, 'interrupted');
  t.is(point.result.status, 'interrupted');
  const types = await eventTypes(point.dir);
  t.true(types.includes('converged'), types.join(','));
  t.false(types.includes('error'), types.join(','));
  t.false(types.includes('warmup-start'), types.join(','));
});

test.serial('SIGTERM to the group (systemd, timeout) is a Ctrl-C: exit 130, the point kept', async (t) => {
  const { manifest, point } = await interruptAt(t, { event: 'load-start' }, 'SIGTERM');
  t.is(manifest.status, 'interrupted');
  t.is(point.result.loadExitCode, 105);
});

test.serial('SIGHUP to the group (a closed terminal) is a Ctrl-C too', async (t) => {
  // npm itself dies of SIGHUP (it does not forward it), so the bench runs as the npm script execs it.
  const { manifest, point } = await interruptAt(t, { event: 'load-start' }, 'SIGHUP', 'node');
  t.is(manifest.status, 'interrupted');
  t.is(point.result.loadExitCode, 105);
});

test.serial('Ctrl-C while the report is written: the report is finished, every point stays complete, exit 130', async (t) => {
  const { run, manifest, point } = await interruptAt(t, { path: 'charts' }, 'SIGINT');
  t.is(manifest.status, 'complete');
  t.is(point.result.status, 'complete');
  t.regex(await readFile(join(run, 'report.html'), 'utf8'), /<\/html>\s*$/);
});

test.serial(
  "a wrapper's re-sent signal 35 ms later is the same Ctrl-C; a real second one a second later forces the stop and still records the point",
  async (t) => {
    // A saturated shop (300 ms of CPU a request, one worker) makes the generator's graceful stop last
    // seconds: it waits for requests queued in the shop.
    const slow = { target: { kind: 'local-shop', cpuMs: 300 }, durationS: 6, warmupS: 0 };
    {
      const { config, results } = await benchConfig(t, slow);
      const bench = startBench(args(config, results));
      await untilEvent(results, 'load-start');
      await sleep(2500);
      process.kill(-bench.pgid, 'SIGINT');
      await sleep(35);
      process.kill(bench.pgid, 'SIGINT'); // npm forwards it to the bench, as tsx's re-send would arrive
      t.is((await bench.exited).code, 130, bench.stderr());
      const { dir, result } = await onlyPoint(await runDirIn(results));
      // Not forced: the generator was not killed (137); the engine stopped gracefully (k6's 105).
      t.is(result.loadExitCode, 105);
      t.notRegex(await readFile(join(dir, 'events.ndjson'), 'utf8'), /"forced"/);
      t.notRegex(bench.stderr(), /again: stopping at once/);
    }
    {
      const { config, results } = await benchConfig(t, slow);
      const bench = startBench(args(config, results));
      await untilEvent(results, 'load-start');
      await sleep(2500);
      const children = await processTree(bench.pgid);
      process.kill(-bench.pgid, 'SIGINT');
      await sleep(1000);
      process.kill(-bench.pgid, 'SIGINT');
      t.is((await bench.exited).code, 130, bench.stderr());
      t.regex(bench.stderr(), /SIGINT again: stopping at once/);
      t.regex(bench.stderr(), /stopped at once: no report; build it with: npm run bench -- report /);
      t.deepEqual(await survivors(children), []);
      const run = await runDirIn(results);
      await cleanRunDir(t, run);
      t.is((await readJsonFile<Manifest>(join(run, 'manifest.json'))).status, 'interrupted');
      const { dir, result } = await onlyPoint(run);
      t.is(result.status, 'interrupted');
      t.is(result.loadExitCode, 137, 'the generator was killed');
      t.regex(await readFile(join(dir, 'events.ndjson'), 'utf8'), /"type":"interrupted","signal":"SIGINT","forced":true/);
    }
  },
);

test.serial('SIGKILL of the bench leaves no process and a free port; bench resume takes the stale lock over and finishes the run', async (t) => {
  const { config, results } = await benchConfig(t, { matrix: { replicas: [1, 2], ratesRps: [8], repetitions: 1 } });
  const bench = startBench(args(config, results));
  const pointDir = await untilEvent(results, 'load-start');
  await sleep(300);
  const children = await processTree(bench.pgid);
  const port = await shopPort(pointDir);
  // npm execs node through its shell: the bench is npm's child.
  const node = children.find((pid) =>
    execFileSync('cat', [`/proc/${pid}/cmdline`])
      .toString()
      .includes('bench/cli.ts'),
  )!;
  process.kill(node, 'SIGKILL');
  await bench.exited;
  t.deepEqual(await survivors(children.filter((pid) => pid !== node)), [], 'the watcher ended every child');
  t.true(await portFree(port));
  const run = await runDirIn(results);
  t.true((await tree(run)).includes('writer.lock'), 'the killed run left its lock');
  const resume = startBench(['resume', run, '--load-generator', 'engine']);
  const exit = await resume.exited;
  t.is(exit.code, 0, resume.stderr());
  t.regex(resume.stderr(), new RegExp(`warning: ${run}: taking over the lock of pid ${node} on .*, which is no longer running`));
  const manifest = await readJsonFile<Manifest>(join(run, 'manifest.json'));
  t.is(manifest.status, 'complete');
  const points = (await readdir(join(run, 'points'))).sort();
  t.is(points.length, 2);
  for (const p of points) t.is((await readJsonFile<PointResult>(join(run, 'points', p, 'result.json'))).status, 'complete');
  t.is((await readdir(join(run, 'attempts'))).length, 1, 'the killed point is kept in attempts/');
  await cleanRunDir(t, run);
});

test.serial('a resume racing a live run is refused in one line naming the writer, moves nothing; the live run completes', async (t) => {
  const { config, results } = await benchConfig(t);
  const bench = startBench(args(config, results));
  const pointDir = await untilEvent(results, 'load-start');
  const run = await runDirIn(results);
  const resume = startBench(['resume', run, '--load-generator', 'engine']);
  const exit = await resume.exited;
  t.is(exit.code, 2, resume.stderr());
  t.true(isOneLineError(resume.stderr()), resume.stderr());
  t.regex(resume.stderr(), new RegExp(`^error: ${run} is being written by pid \\d+ on .* since .*: wait for it to end`));
  await stat(pointDir); // still .partial, where the live run writes it
  t.is((await bench.exited).code, 0, bench.stderr());
  t.is((await readJsonFile<Manifest>(join(run, 'manifest.json'))).status, 'complete');
  t.false((await tree(run)).includes('attempts'));
});

test.serial('a target killed mid-load: target-down with its time in the events, the point failed, refused requests not in the latency, exit 3', async (t) => {
  const { config, results } = await benchConfig(t, { durationS: 8, warmupS: 1 });
  const bench = startBench(args(config, results));
  const pointDir = await untilEvent(results, 'load-start');
  await sleep(2000);
  const shop = (await processTree(bench.pgid)).find((pid) =>
    execFileSync('cat', [`/proc/${pid}/cmdline`])
      .toString()
      .includes('shop/cli.ts'),
  )!;
  const killedAt = Date.now();
  process.kill(-shop, 'SIGKILL');
  const exit = await bench.exited;
  t.is(exit.code, 3, bench.stderr());
  t.regex(bench.stderr(), /run completed with 1 failed point\(s\): p01/);
  const run = await runDirIn(results);
  const { dir, result } = await onlyPoint(run);
  t.is(result.status, 'failed');
  t.true(
    result.flags.some((f) => f.code === 'target-down'),
    JSON.stringify(result.flags),
  );
  const down = (await readFile(join(dir, 'events.ndjson'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; sinceMs?: number })
    .find((e) => e.type === 'target-down')!;
  t.true(Math.abs(down.sinceMs! - killedAt) < 1500, `${down.sinceMs! - killedAt} ms`);
  const summary = await readJsonFile<{ points: { failedLatency: { count: number }; latency: { count: number } }[] }>(join(run, 'summary.json'));
  // Refused requests are counted apart from the latency; the engine records every one of them and
  // ends in order (the built-in generator it replaced could crash here, exit 1).
  t.true(summary.points[0]!.failedLatency.count > 0, JSON.stringify(summary.points[0]));
  t.true(result.loadExitCode === 0 || result.loadExitCode === 99, `the engine ended in order: exit ${result.loadExitCode}`);
  t.true(await portFree(await shopPort(pointDir.replace(/\.partial$/, ''))));
  await cleanRunDir(t, run);
});

/** A tmpfs of `size` mounted at a fresh folder, unmounted when the test ends. */
async function tmpfs(t: import('ava').ExecutionContext, size: string, options = ''): Promise<string> {
  const { dir } = await benchConfig(t);
  const mount = join(dir, 'disk');
  execFileSync('mkdir', ['-p', mount]);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${options ? `,${options}` : ''}`, 'tmpfs', mount]);
  t.teardown(() => {
    execFileSync('umount', ['-l', mount]);
  });
  return mount;
}

/** Fills a file system to the last byte. */
async function fill(dir: string): Promise<void> {
  const file = await open(join(dir, 'filler'), 'w');
  for (const size of [1 << 20, 4096, 1]) {
    const chunk = Buffer.alloc(size);
    try {
      for (;;) await file.write(chunk);
    } catch {
      // Full at this chunk size: go on with smaller ones.
    }
  }
  await file.close();
}

test.serial(
  'a disk that fills up during the load: one error line naming the path and the fix, exit 2, run marked failed, no temporary file, no child left',
  async (t) => {
    const disk = await tmpfs(t, '24m');
    const { config } = await benchConfig(t, { durationS: 6 });
    const results = join(disk, 'results');
    const bench = startBench(args(config, results));
    const pointDir = await untilEvent(results, 'load-start');
    const children = await processTree(bench.pgid);
    await sleep(500);
    await fill(disk);
    const exit = await bench.exited;
    t.is(exit.code, 2, bench.stderr());
    const errors = errorLinesOf(bench.stderr());
    t.is(errors.length, 1, bench.stderr());
    t.regex(errors[0]!, new RegExp(`^error: cannot write ${disk}/\\S+: no space left on the device: free space there, or write somewhere else \\(ENOSPC\\)$`));
    t.notRegex(bench.stderr(), /\n\s+at /, 'no stack trace');
    t.deepEqual(await survivors(children), []);
    t.true(await portFree(await shopPort(pointDir.replace(/\.partial$/, ''))));
    const run = await runDirIn(results);
    const manifest = await readJsonFile<Manifest>(join(run, 'manifest.json'));
    t.is(manifest.status, 'failed');
    t.regex(manifest.error ?? '', /no space left/);
    t.deepEqual(
      (await tree(run)).filter((f) => f.includes('.tmp-')),
      [],
    );
    t.false((await tree(run)).includes('writer.lock'));
  },
);

test.serial('a disk too small for a run: one error line, exit 2, nothing left running', async (t) => {
  const disk = await tmpfs(t, '8k');
  const { config } = await benchConfig(t);
  const bench = startBench(args(config, join(disk, 'results')));
  const exit = await bench.exited;
  t.is(exit.code, 2, bench.stderr());
  const errors = errorLinesOf(bench.stderr());
  t.is(errors.length, 1, bench.stderr());
  t.regex(errors[0]!, /no space left on the device: .*\(ENOSPC\)$/);
  t.notRegex(bench.stderr(), /\n\s+at /, 'no stack trace');
  t.deepEqual(await survivors(await processTree(bench.pgid)), []);
});

test.serial('--results that cannot take output: read-only, a file, no permission (as nobody), made immutable mid-run', async (t) => {
  const { dir, config, results } = await benchConfig(t);
  const readOnly = await tmpfs(t, '1m', 'ro');
  const file = join(dir, 'a-file');
  execFileSync('touch', [file]);
  for (const [where, code] of [
    [join(readOnly, 'results'), 'EROFS'],
    [file, 'EEXIST'],
    [join(file, 'results'), 'ENOTDIR'],
  ] as const) {
    const bench = startBench(args(config, where), { via: 'node' });
    t.is((await bench.exited).code, 2, bench.stderr());
    t.true(isOneLineError(bench.stderr()), bench.stderr());
    t.regex(bench.stderr(), new RegExp(`^error: cannot write ${where} \\(--results\\): .*\\(${code}\\)`));
  }
  // Root ignores file permissions: the user without them is nobody.
  await chmod(dir, 0o755);
  const closed = join(dir, 'closed');
  execFileSync('mkdir', ['-m', '755', closed]);
  const nobody = startBench(args(config, join(closed, 'results')), { via: 'node', uid: 65534, gid: 65534, env: { HOME: dir } });
  t.is((await nobody.exited).code, 2, nobody.stderr());
  t.true(isOneLineError(nobody.stderr()), nobody.stderr());
  t.regex(
    nobody.stderr(),
    /^error: cannot write .*closed\/results \(--results\): permission denied: give yourself write access to it, or write somewhere else \(EACCES\)/,
  );
  // Immutable mid-run (chattr +i): the run's own writes fail with EPERM, named, exit 2.
  const bench = startBench(args(config, results));
  await untilEvent(results, 'load-start');
  const run = await runDirIn(results);
  execFileSync('chattr', ['+i', run]);
  t.teardown(() => execFileSync('chattr', ['-i', run]));
  const exit = await bench.exited;
  execFileSync('chattr', ['-i', run]);
  t.is(exit.code, 2, bench.stderr());
  const errors = errorLinesOf(bench.stderr());
  t.is(errors.length, 1, bench.stderr());
  t.regex(errors[0]!, new RegExp(`^error: cannot write ${run}/\\S+: operation not permitted .*\\(EPERM\\)$`));
});

test.serial('compare --out at a file: one error line, exit 2', async (t) => {
  const { dir, config, results } = await benchConfig(t);
  const bench = startBench(args(config, results), { via: 'node' });
  t.is((await bench.exited).code, 0, bench.stderr());
  const run = await runDirIn(results);
  const file = join(dir, 'a-file');
  execFileSync('touch', [file]);
  const compare = startBench(['compare', run, run, '--out', file], { via: 'node' });
  t.is((await compare.exited).code, 2, compare.stderr());
  t.true(isOneLineError(compare.stderr()), compare.stderr());
  t.regex(compare.stderr(), /^error: cannot write .*a-file \(--out\): a file is in the way of a folder: .*\(EEXIST\)/);
});
