// Mutation testing of the pure core (StrykerJS): `npm run mutate` runs every module below,
// `npm run mutate -- plan stats` the ones named. Not part of `npm test` or CI: a module takes minutes.
//
// The modules, with the files Stryker mutates and the unit tests that must notice, are listed in
// scripts/mutate-modules.mjs; this file is the Stryker config for one of them (MUTATE_MODULE).
// Incremental results and reports live in .cache/stryker/ (ignored by git): a second run tests the
// mutants whose code changed and, again, every mutant not detected before (scripts/mutate.mjs drops
// them from the incremental file: the command runner reports no coverage, so Stryker cannot tell
// that the tests changed).

import { MODULES } from './scripts/mutate-modules.mjs';

const name = process.env.MUTATE_MODULE ?? '';
const module = MODULES[name];
if (!module) throw new Error(`MUTATE_MODULE must be one of ${Object.keys(MODULES).join(', ')}; got "${name}"`);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: module.mutate,
  testRunner: 'command',
  commandRunner: { command: `node node_modules/ava/entrypoints/cli.mjs --fail-fast ${module.tests.join(' ')}` },
  // The command runner cannot tell which test covers which mutant: every mutant runs the module's tests.
  coverageAnalysis: 'off',
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  concurrency: Number(process.env.MUTATE_CONCURRENCY ?? 1),
  incremental: true,
  incrementalFile: `.cache/stryker/${name}/incremental.json`,
  tempDirName: '.cache/stryker/tmp',
  cleanTempDir: 'always',
  // The sandbox needs the sources, the unit tests and their fixtures; nothing the runs write.
  ignorePatterns: ['results', '.cache', 'test/integration', 'test-artifacts', '*.log'],
  reporters: ['clear-text', 'progress-append-only', 'json', 'html'],
  jsonReporter: { fileName: `.cache/stryker/${name}/mutation.json` },
  htmlReporter: { fileName: `.cache/stryker/${name}/mutation.html` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: true },
  thresholds: { high: 90, low: 80, break: null },
  timeoutMS: 10_000,
  timeoutFactor: 2,
};
