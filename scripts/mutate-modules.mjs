// The modules `npm run mutate` tests (stryker.config.mjs, scripts/mutate.mjs): the files Stryker
// mutates and the unit tests that must notice. Every mutant is one run of ava on those tests (Stryker's
// command runner; ava has no Stryker plugin), so keep a module's tests fast and in-process (the
// property tests, 10 s a run, are left out: they would make a module take hours). To add a module,
// add an entry.

/** @type {Record<string, { mutate: string[]; tests: string[] }>} */
export const MODULES = {
  plan: {
    mutate: ['bench/plan.ts'],
    tests: ['test/unit/bench/plan.test.ts'],
  },
  config: {
    mutate: ['bench/config.ts', 'bench/scenario-env.ts', 'kernel/duration.ts'],
    tests: ['test/unit/bench/config.test.ts', 'test/unit/bench/plan.test.ts', 'test/unit/kernel/duration.test.ts'],
  },
  'scenario-env': {
    mutate: ['scenarios/lib/env.ts'],
    tests: ['test/unit/scenarios/lib/env.test.ts'],
  },
  // The scheduling arithmetic of a run: profiles → k6 executors (rates, stages, VUs, durations).
  // The built-in generator's own schedule (bench/load/builtin/) is being replaced and is not in scope.
  schedule: {
    mutate: ['scenarios/lib/profiles.ts'],
    tests: ['test/unit/scenarios/lib/profiles.test.ts'],
  },
  inventory: {
    mutate: ['cluster/inventory/schema.ts', 'cluster/inventory/load.ts'],
    tests: ['test/unit/cluster/inventory/schema.test.ts'],
  },
  stats: {
    mutate: ['reports/stats/*.ts'],
    tests: ['test/unit/reports/stats/'],
  },
  // The model's own tests build its input in memory (test/helpers/model-input.ts), all in one ava
  // worker (all.mutate.ts): about 2 s of CPU a run. The tests that render whole reports from run
  // directories (run-report, compare, damaged-run: 18 s a run) stay in `npm test` only.
  'report-model': {
    mutate: ['reports/model/*.ts'],
    tests: ['test/unit/reports/model/all.mutate.ts'],
  },
  // convert.test.ts only: the folder's other tests (adapt, checks, converge, load) add 3.4 s to each
  // of the 871 runs (4.7 s instead of 1.3 s), and under load a sixth of the mutants then timed out.
  'stack-converter': {
    mutate: ['cluster/stack/convert.ts', 'cluster/stack/interpolate.ts', 'cluster/stack/units.ts'],
    tests: ['test/unit/cluster/stack/convert.test.ts'],
  },
  // The engine's own schedules: executors' VUs and durations, ramping steps, arrival times, execution
  // segments. Its tests also load engine/plan.ts and host/executors.ts: about 1 s of CPU a run.
  'engine-schedule': {
    mutate: ['engine/schedule/plan.ts', 'engine/schedule/segment.ts'],
    tests: ['test/unit/engine/schedule.test.ts'],
  },
  'sampler-parser': {
    mutate: ['bench/nodes/parse.ts', 'bench/nodes/sample.ts'],
    tests: ['test/unit/bench/nodes/'],
  },
};
