import test from 'ava';
import { join } from 'node:path';
import { compareCommand } from '../../../../bench/commands/compare.ts';
import { runCommand } from '../../../helpers/run-cli.ts';
import { buildRunDir, type SyntheticPoint } from '../../../helpers/synthetic-run.ts';
import { tempDir } from '../../../helpers/temp-dir.ts';

const bench = (args: string[]) => runCommand([compareCommand()], args);
const points = (latencyMs: number): SyntheticPoint[] => [{ pointId: 'p0', replicas: { barista: 1 }, rateRps: 30, latencyMs }];

test.serial('bench compare prints the verdict and paths; --fail-on-regression exits 1 on a regression', async (t) => {
  const root = await tempDir(t);
  const a = await buildRunDir(root, { runId: 'a', seed: 1, points: points(20) });
  const b = await buildRunDir(root, { runId: 'b', seed: 2, points: points(30) });
  const plain = await bench(['compare', a, b, '--out', join(root, 'out')]);
  t.is(plain.exitCode, 0, plain.stderr);
  t.regex(plain.stdout, /^verdict: regressed/);
  const failing = await bench(['compare', a, b, '--out', join(root, 'out2'), '--fail-on-regression', '--json']);
  t.is(failing.exitCode, 1);
  t.is(JSON.parse(failing.stdout).verdict, 'regressed');
  const defaultOut = await bench(['compare', a, b, '--json']);
  t.is(JSON.parse(defaultOut.stdout).htmlPath, join(b, 'compare-a', 'report.html'));
});

test.serial('bad flags and missing runs exit 2 with one line', async (t) => {
  const root = await tempDir(t);
  const a = await buildRunDir(root, { runId: 'a', points: points(20) });
  for (const args of [
    ['compare', a],
    ['compare', a, '/nonexistent'],
    ['compare', a, a, '--threshold', '-3'],
    ['compare', a, a, '--alpha', '2'],
    ['compare', a, a, '--min-repetitions', '1.5'],
  ]) {
    const result = await bench(args);
    t.is(result.exitCode, 2, args.join(' '));
  }
});
