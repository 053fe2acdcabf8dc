import test from 'ava';
import type { Scenario } from '../../../engine/options/types.ts';
import { workerYoungGenerationMb } from '../../../engine/run.ts';
import { scenarioPeakRate } from '../../../engine/schedule/plan.ts';

const base = { name: 's', exec: 'default', startTimeMs: 0, gracefulStopMs: 0, tags: {}, env: {} };

test('scenarioPeakRate: arrivals a second at the peak, per timeUnit; none for the VU-based executors', (t) => {
  t.is(
    scenarioPeakRate({ ...base, executor: 'constant-arrival-rate', rate: 30, timeUnitMs: 60_000, durationMs: 1000, preAllocatedVUs: 1, maxVUs: 1 } as Scenario),
    0.5,
  );
  const ramping = (startRate: number, targets: number[]) =>
    scenarioPeakRate({
      ...base,
      executor: 'ramping-arrival-rate',
      startRate,
      timeUnitMs: 500,
      stages: targets.map((target) => ({ target, durationMs: 1000 })),
      preAllocatedVUs: 1,
      maxVUs: 1,
    } as Scenario);
  t.is(ramping(10, [40, 5]), 80, 'the highest target, per 0.5 s');
  t.is(ramping(50, [40, 5]), 100, 'the start rate when it is the highest');
  t.is(ramping(0, []), 0);
  t.is(scenarioPeakRate({ ...base, executor: 'constant-vus', vus: 100, durationMs: 1000 } as Scenario), 0);
  t.is(scenarioPeakRate({ ...base, executor: 'shared-iterations', vus: 10, iterations: 100, maxDurationMs: 1000 } as Scenario), 0);
});

test("workers get a small young generation up to 2,000 arrivals a second each, V8's default above and for VU-based tests", (t) => {
  t.is(workerYoungGenerationMb(0), undefined, 'no arrival-rate scenario: no schedule to keep');
  t.is(workerYoungGenerationMb(0.5), 3);
  t.is(workerYoungGenerationMb(2000), 3);
  t.is(workerYoungGenerationMb(2000.5), undefined);
  t.is(workerYoungGenerationMb(8000), undefined);
});
