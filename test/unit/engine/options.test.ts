// Options consolidation and thresholds (engine/options/).
import test from 'ava';
import { consolidateOptions } from '../../../engine/options/consolidate.ts';
import { parseThresholdExpression, parseThresholdKey, statMismatch, thresholdHolds } from '../../../engine/options/thresholds.ts';
import { ConfigError } from '../../../engine/errors.ts';
import { parseDurationMs } from '../../../engine/time.ts';

const problems = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

test('k6 durations', (t) => {
  t.is(parseDurationMs('1h30m'), 5_400_000);
  t.is(parseDurationMs('1.5s'), 1500);
  t.is(parseDurationMs('250ms'), 250);
  t.is(parseDurationMs('30'), 30_000);
  t.is(parseDurationMs(500), 500);
  t.is(parseDurationMs('10 s'), null);
  t.is(parseDurationMs('soon'), null);
});

test('shortcuts become the scenario k6 derives from them', (t) => {
  t.like(consolidateOptions({}).scenarios[0], { executor: 'shared-iterations', vus: 1, iterations: 1 });
  t.like(consolidateOptions({ vus: 5, duration: '10s' }).scenarios[0], { executor: 'constant-vus', vus: 5, durationMs: 10_000 });
  t.like(consolidateOptions({ vus: 2, iterations: 10 }).scenarios[0], { executor: 'shared-iterations', vus: 2, iterations: 10 });
  t.like(consolidateOptions({ stages: [{ duration: '1m', target: 10 }] }).scenarios[0], { executor: 'ramping-vus', startVUs: 1 });
  // Flags replace the script's scenarios.
  const s = consolidateOptions({ scenarios: { a: { executor: 'constant-vus', duration: '1s' } } }, { iterations: 3, vus: 2 });
  t.like(s.scenarios[0], { name: 'default', executor: 'shared-iterations', iterations: 3, vus: 2 });
});

test("scenario defaults are k6's", (t) => {
  const [s] = consolidateOptions({ scenarios: { a: { executor: 'constant-arrival-rate', rate: 5, duration: '1m', preAllocatedVUs: 3 } } }).scenarios;
  t.like(s, { name: 'a', exec: 'default', startTimeMs: 0, gracefulStopMs: 30_000, timeUnitMs: 1000, maxVUs: 3 });
});

test('each bad field is named, and unsupported options are errors', (t) => {
  t.deepEqual(
    problems(() => consolidateOptions({ rps: 10, foo: 1, scenarios: { 'bad name': { executor: 'constant-vus', duration: '1s', rate: 3 } } })),
    [
      'options.rps: not supported by this engine (remove it, or run the script with k6 through K6_BIN)',
      'options.foo: unknown option',
      'options.scenarios.bad name: a scenario name may contain only letters, digits, "_" and "-"',
      'options.scenarios.bad name.rate: not an option of the constant-vus executor (it takes executor, exec, startTime, gracefulStop, tags, env, options, vus, duration)',
    ],
  );
  t.deepEqual(
    problems(() => consolidateOptions({ scenarios: { a: { executor: 'externally-controlled' } } })),
    [
      'options.scenarios.a.executor: "externally-controlled" is not supported by this engine (supported: shared-iterations, per-vu-iterations, constant-vus, ramping-vus, constant-arrival-rate, ramping-arrival-rate)',
    ],
  );
  t.deepEqual(
    problems(() => consolidateOptions({ scenarios: { a: { executor: 'ramping-arrival-rate', preAllocatedVUs: 2, maxVUs: 1 } } })),
    ['options.scenarios.a.stages: required by the ramping-arrival-rate executor', 'options.scenarios.a.maxVUs: 1 is less than preAllocatedVUs (2)'],
  );
  t.deepEqual(
    problems(() => consolidateOptions({ thresholds: { 'http_req_duration{': ['p(95)<1'], checks: ['rate>'] } })),
    [
      'options.thresholds["http_req_duration{"]: "http_req_duration{" is not a metric name, or name{tag:value}',
      'options.thresholds["checks"][0]: "rate>" is not a threshold expression (e.g. "p(95)<500", "rate<0.01", "count>0")',
    ],
  );
  t.deepEqual(
    problems(() => consolidateOptions({ scenarios: { a: { executor: 'shared-iterations', vus: 5, iterations: 2 } } })),
    ['options.scenarios.a.iterations: 2 is less than vus (5); k6 requires iterations ≥ vus'],
  );
});

test('threshold expressions and submetric keys', (t) => {
  t.deepEqual(parseThresholdExpression('p(99.9) < 1500'), { stat: 'p(99.9)', percentile: 99.9, op: '<', value: 1500 });
  t.like(parseThresholdExpression('rate<=0.01'), { stat: 'rate', op: '<=', value: 0.01 });
  t.true(thresholdHolds(parseThresholdExpression('count==3'), 3));
  t.false(thresholdHolds(parseThresholdExpression('avg<10'), 10));
  t.deepEqual(parseThresholdKey('http_req_duration{name:item-types, method:GET}'), {
    metric: 'http_req_duration',
    tags: { name: 'item-types', method: 'GET' },
  });
  t.deepEqual(parseThresholdKey('http_reqs{url:http://x:1/a}'), { metric: 'http_reqs', tags: { url: 'http://x:1/a' } });
  t.is(statMismatch(parseThresholdExpression('p(95)<1'), 'counter'), '"p(95)" does not apply to a counter metric (it has count, rate)');
  t.is(statMismatch(parseThresholdExpression('rate<1'), 'rate'), null);
});
