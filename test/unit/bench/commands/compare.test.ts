import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import test from 'ava';
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

test.serial('nothing comparable: no configuration in common, or a candidate without samples; --fail-on-regression fails', async (t) => {
  const root = await tempDir(t);
  const a = await buildRunDir(root, { runId: 'a', seed: 1, points: points(20) });
  const other = await buildRunDir(root, { runId: 'other', seed: 2, points: [{ pointId: 'p0', replicas: { barista: 3 }, rateRps: 30, latencyMs: 20 }] });
  const empty = await buildRunDir(root, { runId: 'empty', seed: 3, points: points(20) });
  // A generator that wrote nothing: the point is there, its samples are not.
  await writeFile(join(empty, 'points', 'p0', 'k6-samples.ndjson.gz'), gzipSync(''));
  for (const [candidate, why] of [
    [other, /barista×1 @ 30\/s \(only in a\); barista×3 @ 30\/s \(only in other\)/],
    [empty, /barista×1 @ 30\/s \(no samples in empty\)/],
  ] as const) {
    const plain = await bench(['compare', a, candidate, '--out', join(root, `out-${candidate.length}`)]);
    t.is(plain.exitCode, 0, plain.stderr);
    t.regex(plain.stdout, /^verdict: not-comparable/);
    t.regex(plain.stderr, new RegExp(`warning: nothing comparable between a and \\w+: ${why.source}`));
    const gate = await bench(['compare', a, candidate, '--out', join(root, `gate-${candidate.length}`), '--fail-on-regression']);
    t.is(gate.exitCode, 1, 'nothing comparable fails a gate');
    const md = await readFile(join(root, `gate-${candidate.length}`, 'summary.md'), 'utf8');
    t.regex(md, /⚠️ nothing comparable/);
  }
});

test.serial('runs whose configs or load generators differ are compared, with a warning naming the difference', async (t) => {
  const root = await tempDir(t);
  const a = await buildRunDir(root, { runId: 'a', seed: 1, points: points(20) });
  const b = await buildRunDir(root, { runId: 'b', seed: 2, points: points(20) });
  const manifest = JSON.parse(await readFile(join(b, 'manifest.json'), 'utf8'));
  manifest.config = { ...manifest.config, name: 'renamed', target: { kind: 'local-shop', cpuMs: 50 } };
  manifest.loadGenerator = { name: 'k6', version: '2.0.1', path: '/usr/bin/k6' };
  await writeFile(join(b, 'manifest.json'), JSON.stringify(manifest));
  const result = await bench(['compare', a, b, '--out', join(root, 'out')]);
  t.is(result.exitCode, 0, result.stderr);
  t.regex(result.stderr, /warning: the runs differ: load generator: builtin 0\.1\.0 in a, k6 2\.0\.1 in b/);
  t.regex(result.stderr, /warning: the runs differ: config of a → b: target\.kind \(unset\) → "local-shop", target\.cpuMs \(unset\) → 50/);
  t.notRegex(result.stderr, /name/, 'the name is no difference that matters');
  t.regex(await readFile(join(root, 'out', 'report.html'), 'utf8'), /The runs differ: load generator/);
});
