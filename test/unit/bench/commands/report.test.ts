import test from 'ava';
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { reportCommand } from '../../../../bench/commands/report.ts';
import { runCommand } from '../../../helpers/run-cli.ts';
import { buildRunDir } from '../../../helpers/synthetic-run.ts';
import { tempDir } from '../../../helpers/temp-dir.ts';

const bench = (args: string[]) => runCommand([reportCommand()], args);

test.serial('bench report writes the report into --out and prints the paths', async (t) => {
  const root = await tempDir(t);
  const dir = await buildRunDir(root, { runId: 'r', points: [{ pointId: 'p0', replicas: { barista: 1 }, rateRps: 10, durationS: 2 }] });
  const result = await bench(['report', dir, '--out', join(root, 'out')]);
  t.is(result.exitCode, 0, result.stderr);
  t.is(result.stdout.trim().split('\n')[0], join(root, 'out', 'report.html'));
  await access(join(root, 'out', 'charts', 'points.png'));
});

test.serial('bad input is one line and exit 2', async (t) => {
  const missing = await bench(['report', '/nonexistent/run']);
  t.is(missing.exitCode, 2);
  t.regex(missing.stderr, /^error: run \/nonexistent\/run is not a directory/);
  t.is(missing.stderr.trim().split('\n').length, 1);
  const root = await tempDir(t);
  t.is((await bench(['report', root, '--thermal-threshold', 'hot'])).exitCode, 2);
  t.is((await bench(['report', root])).exitCode, 2, 'a directory without manifest.json');
});

test.serial('Ctrl-C during bench report stops between two files: exit 130, every file whole, no temporary file', async (t) => {
  const root = await tempDir(t);
  const dir = await buildRunDir(root, {
    runId: 'r',
    points: Array.from({ length: 6 }, (_, i) => ({ pointId: `p${i}`, replicas: { barista: 1 + (i % 3) }, rateRps: 10 + i, durationS: 2 })),
  });
  const out = join(root, 'out');
  const watcher = setInterval(() => {
    void access(join(out, 'charts', 'points.png')).then(
      () => {
        clearInterval(watcher);
        process.emit('SIGINT', 'SIGINT');
      },
      () => undefined,
    );
  }, 5);
  t.teardown(() => clearInterval(watcher));
  const result = await bench(['report', dir, '--out', out]);
  t.is(result.exitCode, 130, result.stderr);
  t.regex(result.stderr, /^report: interrupted; the files written so far are whole/m);
  const files = await readdir(out, { recursive: true });
  t.deepEqual(
    files.filter((f) => String(f).includes('.tmp-')),
    [],
  );
  t.false(files.includes('report.html'), 'stopped before the documents');
});
