import test from 'ava';
import { perfIngest } from '../../../perf/ingest.ts';
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
