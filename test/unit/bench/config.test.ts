// Bounds are checked up front, each with the field and the limit; the YAML loader finds duplicate
// keys itself (in linear time: `npm run perf -- config` shows the growth) and names their line.
import test from 'ava';
import { LIMITS, parseBenchConfig, parseConfigText } from '../../../bench/config.ts';
import { validateScenarioEnv } from '../../../bench/scenario-env.ts';
import { UsageError } from '../../../kernel/errors.ts';
import { configText, formatConfigRows, growthExponent, measureConfigParsing } from '../../../perf/config.ts';

const base = { matrix: { replicas: [1], ratesRps: [5] } };
const problems = (input: unknown): string[] => {
  try {
    parseBenchConfig(input, 'c.yml');
    return [];
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return error.message.split('\n');
  }
};

test("replicas against the target's limit, rates and durations against their ceilings", (t) => {
  t.deepEqual(problems({ ...base, matrix: { replicas: [10_000], ratesRps: [1e9] }, durationS: 1e9, warmupS: 1e6 }), [
    `c.yml: matrix.replicas[0]: at most ${LIMITS.swarmReplicas} replicas of a service`,
    `c.yml: matrix.ratesRps[0]: a rate is at most ${LIMITS.rateRps} per second`,
    `c.yml: durationS: durationS is at most ${LIMITS.durationS} s`,
    `c.yml: warmupS: warmupS is at most ${LIMITS.waitS} s`,
  ]);
  t.deepEqual(problems({ ...base, matrix: { replicas: [65], ratesRps: [5] } }), [
    'c.yml: matrix.replicas[0]: 65 replicas; the local-shop target runs at most 64 (one worker process each)',
  ]);
  t.deepEqual(problems({ ...base, target: { kind: 'swarm' }, matrix: { replicas: { counter: [65] }, ratesRps: [5] } }), []);
  t.deepEqual(
    problems({ ...base, matrix: { replicas: Array.from({ length: 101 }, (_, i) => (i % 64) + 1), ratesRps: Array.from({ length: 100 }, (_, i) => i + 1) } }),
    [`c.yml: matrix: 10100 points; a run has at most ${LIMITS.points}: split it into several runs`],
  );
});

test('scenario variables: a value past 4 KiB (which would fail the spawn with E2BIG), bad names, too many bytes in all', async (t) => {
  t.deepEqual(problems({ ...base, scenarioEnv: { BIG: 'x'.repeat(200_000), 'no good': '1' } }), [
    'c.yml: scenarioEnv.BIG: a value is at most 4096 bytes',
    'c.yml: scenarioEnv["no good"]: Invalid key in record',
  ]);
  // -e values join after the file is parsed: the same bounds, checked before anything starts.
  const config = parseBenchConfig(base, 'c.yml');
  const env = { BIG: 'x'.repeat(200_000), ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`V${i}`, 'y'.repeat(4000)])) };
  const error = await t.throwsAsync(validateScenarioEnv({ ...config, scenarioEnv: env }), { instanceOf: UsageError });
  t.deepEqual(error?.message.split('\n'), [
    'scenario environment: BIG: 200000 bytes; a value is at most 4096 bytes',
    `scenario environment: 280053 bytes in all; the variables together are at most ${LIMITS.envTotalBytes} bytes`,
  ]);
});

test('duplicate keys are errors with their line; aliases without an anchor name their line', (t) => {
  const error = t.throws(() => parseConfigText('matrix: {}\nscenarioEnv:\n  A: 1\n  B: 2\n  A: 3\n', 'c.yml'), { instanceOf: UsageError });
  t.is(error.message, 'c.yml: scenarioEnv.A: given twice (line 5); keep one');
  t.throws(() => parseConfigText('a: 1\nb: *nowhere\n', 'c.yml'), { message: /^c\.yml: not valid YAML \(line 2\): .*nowhere/ });
});

test('perf config measures the loader beside JSON.parse and the quadratic yaml check (small sizes, no timing asserted)', (t) => {
  t.is(configText('scenario-env', 3).yaml, 'matrix: { replicas: [1], ratesRps: [1] }\nscenarioEnv:\n  K0: "v0"\n  K1: "v1"\n  K2: "v2"\n');
  const rows = measureConfigParsing([200, 400], { repeats: 1, quadraticUpTo: 400 });
  t.is(rows.length, 4);
  t.true(rows.every((r) => r.loaderMs > 0 && r.jsonParseMs >= 0 && r.yamlDefaultMs !== null));
  t.regex(formatConfigRows(rows), /scenario-env: growth exponent [\d.-]+ for the config loader \(1 = linear\)/);
  t.is(
    growthExponent([
      { keys: 1000, ms: 10 },
      { keys: 4000, ms: 160 },
    ]),
    2,
  );
});

test('state: none by default; reset or drain with drainTimeoutS; a url target only when its services are named', (t) => {
  const config = parseBenchConfig(base, 'c.yml');
  t.is(config.state, 'none');
  t.is(config.drainTimeoutS, 300);
  t.is(parseBenchConfig({ ...base, state: 'drain', drainTimeoutS: 60 }, 'c.yml').drainTimeoutS, 60);
  t.deepEqual(problems({ ...base, state: 'wipe' }), ['c.yml: state: Invalid option: expected one of "none"|"reset"|"drain"']);
  const url = { target: { kind: 'url', url: 'http://10.0.0.1:5000' }, matrix: { ratesRps: [1] } };
  t.deepEqual(problems({ ...url, state: 'reset' }), [
    'c.yml: state: target.kind url is never reset or drained unless the config says how: name its services in target.shop { postgres, rabbitmq, consumers } (with --cluster), or set state: none',
  ]);
  const named = {
    ...url,
    target: { ...url.target, shop: { postgres: 'go-coffee_postgres', rabbitmq: 'go-coffee_rabbitmq', consumers: ['go-coffee_kitchen'] } },
  };
  t.deepEqual(problems({ ...named, state: 'reset' }), []);
});
