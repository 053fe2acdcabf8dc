import test from 'ava';
import { access } from 'node:fs/promises';
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
