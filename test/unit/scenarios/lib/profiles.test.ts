import test from 'ava';
import { parseScenarioEnv } from '../../../../scenarios/lib/env.ts';
import { k6Options, perMinute, type TaskSpec } from '../../../../scenarios/lib/profiles.ts';

// Any script's tasks: names, weights and thresholds are the script's, nothing here is coffee's.
const TASKS: Record<string, TaskSpec> = {
  browse: { weight: 1 },
  order: { weight: 1, thresholds: { 'http_req_duration{name:place-order}': ['max>=0'] } },
  list: { weight: 1 },
};
const SIDE = { probe: 'probe', closed: 'locust' };
const NAMES = Object.keys(TASKS);

test('open model by default: one arrival-rate scenario per task, rates split by the mix', (t) => {
  const options = k6Options(parseScenarioEnv({ PROFILE: 'load', RATE: '30', DURATION: '1m' }, NAMES), TASKS, SIDE);
  for (const task of ['browse', 'order', 'list']) {
    const scenario = options.scenarios[task];
    t.is(scenario?.executor, 'constant-arrival-rate');
    t.is(scenario && 'rate' in scenario ? scenario.rate : 0, 600); // 10 rps = 600 per minute
  }
  t.is(options.scenarios.probe?.executor, 'constant-arrival-rate');
  t.deepEqual(options.thresholds.http_req_failed, ['rate<0.01']);
  t.truthy(options.thresholds['http_req_duration{name:place-order}']);
});

test('stress and spike ramp the arrival rate', (t) => {
  for (const profile of ['stress', 'spike']) {
    const scenario = k6Options(parseScenarioEnv({ PROFILE: profile, RATE: '20', DURATION: '100s' }, NAMES), TASKS, SIDE).scenarios.browse;
    t.is(scenario?.executor, 'ramping-arrival-rate');
    if (scenario?.executor === 'ramping-arrival-rate') {
      const total = scenario.stages.reduce((s, st) => s + Number(st.duration.replace('s', '')), 0);
      t.true(Math.abs(total - 100) <= 3, `${profile} stages add up to the duration (${total})`);
      t.true(Math.max(...scenario.stages.map((st) => st.target)) > perMinute(20 / 3));
    }
  }
});

test('the locust profile is the closed model of the old test', (t) => {
  const options = k6Options(parseScenarioEnv({ PROFILE: 'locust', VUS: '7', PROBE: 'off' }, NAMES), TASKS, SIDE);
  t.deepEqual(Object.keys(options.scenarios), ['locust']);
  t.is(options.scenarios.locust?.executor, 'constant-vus');
});

test("each task's weight sets its share of the rate; MIX overrides the weights it names and leaves the others out", (t) => {
  const weighted = k6Options(parseScenarioEnv({ RATE: '30' }, ['a', 'b']), { a: { weight: 2 }, b: { weight: 1 } });
  t.like(weighted.scenarios, { a: { rate: 1200 }, b: { rate: 600 } });
  t.deepEqual(Object.keys(weighted.scenarios), ['a', 'b'], 'no probe or closed model unless the script names them');
  const mixed = k6Options(parseScenarioEnv({ RATE: '30', MIX: 'b=1' }, ['a', 'b']), { a: { weight: 2 }, b: { weight: 1 } });
  t.deepEqual(Object.keys(mixed.scenarios), ['b']);
  t.throws(() => parseScenarioEnv({ MIX: 'c=1' }, ['a', 'b']), { message: /MIX: expected comma-separated a=<w>,b=<w>/ });
});

test('fractional rates keep 1/60 rps resolution and never round to zero', (t) => {
  t.is(perMinute(0.5), 30);
  t.is(perMinute(0.001), 1);
});
