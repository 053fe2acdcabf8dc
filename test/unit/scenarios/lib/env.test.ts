import test from 'ava';
import { checkValue, parseEnvSpec } from '../../../../engine/script/env-spec.ts';
import { ENV_DOC, PROFILE_DEFAULTS, parseDurationS, parseScenarioEnv, ScenarioEnvError, VARIABLES } from '../../../../scenarios/lib/env.ts';

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
  // Units add up, fractions are allowed, anything left over is not a duration.
  t.is(parseDurationS('1.5m'), 90);
  t.is(parseDurationS('1h'), 3600);
  t.is(parseDurationS('2h1m1s'), 7261);
  t.is(parseDurationS('250ms'), 0.25);
  t.is(parseDurationS(' 45s '), 45);
  t.is(parseDurationS('1.25'), 1.25);
  t.is(parseDurationS('s'), undefined);
  t.is(parseDurationS('1m 30s'), undefined);
  t.is(parseDurationS('30s!'), undefined);
  t.is(parseDurationS('-5s'), undefined);
  t.is(parseDurationS('1d'), undefined);
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

// Every value below is worked out from ENV_DOC and the README's variable table, not read back.
// The coffee script's tasks, as MIX names them.
const parseCoffee = (env: Record<string, string | undefined>) => parseScenarioEnv(env, ['browse', 'order', 'list']);

test('the whole config with nothing set, and with every variable set', (t) => {
  t.deepEqual(parseCoffee({}), {
    baseUrl: 'http://127.0.0.1:5000',
    baseUrls: ['http://127.0.0.1:5000'],
    profile: 'smoke',
    rateRps: 2,
    durationS: 10,
    // max(10, 5 × 2) and min(10, max(2, 2))
    maxVUs: 10,
    preAllocatedVUs: 2,
    // No MIX: the script's own weights apply (scenarios/lib/profiles.ts), none is set here.
    mix: {},
    vus: 10,
    thinkMinS: 1,
    thinkMaxS: 3,
    probe: true,
    probeIntervalS: 5,
    probeTimeoutS: 60,
    probePollS: 0.5,
  });
  t.deepEqual(
    parseCoffee({
      BASE_URL: ' https://shop.example:8443/api// ',
      PROFILE: 'stress',
      RATE: '2.5',
      DURATION: '1m30s',
      MAX_VUS: '7',
      PRE_ALLOCATED_VUS: '7',
      MIX: ' browse = 2 , list=0.5 ',
      VUS: '3',
      THINK_MIN: '0',
      THINK_MAX: '0',
      PROBE: 'OFF',
      PROBE_INTERVAL: '0.25',
      PROBE_TIMEOUT: '9',
      PROBE_POLL: '0.1',
    }),
    {
      baseUrl: 'https://shop.example:8443/api',
      baseUrls: ['https://shop.example:8443/api'],
      profile: 'stress',
      rateRps: 2.5,
      durationS: 90,
      maxVUs: 7,
      preAllocatedVUs: 7,
      mix: { browse: 2, order: 0, list: 0.5 },
      vus: 3,
      thinkMinS: 0,
      thinkMaxS: 0,
      probe: false,
      probeIntervalS: 0.25,
      probeTimeoutS: 9,
      probePollS: 0.1,
    },
  );
});

test('each profile’s default rate and duration; VU defaults follow the rate (rounded up)', (t) => {
  const got = (profile: string) => {
    const c = parseCoffee({ PROFILE: profile });
    return [c.rateRps, c.durationS, c.maxVUs, c.preAllocatedVUs];
  };
  t.deepEqual(got('load'), [20, 60, 100, 20]);
  t.deepEqual(got('stress'), [40, 120, 200, 40]);
  t.deepEqual(got('spike'), [20, 60, 100, 20]);
  t.deepEqual(got('soak'), [10, 1800, 50, 10]);
  // locust has no rate: arrival-rate defaults fall back to 1/s.
  t.deepEqual(got('locust'), [1, 60, 10, 2]);
  // 2.1/s: 5 × 2.1 = 10.5 → 11 VUs at most, ⌈2.1⌉ = 3 up front.
  const c = parseCoffee({ RATE: '2.1' });
  t.deepEqual([c.maxVUs, c.preAllocatedVUs], [11, 3]);
  // A small cap caps the pre-allocated default too.
  t.is(parseCoffee({ RATE: '30', MAX_VUS: '4' }).preAllocatedVUs, 4);
  // THINK_MAX defaults to at least THINK_MIN.
  t.is(parseCoffee({ THINK_MIN: '5' }).thinkMaxS, 5);
  t.is(parseCoffee({ THINK_MIN: '2' }).thinkMaxS, 3);
});

test('every problem at once, each exactly as the user reads it', (t) => {
  const error = t.throws(
    () =>
      parseCoffee({
        BASE_URL: 'ftp://x',
        PROFILE: 'heavy',
        RATE: '0',
        DURATION: '0s',
        MAX_VUS: '1.5',
        PRE_ALLOCATED_VUS: '0',
        VUS: 'many',
        THINK_MIN: '-1',
        THINK_MAX: 'x',
        PROBE: 'maybe',
        PROBE_INTERVAL: '0',
        PROBE_TIMEOUT: '-2',
        PROBE_POLL: 'Infinity',
      }),
    { instanceOf: ScenarioEnvError },
  );
  t.deepEqual(error?.problems, [
    'BASE_URL: expected an http(s) URL such as http://127.0.0.1:5000, or several separated by commas, got "ftp://x"',
    'PROFILE: expected one of smoke, load, stress, spike, soak, locust, got "heavy"',
    'RATE: expected a number of iterations per second > 0, got "0"',
    'DURATION: expected a duration such as 30s, 2m or 1h30m, got "0s"',
    'MAX_VUS: expected an integer ≥ 1, got "1.5"',
    'PRE_ALLOCATED_VUS: expected an integer ≥ 1, got "0"',
    'VUS: expected an integer ≥ 1, got "many"',
    'THINK_MIN: expected seconds ≥ 0, got "-1"',
    'THINK_MAX: expected seconds ≥ 0, got "x"',
    'PROBE: expected on or off, got "maybe"',
    'PROBE_INTERVAL: expected seconds > 0, got "0"',
    'PROBE_TIMEOUT: expected seconds > 0, got "-2"',
    'PROBE_POLL: expected seconds > 0, got "Infinity"',
  ]);
  t.is(error?.message, error?.problems.join('\n'));
  t.is(error?.name, 'ScenarioEnvError');
});

test('cross-field problems are worded exactly; bounds are inclusive where the docs say ≥', (t) => {
  const problems = (env: Record<string, string>) => t.throws(() => parseCoffee(env), { instanceOf: ScenarioEnvError })?.problems;
  t.deepEqual(problems({ MAX_VUS: '5', PRE_ALLOCATED_VUS: '8' }), ['PRE_ALLOCATED_VUS: must not exceed MAX_VUS (5), got 8']);
  t.deepEqual(problems({ THINK_MIN: '3', THINK_MAX: '1' }), ['THINK_MAX: must be ≥ THINK_MIN (3), got 1']);
  t.deepEqual(problems({ MIX: 'browse=0,order=0' }), ['MIX: at least one weight must be > 0']);
  t.deepEqual(problems({ MIX: 'browse=1,order=-1' }), [
    'MIX: expected comma-separated browse=<w>,order=<w>,list=<w> with weights ≥ 0, got "browse=1,order=-1"',
  ]);
  // A malformed MIX is one line, even when nothing before the bad part gave a weight.
  t.deepEqual(problems({ MIX: 'browse' }), ['MIX: expected comma-separated browse=<w>,order=<w>,list=<w> with weights ≥ 0, got "browse"']);
  t.deepEqual(problems({ MIX: 'order=x' }), ['MIX: expected comma-separated browse=<w>,order=<w>,list=<w> with weights ≥ 0, got "order=x"']);
  // Equal is allowed where the docs say ≥ or "must not exceed".
  t.is(parseCoffee({ MAX_VUS: '1', PRE_ALLOCATED_VUS: '1' }).preAllocatedVUs, 1);
  t.is(parseCoffee({ THINK_MIN: '2', THINK_MAX: '2' }).thinkMaxS, 2);
  t.deepEqual(parseCoffee({ MIX: 'list=0,order=0,browse=0.5' }).mix, { browse: 0.5, order: 0, list: 0 });
  t.is(parseCoffee({ RATE: '0.01' }).rateRps, 0.01);
  // Blank is unset.
  t.is(parseCoffee({ RATE: '  ', PROFILE: '' }).rateRps, 2);
});

test('PROBE takes on/true/1/yes and off/false/0/no in any case', (t) => {
  for (const on of ['on', 'TRUE', '1', 'Yes']) t.true(parseCoffee({ PROBE: on }).probe, on);
  for (const off of ['off', 'False', '0', 'NO']) t.false(parseCoffee({ PROBE: off }).probe, off);
});

test('BASE_URL: http and https with a host, a port and a path; nothing else', (t) => {
  t.is(parseCoffee({ BASE_URL: 'http://a' }).baseUrl, 'http://a');
  t.is(parseCoffee({ BASE_URL: 'https://a:1/x/y' }).baseUrl, 'https://a:1/x/y');
  for (const bad of ['http://', 'http://a b', 'http://a?q=1', 'http://a#f', 'ws://a', 'xhttp://a', 'http://a/p q'])
    t.throws(() => parseCoffee({ BASE_URL: bad }), { message: /^BASE_URL: expected/ }, bad);
});

// The declaration the engine and the bench check `-e` values against (engine/script/env-spec.ts)
// must take what the parser takes, refuse what it refuses, and default to what it defaults to.
test('the declared variables: the engine accepts the declaration and checks values as the parser does', (t) => {
  const spec = parseEnvSpec(VARIABLES);
  t.not(spec, null);
  const check = (key: string, value: string) => checkValue(spec![key]!, value);
  // Accepted by both.
  for (const [key, value] of [
    ['BASE_URL', 'http://a:1,https://b/x'],
    ['BASE_URL', 'https://shop.example:8443/api'],
    ['PROFILE', 'locust'],
    ['RATE', '0.5'],
    ['DURATION', '1h30m'],
    ['MAX_VUS', '1'],
    ['PRE_ALLOCATED_VUS', '1'],
    ['MIX', 'browse=1'],
    ['VUS', '1'],
    ['THINK_MIN', '0'],
    ['THINK_MAX', '1'],
    ['PROBE', 'no'],
    ['PROBE_INTERVAL', '0.25'],
    ['PROBE_TIMEOUT', '9'],
    ['PROBE_POLL', '0.1'],
  ] as const) {
    t.is(check(key, value), null, `${key}=${value}`);
    t.notThrows(() => parseCoffee({ [key]: value }), `${key}=${value}`);
  }
  // Refused by the engine already, worded by its checkValue.
  t.deepEqual(
    [
      check('BASE_URL', 'ftp://x'),
      check('BASE_URL', 'http://a b'),
      check('PROFILE', 'heavy'),
      check('RATE', '-1'),
      check('DURATION', '2x'),
      check('MAX_VUS', '0'),
      check('PRE_ALLOCATED_VUS', '1.5'),
      check('VUS', '0'),
      check('THINK_MIN', '-0.5'),
      check('THINK_MAX', '-1'),
      check('PROBE', 'maybe'),
      check('PROBE_INTERVAL', '-1'),
      check('PROBE_TIMEOUT', '-1'),
      check('PROBE_POLL', '-1'),
    ],
    [
      `expected a value matching ${VARIABLES.BASE_URL!.pattern}, got "ftp://x"`,
      `expected a value matching ${VARIABLES.BASE_URL!.pattern}, got "http://a b"`,
      'expected one of smoke, load, stress, spike, soak, locust, got "heavy"',
      'expected ≥ 0, got -1',
      'expected a duration such as 30s, 2m or 1h30m, got "2x"',
      'expected ≥ 1, got 0',
      'expected a whole number, got "1.5"',
      'expected ≥ 1, got 0',
      'expected ≥ 0, got -0.5',
      'expected ≥ 0, got -1',
      'expected one of on, off, true, false, 1, 0, yes, no, got "maybe"',
      'expected ≥ 0, got -1',
      'expected ≥ 0, got -1',
      'expected ≥ 0, got -1',
    ],
  );
  // Every switch value the declaration allows, the parser takes.
  for (const value of VARIABLES.PROBE!.values!) t.notThrows(() => parseCoffee({ PROBE: value }), value);
  // A declared default is the value the parser uses when the variable is unset.
  const defaults = Object.entries(VARIABLES).filter(([, v]) => v.default !== undefined);
  t.deepEqual(
    defaults.map(([key]) => key),
    ['BASE_URL', 'PROFILE', 'VUS', 'THINK_MIN', 'THINK_MAX', 'PROBE', 'PROBE_INTERVAL', 'PROBE_TIMEOUT', 'PROBE_POLL'],
  );
  for (const [key, v] of defaults) t.deepEqual(parseCoffee({ [key]: String(v.default) }), parseCoffee({}), key);
});

test('the --help line of every variable', (t) => {
  t.deepEqual(ENV_DOC, {
    BASE_URL: 'gateway URL, http(s)://host:port, or several comma-separated to spread the load (default http://127.0.0.1:5000)',
    PROFILE: 'one of smoke, load, stress, spike, soak, locust (default smoke)',
    RATE: 'main arrival rate, iterations per second, > 0 (default per profile)',
    DURATION: 'load window, e.g. 30s, 2m, 1h30m (default per profile)',
    MAX_VUS: 'concurrency cap for arrival-rate executors (default max(10, 5 × rate))',
    PRE_ALLOCATED_VUS: 'VUs started up front (default min(MAX_VUS, max(2, rate)))',
    MIX: "task weights, e.g. browse=1,order=1,list=1 (default each task's own weight)",
    VUS: 'closed-model users for PROFILE=locust (default 10)',
    THINK_MIN: 'closed-model think time lower bound, seconds (default 1)',
    THINK_MAX: 'closed-model think time upper bound, seconds ≥ THINK_MIN (default 3)',
    PROBE: 'order-to-fulfilled probe, on or off (default on)',
    PROBE_INTERVAL: 'seconds between probe orders, > 0 (default 5)',
    PROBE_TIMEOUT: 'seconds before a probe order counts as never fulfilled, > 0 (default 60)',
    PROBE_POLL: 'seconds between polls of the fulfilment list, > 0 (default 0.5)',
  });
});

test('edge cases: anchored durations, trimmed values, an empty weight, zero and negative seconds', (t) => {
  // Nothing before the number or between its digits and the unit.
  t.is(parseDurationS('x12'), undefined);
  t.is(parseDurationS('1m12'), undefined);
  t.is(parseDurationS('1.25m'), 75);
  // Values are trimmed before they are compared.
  t.is(parseCoffee({ PROFILE: ' load ' }).profile, 'load');
  const problems = (env: Record<string, string>) => t.throws(() => parseCoffee(env), { instanceOf: ScenarioEnvError })?.problems;
  // A weight must be given, not just the task's name and "=".
  t.deepEqual(problems({ MIX: 'browse=,order=1' }), ['MIX: expected comma-separated browse=<w>,order=<w>,list=<w> with weights ≥ 0, got "browse=,order=1"']);
  // Without the script's task list, MIX can name no task.
  t.deepEqual(t.throws(() => parseScenarioEnv({ MIX: 'browse=1' }), { instanceOf: ScenarioEnvError })?.problems, [
    'MIX: expected comma-separated  with weights ≥ 0, got "browse=1"',
  ]);
  // A negative THINK_MAX is a bad value, not a THINK_MAX below THINK_MIN; 0 s is no probe timeout or poll interval.
  t.deepEqual(problems({ THINK_MAX: '-1' }), ['THINK_MAX: expected seconds ≥ 0, got "-1"']);
  t.deepEqual(problems({ PROBE_TIMEOUT: '0', PROBE_POLL: '0' }), ['PROBE_TIMEOUT: expected seconds > 0, got "0"', 'PROBE_POLL: expected seconds > 0, got "0"']);
  t.deepEqual(problems({ PROBE_POLL: '-1' }), ['PROBE_POLL: expected seconds > 0, got "-1"']);
});
