import test from 'ava';
import { cpuPctOfOneCore, processCpuTicks } from '../../../perf/proc.ts';

test('CPU ticks of a process include its waited-for children; odd command names are fine', (t) => {
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ...
  const stat = '4242 (sh (sampler) x) S 1 4242 4242 0 -1 4194560 120 3400 0 0 7 5 30 12 20 0 1 0 555 2342912 200 18446744073709551615';
  t.is(processCpuTicks(stat), 7 + 5 + 30 + 12);
  t.is(processCpuTicks('garbage'), null);
  t.is(cpuPctOfOneCore(100, 115, 30_000), 0.5);
  t.is(cpuPctOfOneCore(0, 10, 0), 0);
});
