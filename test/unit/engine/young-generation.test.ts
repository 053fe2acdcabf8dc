import test from 'ava';
import { workerYoungGenerationMb } from '../../../engine/run.ts';

test("workers get a small young generation up to 2,000 arrivals a second each, V8's default above and for VU-based tests", (t) => {
  t.is(workerYoungGenerationMb(0), undefined, 'no arrival-rate scenario: no schedule to keep');
  t.is(workerYoungGenerationMb(0.5), 3);
  t.is(workerYoungGenerationMb(2000), 3);
  t.is(workerYoungGenerationMb(2000.5), undefined);
  t.is(workerYoungGenerationMb(8000), undefined);
});
