// The CLI runner: unknown commands and repeated options are named, every line of a multi-error
// message starts with "error:", and every command answers --version.
import { readFile } from 'node:fs/promises';
import test from 'ava';
import { compareCommand } from '../../../bench/commands/compare.ts';
import { planCommand } from '../../../bench/commands/plan.ts';
import { reportCommand } from '../../../bench/commands/report.ts';
import { runCommand as benchRunCommand } from '../../../bench/commands/run.ts';
import { errorLines, exitCodeFor } from '../../../kernel/cli.ts';
import { EXIT } from '../../../kernel/errors.ts';
import { TOOL_VERSION } from '../../../kernel/version.ts';
import { runCommand } from '../../helpers/run-cli.ts';

const bench = (args: string[]) => runCommand([benchRunCommand(), planCommand(), reportCommand(), compareCommand()], args, { defaultCommand: 'run' });

test.serial('a word that is no command is named as one, not taken as an argument of the default command', async (t) => {
  const result = await bench(['frobnicate']);
  t.is(result.exitCode, 2);
  t.is(result.stderr, "error: unknown command 'frobnicate'; the commands are run, plan, report, compare (add --help for usage)\n");
});

test.serial('an option given twice is named; -e may repeat', async (t) => {
  for (const args of [
    ['run', '--config', 'a.yml', '--config', 'b.yml'],
    ['plan', '--json', '--json'],
    ['compare', 'a', 'b', '--threshold', '5', '--threshold', '6'],
  ]) {
    const result = await bench(args);
    t.is(result.exitCode, 2, args.join(' '));
    t.regex(result.stderr, /^error: option '--(config <file>|json|threshold <pct>)' given more than once: give it once\n/, args.join(' '));
  }
  const repeated = await bench(['plan', '-e', 'PROBE=off', '-e', 'PROBE_POLL=1', '--json']);
  t.is(repeated.exitCode, 0, repeated.stderr);
});

test.serial('--version (and -V) on the program and every command', async (t) => {
  for (const args of [['--version'], ['run', '--version'], ['plan', '-V'], ['report', '--version'], ['compare', '--version']]) {
    const result = await bench(args);
    t.is(result.exitCode, 0, args.join(' '));
    t.is(result.stdout, `${TOOL_VERSION}\n`, args.join(' '));
  }
});

test.serial('every line of a multi-problem error starts with error:', async (t) => {
  t.is(errorLines('a: one\nb: two\n'), 'error: a: one\nerror: b: two\n');
  const result = await bench(['plan', '-e', 'PROBE_TIMEOUT=soon', '-e', 'PROBE_POLL=never', '-e', 'MAX_VUS=0']);
  t.is(result.exitCode, 2);
  const lines = result.stderr.trim().split('\n');
  t.is(lines.length, 3, result.stderr);
  for (const line of lines) t.regex(line, /^error: scenario environment: (PROBE_TIMEOUT|PROBE_POLL|MAX_VUS): /);
});

test.serial('a bug is exit 70 with its stack and a request to report it; the exit codes are the README table', async (t) => {
  const writes: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string) => writes.push(chunk) > 0) as typeof process.stderr.write;
  try {
    t.is(exitCodeFor(new TypeError('x is undefined')), 70);
  } finally {
    process.stderr.write = write;
  }
  t.regex(writes.join(''), /^internal error \(please report it\): TypeError: x is undefined\n\s+at /);
  // README "Exit codes": every code the commands use, and only those.
  const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Exit codes'), readme.indexOf('\n## ', readme.indexOf('### Exit codes')));
  const codes = [...section.matchAll(/^\| (\d+) +\|/gm)].map((m) => Number(m[1]));
  t.deepEqual(
    codes.sort((a, b) => a - b),
    [...Object.values(EXIT), 70].sort((a, b) => a - b),
  );
});
