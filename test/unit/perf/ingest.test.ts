import test from 'ava';
import { ingestCommand } from '../../../perf/ingest.ts';
import { runCommand } from '../../helpers/run-cli.ts';

test.serial('perf ingest --help prints its usage and runs nothing', async (t) => {
  const result = await runCommand([ingestCommand()], ['ingest', '--help']);
  t.is(result.exitCode, 0);
  t.regex(result.stdout, /^Usage: bench ingest \[options\]/);
  t.regex(result.stdout, /--samples <n>/);
});

test.serial('perf ingest rejects bad flags with a usage error', async (t) => {
  const count = await runCommand([ingestCommand()], ['ingest', '--samples', 'many']);
  t.is(count.exitCode, 2);
  t.regex(count.stderr, /--samples <n>.*expected an integer ≥ 14, got "many"/);
  const steps = await runCommand([ingestCommand()], ['ingest', '--steps', '7000,x']);
  t.is(steps.exitCode, 2);
  t.regex(steps.stderr, /--steps .*expected an integer ≥ 14, got "x"/);
  const unknown = await runCommand([ingestCommand()], ['ingest', '--bogus']);
  t.is(unknown.exitCode, 2);
  t.regex(unknown.stderr, /unknown option '--bogus'/);
});
