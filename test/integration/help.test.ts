// Every command and sub-command answers --help with its own usage, options and sub-commands, and --version.
import { readFile } from 'node:fs/promises';
import test from 'ava';
import { REPO_ROOT, runEntry } from '../helpers/cli.ts';

/**
 * Each command's own help: its usage line (the command's full name and its arguments) and the options
 * or sub-commands the README's "Commands" section gives it, written out here by hand. A help text
 * swapped with another command's, or an option dropped, fails here (before, every test checked only
 * the exit code and the word "usage"; seen failing with `cluster scale`'s and `deploy`'s --settle renamed
 * --settle-ms).
 */
interface Help {
  usage: string;
  /** Options, as the help lists them (`  --name` or `  -e, --env`). */
  options?: string[];
  /** Sub-commands, as the help lists them. */
  commands?: string[];
}
const HELP: Record<string, Record<string, Help>> = {
  'cluster/cli.ts': {
    '': {
      usage: 'cluster [options] [command]',
      options: ['--cluster', '--accept-new-host-keys'],
      commands: ['status', 'doctor', 'init', 'deploy', 'scale', 'rm', 'ps', 'stack', 'images', 'teardown', 'schema'],
    },
    status: { usage: 'cluster status [options]', options: ['--json'] },
    doctor: { usage: 'cluster doctor [options]', options: ['--stack', '--max-skew', '--json'] },
    init: { usage: 'cluster init [options]', options: ['--json'] },
    deploy: { usage: 'cluster deploy [options] <stack>', options: ['--timeout', '--settle', '--detach', '--json'] },
    scale: { usage: 'cluster scale [options] <targets...>', options: ['--timeout', '--settle', '--json'] },
    rm: { usage: 'cluster rm [options] <stack>', options: ['--timeout', '--json'] },
    ps: { usage: 'cluster ps [options] [stack]', options: ['--json'] },
    stack: { usage: 'cluster stack [options] [command]', commands: ['config'] },
    'stack config': { usage: 'cluster stack config [options] <stack>' },
    images: { usage: 'cluster images [options] [command]', commands: ['load'] },
    'images load': { usage: 'cluster images load [options] [stacks...]', options: ['--node', '--dry-run', '--json'] },
    teardown: { usage: 'cluster teardown [options]', options: ['--prune', '--volumes', '--yes', '--dry-run'] },
    schema: { usage: 'cluster schema [options]' },
  },
  'cluster/testbed/cli.ts': {
    '': { usage: 'testbed [options] [command]', commands: ['up', 'down', 'status'] },
    up: { usage: 'testbed up [options]', options: ['--id', '--nodes', '--managers'] },
    down: { usage: 'testbed down [options]', options: ['--id'] },
    status: { usage: 'testbed status [options]', options: ['--id', '--json'] },
  },
  'perf/cli.ts': {
    '': { usage: 'perf [options] [command]', commands: ['sampler', 'ingest', 'config', 'engine'] },
    sampler: { usage: 'perf sampler [options]', options: ['--duration', '--ssh'] },
    ingest: { usage: 'perf ingest [options]', options: ['--samples', '--steps'] },
    config: { usage: 'perf config [options]', options: ['--keys'] },
  },
  'shop/cli.ts': {
    '': { usage: 'shop [options] [command]', commands: ['serve', 'build-real', 'images-real', 'serve-real'] },
    serve: { usage: 'shop serve [options]', options: ['--port', '--replicas', '--cpu-ms', '--prep-factor', '--behaviour'] },
  },
  'bench/cli.ts': {
    '': { usage: 'bench [options] [command]', commands: ['run', 'plan', 'resume', 'nightly', 'report', 'compare', 'backfill', 'schema'] },
    run: {
      usage: 'bench run [options]',
      options: ['--config', '--cluster', '--env', '--results', '--load-generator', '--influx-url', '--accept-new-host-keys', '--dry-run', '--json'],
    },
    plan: { usage: 'bench plan [options]', options: ['--config', '--json'] },
    resume: { usage: 'bench resume [options] <runDir>', options: ['--cluster', '--load-generator'] },
    nightly: { usage: 'bench nightly [options]', options: ['--cluster', '--baseline', '--threshold', '--history', '--summary-file'] },
    report: { usage: 'bench report [options] <run>', options: ['--out'] },
    compare: { usage: 'bench compare [options] <baseline> <candidates...>', options: ['--out', '--threshold', '--fail-on-regression'] },
    backfill: { usage: 'bench backfill [options] <runDir>', options: ['--influx-url'] },
    schema: { usage: 'bench schema [options]' },
  },
};

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

for (const [entry, commands] of Object.entries(HELP)) {
  for (const [command, help] of Object.entries(commands)) {
    const args = command ? command.split(' ') : [];
    test(`${entry} ${command} --help`, async (t) => {
      const result = await runEntry(`${REPO_ROOT}${entry}`, [...args, '--help']);
      t.is(result.code, 0, result.stderr);
      t.is(result.stdout.split('\n')[0], `Usage: ${help.usage}`);
      for (const option of [...(help.options ?? []), '--help']) t.regex(result.stdout, new RegExp(`^ {2}(-\\w, )?${escapeRegExp(option)}( |$)`, 'm'), option);
      if (help.commands) {
        const listed = result.stdout.slice(result.stdout.indexOf('\nCommands:')).match(/^ {2}[a-z-]+/gm) ?? [];
        t.deepEqual(
          listed
            .map((name) => name.trim())
            .filter((name) => name !== 'help')
            .sort(),
          [...help.commands].sort(),
        );
      }
    });
  }
}

// The engine and its benchmark take k6's flag style (k6 run's flags, written out by hand), so their
// help is checked by its own first line and flags.
const K6_STYLE: [string, string[], string, string[]][] = [
  [
    'engine/cli.ts',
    ['run'],
    'usage: npm run engine -- run SCRIPT [flags]',
    ['--env', '--vus', '--duration', '--iterations', '--tag', '--summary-export', '--out', '--execution-segment', '--quiet', '--no-color', '--workers'],
  ],
  ['engine/cli.ts', [], 'usage: npm run engine -- <command> [args]', []],
  ['perf/cli.ts', ['engine'], 'usage: npm run perf -- engine', ['--step', '--rss-minutes', '--quick', '--no-peers', '--max-rate', '--only']],
];
for (const [entry, args, usage, flags] of K6_STYLE) {
  test(`${entry} ${args.join(' ')} --help (k6 style)`, async (t) => {
    const result = await runEntry(`${REPO_ROOT}${entry}`, [...args, '--help']);
    t.is(result.code, 0, result.stderr);
    t.true(result.stdout.split('\n')[0]?.startsWith(usage), result.stdout.split('\n')[0]);
    for (const flag of flags) t.regex(result.stdout, new RegExp(`^ {2}(-\\w, | {4})?${escapeRegExp(flag)}[ =]`, 'm'), flag);
  });
}

const COMMANDS: [string, string[][]][] = Object.entries(HELP).map(([entry, commands]) => [entry, Object.keys(commands).map((c) => (c ? c.split(' ') : []))]);

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
