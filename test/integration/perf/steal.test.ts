// The benchmark's steal reading against this machine's real /proc/stat: the host's time taken from
// the CPUs asked for, in ms (0 on a machine that is not virtual, or never had any taken).
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import test from 'ava';
import { stealMs } from '../../../engine/perf/measure.ts';

test("stealMs reads /proc/stat's steal column: per CPU, summed over a list, and the machine's total", (t) => {
  const all = stealMs(null);
  const cpus = Array.from({ length: availableParallelism() }, (_, i) => String(i));
  const each = cpus.map((cpu) => stealMs(cpu) ?? Number.NaN);
  const listed = stealMs(cpus.join(','));
  // The aggregate `cpu` line's eighth value is the same column, summed by the kernel.
  const aggregate = (Number(/^cpu\s+(.*)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]?.split(/\s+/)[7]) * 1000) / 100;
  t.true(all !== null && Number.isFinite(all) && all >= 0, String(all));
  for (const v of each) t.true(Number.isFinite(v) && v >= 0, String(v));
  // Read a moment apart: the host may take a few more ticks in between.
  const near = (a: number, b: number) => Math.abs(a - b) <= 200;
  t.true(
    near(
      each.reduce((a, b) => a + b, 0),
      all ?? Number.NaN,
    ),
    `${each} against ${all}`,
  );
  t.true(near(listed ?? Number.NaN, all ?? Number.NaN), `${listed} against ${all}`);
  t.true(near(aggregate, all ?? Number.NaN), `${aggregate} against ${all}`);
  t.is(stealMs('999'), 0, 'a CPU the machine does not have: nothing taken');
});
