import test from 'ava';
import { Command } from 'commander';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../../../bench/cli/main.ts';
import { reportCommand } from '../../../bench/cli/report.ts';
import { buildRunDir } from '../../helpers/synthetic-run.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

async function bench(args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
  const before = process.exitCode;
  process.exitCode = 0;
  try {
    await runCli(new Command('bench').addCommand(reportCommand()), ['node', 'bench', ...args]);
    return { exitCode: Number(process.exitCode ?? 0), stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    process.exitCode = before;
  }
}

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
  const badFlag = await bench(['report', root, '--thermal-threshold', 'hot']);
  t.is(badFlag.exitCode, 2);
});
