import test from 'ava';
import { parseDurationS, parseScenarioEnv, ScenarioEnvError, PROFILE_DEFAULTS } from '../../../../scenarios/lib/env.ts';

test('defaults give the smoke profile against the local gateway', (t) => {
  const config = parseScenarioEnv({});
  t.is(config.baseUrl, 'http://127.0.0.1:5000');
  t.is(config.profile, 'smoke');
  t.is(config.rateRps, PROFILE_DEFAULTS.smoke.rateRps);
  t.deepEqual(config.mix, {}, "no MIX: each task's own weight");
  t.true(config.probe);
});

test('every bad variable is named with what it expects', (t) => {
  const error = t.throws(() => parseScenarioEnv({ BASE_URL: 'localhost:5000', RATE: 'fast', DURATION: '10 parsecs', PROFILE: 'heavy', PROBE: 'maybe' }), {
    instanceOf: ScenarioEnvError,
  });
  const text = error?.message ?? '';
  for (const key of ['BASE_URL', 'RATE', 'DURATION', 'PROFILE', 'PROBE']) t.regex(text, new RegExp(`${key}: expected`));
  t.regex(text, /got "fast"/);
});

test('cross-field rules: pre-allocated VUs within the cap, think time ordered, a non-empty mix', (t) => {
  t.throws(() => parseScenarioEnv({ MAX_VUS: '5', PRE_ALLOCATED_VUS: '8' }), { message: /PRE_ALLOCATED_VUS: must not exceed MAX_VUS/ });
  t.throws(() => parseScenarioEnv({ THINK_MIN: '3', THINK_MAX: '1' }), { message: /THINK_MAX/ });
  t.throws(() => parseScenarioEnv({ MIX: 'browse=0,order=0' }, ['browse', 'order', 'list']), { message: /MIX/ });
  t.throws(() => parseScenarioEnv({ MIX: 'pay=1' }, ['browse', 'order', 'list']), { message: /MIX: expected/ });
});

test('MIX sets only the weights it names', (t) => {
  t.deepEqual(parseScenarioEnv({ MIX: 'order=2' }, ['browse', 'order', 'list']).mix, { browse: 0, order: 2, list: 0 });
});

test('durations in k6 notation', (t) => {
  t.is(parseDurationS('30s'), 30);
  t.is(parseDurationS('2m'), 120);
  t.is(parseDurationS('1h30m'), 5400);
  t.is(parseDurationS('1500ms'), 1.5);
  t.is(parseDurationS('12'), 12);
  t.is(parseDurationS('2x'), undefined);
  t.is(parseDurationS(''), undefined);
});

test('a trailing slash on BASE_URL is dropped', (t) => {
  t.is(parseScenarioEnv({ BASE_URL: 'http://10.0.0.1:5000/' }).baseUrl, 'http://10.0.0.1:5000');
});

test("BASE_URL may list several gateways; the first is the probe's", (t) => {
  const config = parseScenarioEnv({ BASE_URL: 'http://10.0.0.2:5000, http://10.0.0.3:5000/' });
  t.deepEqual(config.baseUrls, ['http://10.0.0.2:5000', 'http://10.0.0.3:5000']);
  t.is(config.baseUrl, 'http://10.0.0.2:5000');
  t.throws(() => parseScenarioEnv({ BASE_URL: 'http://a:1,,http://b:2' }), { message: /BASE_URL: expected/ });
});
