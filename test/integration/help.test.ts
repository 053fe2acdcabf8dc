// Every command and sub-command answers --help with exit code 0 (bench's own are in test/integration/bench/cli.test.ts).
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
  ['perf/cli.ts', [[], ['sampler'], ['ingest']]],
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
