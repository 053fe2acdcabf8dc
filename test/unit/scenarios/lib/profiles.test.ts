import test from 'ava';
import { parseScenarioEnv } from '../../../../scenarios/lib/env.ts';
import { k6Options, PROBE_GRACEFUL_STOP, perMinute, SUMMARY_TREND_STATS, seconds, type TaskSpec } from '../../../../scenarios/lib/profiles.ts';

// The scheduling arithmetic of a run: profile + variables → k6 executors. Every expected value below
// is worked out by hand from the documented defaults (scenarios/lib/env.ts ENV_DOC), never read back.

const ENDPOINT_THRESHOLDS = {
  'http_req_duration{name:item-types}': ['max>=0'],
  'http_req_duration{name:place-order}': ['max>=0'],
  'http_req_duration{name:fulfillment-orders}': ['max>=0'],
};
// The coffee script's tasks as it declares them beside its functions (scenarios/coffee.ts): equal
// weights, one latency sub-metric each. Nothing below is specific to coffee but these declarations.
const TASKS: Record<string, TaskSpec> = {
  browse: { weight: 1, thresholds: { 'http_req_duration{name:item-types}': ['max>=0'] } },
  order: { weight: 1, thresholds: { 'http_req_duration{name:place-order}': ['max>=0'] } },
  list: { weight: 1, thresholds: { 'http_req_duration{name:fulfillment-orders}': ['max>=0'] } },
};
const coffeeOptions = (env: Record<string, string>) => k6Options(parseScenarioEnv(env, Object.keys(TASKS)), TASKS, { probe: 'probe', closed: 'locust' });
const SYSTEM_TAGS = ['status', 'method', 'name', 'group', 'check', 'error', 'error_code', 'scenario', 'expected_response'];

test('open model by default: one arrival-rate scenario per task, rates split by the mix, and the probe', (t) => {
  const options = coffeeOptions({ PROFILE: 'load', RATE: '30', DURATION: '1m' });
  // RATE 30 → MAX_VUS max(10, 5 × 30) = 150, PRE_ALLOCATED_VUS min(150, max(2, 30)) = 30; each of
  // three equal tasks: 10 rps = 600/min, 50 VUs at most, 10 up front.
  const task = (name: string) => ({
    executor: 'constant-arrival-rate',
    exec: name,
    rate: 600,
    timeUnit: '1m',
    duration: '60s',
    preAllocatedVUs: 10,
    maxVUs: 50,
    gracefulStop: '5s',
    tags: { task: name },
  });
  t.deepEqual(options, {
    scenarios: {
      browse: task('browse'),
      order: task('order'),
      list: task('list'),
      // One probe every 5 s (12/min), each may wait 60 s: ceil(60 / 5) + 1 = 13 VUs at most.
      probe: {
        executor: 'constant-arrival-rate',
        exec: 'probe',
        rate: 12,
        timeUnit: '1m',
        duration: '60s',
        preAllocatedVUs: 2,
        maxVUs: 13,
        gracefulStop: '1s',
        tags: { task: 'probe' },
      },
    },
    thresholds: { http_req_failed: ['rate<0.01'], http_req_duration: ['p(95)<500', 'p(99)<1500'], checks: ['rate>0.99'], ...ENDPOINT_THRESHOLDS },
    summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'],
    discardResponseBodies: false,
    systemTags: SYSTEM_TAGS,
  });
  t.is(PROBE_GRACEFUL_STOP, '1s');
  t.deepEqual(SUMMARY_TREND_STATS, ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count']);
});

test('an uneven mix: rates, VU caps (rounded up) and pre-allocated VUs (capped) per task; a zero weight has no scenario', (t) => {
  const options = coffeeOptions({
    PROFILE: 'smoke',
    RATE: '12',
    DURATION: '20s',
    MAX_VUS: '12',
    PRE_ALLOCATED_VUS: '6',
    MIX: 'browse=3,order=1,list=0',
    PROBE: 'off',
  });
  // browse 3/4: 9 rps = 540/min, ceil(12 × 0.75) = 9 VUs, ceil(6 × 0.75) = 5 up front;
  // order 1/4: 3 rps = 180/min, 3 VUs, ceil(1.5) = 2 up front.
  t.deepEqual(options.scenarios, {
    browse: {
      executor: 'constant-arrival-rate',
      exec: 'browse',
      rate: 540,
      timeUnit: '1m',
      duration: '20s',
      preAllocatedVUs: 5,
      maxVUs: 9,
      gracefulStop: '5s',
      tags: { task: 'browse' },
    },
    order: {
      executor: 'constant-arrival-rate',
      exec: 'order',
      rate: 180,
      timeUnit: '1m',
      duration: '20s',
      preAllocatedVUs: 2,
      maxVUs: 3,
      gracefulStop: '5s',
      tags: { task: 'order' },
    },
  });
  t.deepEqual(options.thresholds, { http_req_failed: ['rate<0.01'], checks: ['rate>0.99'], ...ENDPOINT_THRESHOLDS });
});

test('pre-allocated VUs never exceed a task’s cap, and a task gets at least one of each', (t) => {
  // MAX_VUS 2 over three tasks: ceil(2/3) = 1 each; PRE_ALLOCATED_VUS 2: ceil(2/3) = 1, capped at 1.
  const few = coffeeOptions({ PROFILE: 'smoke', RATE: '1', MAX_VUS: '2', PRE_ALLOCATED_VUS: '2', PROBE: 'off' }).scenarios;
  for (const name of ['browse', 'order', 'list']) t.like(few[name], { maxVUs: 1, preAllocatedVUs: 1 }, name);
  // MAX_VUS 10, PRE_ALLOCATED_VUS 10 over one task at RATE 0.1: 10 and 10 (min keeps the larger when equal).
  const one = coffeeOptions({ PROFILE: 'smoke', RATE: '0.1', MAX_VUS: '10', PRE_ALLOCATED_VUS: '9', MIX: 'list=1', PROBE: 'off' }).scenarios;
  t.like(one.list, { maxVUs: 10, preAllocatedVUs: 9, rate: 6 });
});

test('stress ramps the arrival rate: a quarter to start, the rate, twice the rate, then down to zero', (t) => {
  const options = coffeeOptions({ PROFILE: 'stress', RATE: '20', DURATION: '100s', MIX: 'browse=1', PROBE: 'off' });
  // MAX_VUS max(10, 100) = 100, PRE_ALLOCATED_VUS min(100, max(2, 20)) = 20; five stages of 20 s.
  t.deepEqual(options.scenarios, {
    browse: {
      executor: 'ramping-arrival-rate',
      exec: 'browse',
      timeUnit: '1m',
      startRate: 300,
      stages: [
        { target: 1200, duration: '20s' },
        { target: 1200, duration: '20s' },
        { target: 2400, duration: '20s' },
        { target: 2400, duration: '20s' },
        { target: 0, duration: '20s' },
      ],
      preAllocatedVUs: 20,
      maxVUs: 100,
      gracefulStop: '5s',
      tags: { task: 'browse' },
    },
  });
  t.deepEqual(options.thresholds, { http_req_failed: ['rate<0.05'], http_req_duration: ['p(95)<2000'], ...ENDPOINT_THRESHOLDS });
});

test('spike: a quarter of the rate, a jump to four times for 20 %, back to a quarter', (t) => {
  const options = coffeeOptions({ PROFILE: 'spike', RATE: '20', DURATION: '100s', MIX: 'order=1', PROBE: 'off' });
  t.deepEqual(options.scenarios.order?.executor === 'ramping-arrival-rate' ? [options.scenarios.order.startRate, options.scenarios.order.stages] : null, [
    300,
    [
      { target: 300, duration: '30s' },
      { target: 4800, duration: '5s' },
      { target: 4800, duration: '15s' },
      { target: 300, duration: '5s' },
      { target: 300, duration: '45s' },
    ],
  ]);
  t.deepEqual(options.thresholds, { http_req_failed: ['rate<0.10'], ...ENDPOINT_THRESHOLDS });
});

test('soak keeps the load profile’s thresholds over its default half hour', (t) => {
  const options = coffeeOptions({ PROFILE: 'soak', PROBE: 'off', MIX: 'list=1' });
  t.like(options.scenarios.list, { executor: 'constant-arrival-rate', rate: 600, duration: '1800s' });
  t.deepEqual(options.thresholds, {
    http_req_failed: ['rate<0.01'],
    http_req_duration: ['p(95)<500', 'p(99)<1500'],
    checks: ['rate>0.99'],
    ...ENDPOINT_THRESHOLDS,
  });
});

test('the locust profile is the closed model of the old test', (t) => {
  const options = coffeeOptions({ PROFILE: 'locust', VUS: '7', PROBE: 'off', DURATION: '90s' });
  t.deepEqual(options.scenarios, {
    locust: { executor: 'constant-vus', exec: 'locust', vus: 7, duration: '90s', gracefulStop: '5s', tags: { task: 'locust' } },
  });
  t.deepEqual(options.thresholds, { http_req_failed: ['rate<0.05'], ...ENDPOINT_THRESHOLDS });
});

test('the probe: VUs enough for the overlapping probes its timeout allows', (t) => {
  // Every 2 s (30/min), each up to 7 s: ceil(3.5) + 1 = 5 VUs, 2 up front.
  const probe = coffeeOptions({ PROFILE: 'smoke', PROBE_INTERVAL: '2', PROBE_TIMEOUT: '7', DURATION: '9s' }).scenarios.probe;
  t.deepEqual(probe, {
    executor: 'constant-arrival-rate',
    exec: 'probe',
    rate: 30,
    timeUnit: '1m',
    duration: '9s',
    preAllocatedVUs: 2,
    maxVUs: 5,
    gracefulStop: '1s',
    tags: { task: 'probe' },
  });
});

test('fractional rates keep 1/60 rps resolution and never round to zero; durations are whole seconds, at least one', (t) => {
  t.is(perMinute(0.5), 30);
  t.is(perMinute(0.001), 1);
  t.is(perMinute(0.03), 2); // 1.8/min rounds to 2, not down to 1
  t.is(perMinute(0.024), 1); // 1.44/min rounds to 1, not up to 2
  t.is(seconds(0.2), '1s');
  t.is(seconds(2.5), '3s');
  t.is(seconds(2.4), '2s');
  t.is(seconds(90), '90s');
});

test("each task's weight sets its share of the rate; MIX overrides the weights it names and leaves the others out", (t) => {
  const weighted = k6Options(parseScenarioEnv({ RATE: '30' }, ['a', 'b']), { a: { weight: 2 }, b: { weight: 1 } });
  t.like(weighted.scenarios, { a: { rate: 1200 }, b: { rate: 600 } });
  t.deepEqual(Object.keys(weighted.scenarios), ['a', 'b'], 'no probe or closed model unless the script names them');
  const mixed = k6Options(parseScenarioEnv({ RATE: '30', MIX: 'b=1' }, ['a', 'b']), { a: { weight: 2 }, b: { weight: 1 } });
  t.deepEqual(Object.keys(mixed.scenarios), ['b']);
  t.throws(() => parseScenarioEnv({ MIX: 'c=1' }, ['a', 'b']), { message: /MIX: expected comma-separated a=<w>,b=<w>/ });
});
