import test from 'ava';
import { ingestCommand, perfIngest } from '../../../perf/ingest.ts';
import { runCommand } from '../../helpers/run-cli.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

// Not a timed test: it checks that the benchmark runs end to end on a tiny input and reports its
// figures (rates, peak memory, p99 against the exact p99); the speed itself is printed by `npm run perf`.
test.serial('perf ingest runs on a tiny input and prints its figures', async (t) => {
  const dir = await tempDir(t);
  const chunks: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  const writeErr = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    await perfIngest({ samples: 14_000, steps: [7000, 14_000], dir });
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
  const out = chunks.join('');
  t.regex(out, /^ +7,000 /m);
  t.regex(out, /^ +14,000 /m);
  t.regex(out, /ratio ingest \/ JSON\.parse baseline/);
  t.regex(out, /peak memory \d+ MB/);
  const errors = [...out.matchAll(/^ +[\d,]+ .* (\d+\.\d+)$/gm)].map((m) => Number(m[1]));
  t.is(errors.length, 2);
  t.true(
    errors.every((e) => e < 1),
    `p99 error % ${errors.join(', ')}`,
  );
});

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
