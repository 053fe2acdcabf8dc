// Every command and sub-command answers --help with exit code 0 (bench's own are in test/integration/bench/cli.test.ts).
import { readFile } from 'node:fs/promises';
import test from 'ava';
import { REPO_ROOT, runEntry } from '../helpers/cli.ts';

const COMMANDS: [string, string[][]][] = [
  [
    'cluster/cli.ts',
    [
      [],
      ['status'],
      ['doctor'],
      ['init'],
      ['deploy'],
      ['scale'],
      ['rm'],
      ['ps'],
      ['stack'],
      ['stack', 'config'],
      ['images'],
      ['images', 'load'],
      ['teardown'],
      ['schema'],
    ],
  ],
  ['cluster/testbed/cli.ts', [[], ['up'], ['down'], ['status']]],
  ['perf/cli.ts', [[], ['sampler'], ['ingest'], ['config'], ['engine']]],
  ['shop/cli.ts', [[], ['serve']]],
];

for (const [entry, commands] of COMMANDS) {
  for (const args of commands) {
    test(`${entry} ${args.join(' ')} --help`, async (t) => {
      const result = await runEntry(`${REPO_ROOT}${entry}`, [...args, '--help']);
      t.is(result.code, 0, result.stderr);
      t.regex(result.stdout, /[Uu]sage/);
    });
  }
}

// --version on every command comes from the one CLI runner (kernel/cli.ts); each program and a
// sub-command of it, as a user runs them.
for (const [entry, commands] of COMMANDS) {
  const sub = commands[1] ?? [];
  test(`${entry} --version and ${sub.join(' ')} --version`, async (t) => {
    const version = JSON.parse(await readFile(`${REPO_ROOT}package.json`, 'utf8')).version as string;
    for (const args of [['--version'], [...sub, '--version']]) {
      const result = await runEntry(`${REPO_ROOT}${entry}`, args);
      t.is(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
      t.is(result.stdout, `${version}\n`);
    }
  });
}
