// The report model's tests in one ava worker, for mutation runs only (scripts/mutate-modules.mjs):
// one process loads the TypeScript once, where a worker per file loads it five times. A run of
// all of them then takes about 2 s of CPU instead of 6 s, which is the difference between an hour
// and three for report-model's ~1,300 mutants. Named *.mutate.ts so `npm test` (test/**/*.test.ts)
// does not run these tests twice; ava runs a file given on its command line whatever its name.
import './compare-model.test.ts';
import './latency.test.ts';
import './run-model.test.ts';
import './shop.test.ts';
import './warnings.test.ts';
