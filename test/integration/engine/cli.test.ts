// `npm run engine`: help on every command, bad input as error lines with the right exit codes.
import { join } from 'node:path';
import test from 'ava';
import { isOneLineError, REPO_ROOT, runEntry } from '../../helpers/cli.ts';

const ENGINE = join(REPO_ROOT, 'engine/cli.ts');

for (const args of [[], ['run'], ['inspect'], ['verify']]) {
  test(`engine ${args.join(' ')} --help`, async (t) => {
    const r = await runEntry(ENGINE, [...args, '--help']);
    t.is(r.code, 0, r.stderr);
    t.regex(r.stdout, /^usage: npm run engine/);
  });
}

test('version', async (t) => {
  const r = await runEntry(ENGINE, ['--version']);
  t.is(r.code, 0);
  t.regex(r.stdout, /^cloudlet-bench engine \d+\.\d+\.\d+ \(k6-compatible/);
});

test('usage errors: one line, exit code 2', async (t) => {
  for (const [args, message] of [
    [['run'], /give the script to run/],
    [['run', 'x.js', '--nope'], /unknown flag --nope/],
    [['run', 'x.js', '--http-debug'], /--http-debug: this k6 flag is not supported by this engine/],
    [['fly'], /unknown command "fly"/],
    [['run', 'no-such-script.js'], /script no-such-script\.js: no such file/],
  ] as [string[], RegExp][]) {
    const r = await runEntry(ENGINE, args);
    t.is(r.code, 2, args.join(' '));
    t.true(isOneLineError(r.stderr), r.stderr);
    t.regex(r.stderr, message);
  }
});

test('bad flag values: every problem on its own line, exit code 104', async (t) => {
  const r = await runEntry(ENGINE, [
    'run',
    'x.js',
    '--vus',
    'many',
    '-d',
    'forever',
    '-e',
    'NOVALUE',
    '--out',
    'csv=x.csv',
    '--execution-segment',
    '3/2',
    '--summary-mode',
    'pretty',
  ]);
  t.is(r.code, 104);
  t.deepEqual(r.stderr.trim().split('\n'), [
    'error: --vus: expected a whole number ≥ 0, got "many"',
    'error: --duration: expected a duration such as 30s or 1m30s, got "forever"',
    'error: --out csv: not supported by this engine (json=FILE[.gz], influxdb=URL, hdr=FILE)',
    'error: --execution-segment: "3/2" is not an execution segment: expected FROM:TO with 0 ≤ FROM < TO ≤ 1 (e.g. 0:1/2, 1/2:1, 25%:50%)',
    'error: --summary-mode: expected compact, full or legacy, got "pretty"',
    'error: --env: expected KEY=VALUE, got "NOVALUE"',
  ]);
});
