// Bounds are checked up front, each with the field and the limit; the YAML loader finds duplicate
// keys itself (in linear time: `npm run perf -- config` shows the growth) and names their line.
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LIMITS, loadBenchConfig, parseBenchConfig, parseConfigText, replicaMatrix } from '../../../bench/config.ts';
import { pointEnv, SCENARIOS_DIR, scriptPath, validateScenarioEnv, warmupEnv } from '../../../bench/scenario-env.ts';
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

test("each bound says its field and its limit in the config's own words", (t) => {
  t.deepEqual(
    problems({
      scenario: 'coffee.js',
      target: { kind: 'swarm', stackName: 'Shop' },
      matrix: { replicas: { a: [], b: [0, 1001] }, ratesRps: [] },
      durationS: 86_401,
      pauseS: 3601,
      cooldown: { maxWaitS: 3601 },
      settleS: 601,
      drainTimeoutS: 3601,
    }),
    [
      'c.yml: scenario: expected a file name in scenarios/, such as coffee.ts',
      'c.yml: target.stackName: expected lower-case letters, digits, - and _',
      'c.yml: matrix.replicas.a: list at least one replica count',
      'c.yml: matrix.replicas.b[0]: replicas must be ≥ 1',
      'c.yml: matrix.replicas.b[1]: at most 1000 replicas of a service',
      'c.yml: matrix.ratesRps: list at least one rate',
      'c.yml: durationS: durationS is at most 86400 s',
      'c.yml: pauseS: pauseS is at most 3600 s',
      'c.yml: cooldown.maxWaitS: cooldown.maxWaitS is at most 3600 s',
      'c.yml: settleS: settleS is at most 600 s',
      'c.yml: drainTimeoutS: drainTimeoutS is at most 3600 s',
    ],
  );
  t.deepEqual(problems({ target: { kind: 'url', url: [] }, matrix: { ratesRps: [1] } }), ['c.yml: target.url: list at least one URL']);
  // The scheme is http or https exactly: not one that ends or starts with it.
  const url = (address: string) => problems({ target: { kind: 'url', url: [address] }, matrix: { ratesRps: [1] } });
  t.deepEqual(url('https://h:1'), []);
  t.deepEqual(url('xhttp://h:1'), ['c.yml: target.url[0]: expected an http(s) URL such as http://192.168.1.101:5000']);
  t.deepEqual(url('httpsx://h:1'), ['c.yml: target.url[0]: expected an http(s) URL such as http://192.168.1.101:5000']);
  const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`V${i}`, '1']));
  t.deepEqual(problems({ ...base, scenarioEnv: keys(256) }), []);
  t.deepEqual(problems({ ...base, scenarioEnv: keys(257) }), ['c.yml: scenarioEnv: at most 256 variables']);
  t.deepEqual(problems({ ...base, scenarioEnv: { A: 'x'.repeat(4096), B: 7 } }), []);
  t.deepEqual(parseBenchConfig({ ...base, scenarioEnv: { B: 7 } }, 'c.yml').scenarioEnv, { B: '7' });
});

test("replicas at each target's limit pass, one more is named with its service and index; the plan's size likewise", (t) => {
  t.deepEqual(problems({ matrix: { replicas: [64], ratesRps: [1] } }), []);
  t.deepEqual(problems({ matrix: { replicas: [1000], ratesRps: [1] } }), [
    'c.yml: matrix.replicas[0]: 1000 replicas; the local-shop target runs at most 64 (one worker process each)',
  ]);
  // Past the swarm's bound, the field's own message only.
  t.deepEqual(problems({ matrix: { replicas: [1001], ratesRps: [1] } }), ['c.yml: matrix.replicas[0]: at most 1000 replicas of a service']);
  t.deepEqual(problems({ target: { kind: 'swarm' }, matrix: { replicas: { shop: [1000] }, ratesRps: [1] } }), []);
  const go = { kind: 'local-go-coffee' };
  t.deepEqual(problems({ target: go, matrix: { replicas: { kitchen: [32], barista: [1, 33] }, ratesRps: [1] } }), [
    'c.yml: matrix.replicas.barista[1]: 33 replicas; the local-go-coffee target runs at most 32 (one process each)',
  ]);
  t.deepEqual(problems({ target: go, matrix: { replicas: [33], ratesRps: [1] } }), [
    'c.yml: matrix.replicas[0]: 33 replicas; the local-go-coffee target runs at most 32 (one process each)',
  ]);
  t.deepEqual(problems({ target: go, matrix: { ratesRps: [1] } }), ['c.yml: matrix.replicas: list replica counts, e.g. [1, 2] (they scale kitchen)']);
  t.deepEqual(problems({ target: { kind: 'swarm', entryService: 'proxy' }, matrix: { ratesRps: [1] } }), [
    'c.yml: matrix.replicas: list replica counts, e.g. [1, 2] (they scale proxy)',
  ]);
  t.deepEqual(problems({ matrix: { replicas: { shop: [1] }, ratesRps: [1] } }), []);
  // 100 rates × 100 repetitions × 1 replica count = 10 000 points, the limit; 73 rates × 137 counts = 10 001.
  const rates = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  t.deepEqual(problems({ matrix: { replicas: [1], ratesRps: rates(100), repetitions: 100 } }), []);
  // Repetitions multiply: 50 rates × 100 repetitions × 3 replica counts = 15 000.
  t.deepEqual(problems({ matrix: { replicas: [1, 2, 3], ratesRps: rates(50), repetitions: 100 } }), [
    'c.yml: matrix: 15000 points; a run has at most 10000: split it into several runs',
  ]);
  t.deepEqual(problems({ matrix: { replicas: Array.from({ length: 137 }, () => 1), ratesRps: rates(73) } }), [
    'c.yml: matrix: 10001 points; a run has at most 10000: split it into several runs',
  ]);
  // A url target is drained only when its services are named; with state none it needs nothing.
  const url = { kind: 'url', url: 'http://10.0.0.1:5000' };
  t.deepEqual(problems({ target: url, matrix: { ratesRps: [1] } }), []);
  t.is(problems({ target: url, matrix: { ratesRps: [1] }, state: 'drain' }).length, 1);
});

test('replicaMatrix names the service a plain list scales; a url target scales nothing', (t) => {
  const matrix = (input: object) => replicaMatrix(parseBenchConfig(input, 'c.yml'));
  t.deepEqual(matrix({ matrix: { replicas: [1, 2], ratesRps: [1] } }), { shop: [1, 2] });
  t.deepEqual(matrix({ target: { kind: 'local-go-coffee' }, matrix: { replicas: [3], ratesRps: [1] } }), { kitchen: [3] });
  t.deepEqual(matrix({ target: { kind: 'swarm', entryService: 'proxy' }, matrix: { replicas: [2], ratesRps: [1] } }), { proxy: [2] });
  t.deepEqual(matrix({ target: { kind: 'swarm' }, matrix: { replicas: { a: [1], b: [2, 3] }, ratesRps: [1] } }), { a: [1], b: [2, 3] });
  t.deepEqual(matrix({ target: { kind: 'url', url: 'http://h:1' }, matrix: { ratesRps: [1] } }), {});
});

test('a config that is no mapping: nothing at all reads as an empty one, a list is refused whole', async (t) => {
  t.deepEqual(problems(undefined), ['c.yml: matrix: Invalid input: expected object, received undefined']);
  t.deepEqual(problems(null), ['c.yml: matrix: Invalid input: expected object, received undefined']);
  t.deepEqual(problems([1]), ['c.yml: (root): Invalid input: expected object, received array']);
  t.deepEqual(problems('ab'), ['c.yml: (root): Invalid input: expected object, received string']);
  const missing = await t.throwsAsync(loadBenchConfig('/nonexistent/c.yml'), {
    instanceOf: UsageError,
    message: 'cannot read config /nonexistent/c.yml: no such file',
  });
  t.is((missing.cause as NodeJS.ErrnoException).code, 'ENOENT');
  const dir = new URL('.', import.meta.url).pathname;
  await t.throwsAsync(loadBenchConfig(dir), { message: `cannot read config ${dir}: EISDIR: illegal operation on a directory, read` });
});

test('scenario variables the script refuses: reserved and bad names, unknown keys, bad values, combinations its init refuses, each once', async (t) => {
  // Two rates: the script is checked once per rate, and a problem both checks find is said once.
  const config = parseBenchConfig({ ...base, matrix: { replicas: [1], ratesRps: [5, 50] } }, 'c.yml');
  const lines = async (scenarioEnv: Record<string, string>) => {
    try {
      await validateScenarioEnv({ ...config, scenarioEnv });
      return [];
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      return error.message.split('\n');
    }
  };
  t.deepEqual(await lines({}), []);
  const longKey = `${'k'.repeat(79)}-more`;
  t.deepEqual(await lines({ RATE: '3', 'bad key': 'x', DURATION: '1s', BASE_URL: 'h', PROFILE: 'p', [longKey]: 'x'.repeat(4097) }), [
    "scenario environment: RATE: set by the bench config's matrix.ratesRps; set it there instead",
    'scenario environment: "bad key": a variable name is letters, digits and _, not starting with a digit',
    "scenario environment: DURATION: set by the bench config's durationS; set it there instead",
    "scenario environment: BASE_URL: set by the bench config's target (the bench finds the gateways); set it there instead",
    "scenario environment: PROFILE: set by the bench config's profile; set it there instead",
    `scenario environment: "${'k'.repeat(79)}-": a variable name is letters, digits and _, not starting with a digit`,
    `scenario environment: "${'k'.repeat(79)}-": 4097 bytes; a value is at most 4096 bytes`,
  ]);
  t.deepEqual(await lines({ PROBE: 'maybe', NOPE: '1' }), [
    'scenario environment: PROBE: expected one of on, off, true, false, 1, 0, yes, no, got "maybe"',
    'scenario environment: NOPE: the script does not read this variable (it declares BASE_URL, PROFILE, RATE, DURATION, MAX_VUS, PRE_ALLOCATED_VUS, MIX, VUS, THINK_MIN, THINK_MAX, PROBE, PROBE_INTERVAL, PROBE_TIMEOUT, PROBE_POLL)',
  ]);
  // The script's init refuses these (ScenarioEnvError): its message lines, without file:line and stack.
  t.deepEqual(await lines({ MAX_VUS: '20', PRE_ALLOCATED_VUS: '30', MIX: 'browse=0,order=0,list=0' }), [
    'scenario environment: PRE_ALLOCATED_VUS: must not exceed MAX_VUS (20), got 30 (coffee.ts refused it)',
    'scenario environment: MIX: at least one weight must be > 0 (coffee.ts refused it)',
  ]);
  // 256 variables of 256 bytes (3-byte name, 253-byte value) are 65 536 bytes, the limit; a byte more is over it.
  const sized = (last: number) =>
    Object.fromEntries(Array.from({ length: 256 }, (_, i) => [`K${i.toString(16).padStart(2, '0')}`, 'v'.repeat(i === 255 ? last : 253)]));
  const bySize = (list: string[]) => list.filter((line) => !line.includes('the script does not read'));
  t.deepEqual(bySize(await lines(sized(253))), []);
  t.deepEqual(bySize(await lines({ K: 'x'.repeat(4096) })), []);
  t.deepEqual(bySize(await lines(sized(254))), ['scenario environment: 65537 bytes in all; the variables together are at most 65536 bytes']);
  const many = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`V${i}`, '1']));
  t.deepEqual(bySize(await lines(many)), ['scenario environment: 257 variables; at most 256']);
});

test("the warm-up turns the probe off in a script that has one (as the last check found it), and the point's own variables", async (t) => {
  const config = parseBenchConfig({ ...base, matrix: { replicas: [1], ratesRps: [5] }, scenarioEnv: { VUS: '3' } }, 'c.yml');
  await validateScenarioEnv(config);
  t.deepEqual(warmupEnv(scriptPath(config), { A: '1' }), { A: '1', PROBE: 'off' });
  t.deepEqual(warmupEnv('/elsewhere/never-checked.ts', { A: '1' }), { A: '1' });
  t.is(scriptPath(config), fileURLToPath(new URL('../../../scenarios/coffee.ts', import.meta.url)));
  t.deepEqual(pointEnv(config, { rateRps: 2.5, durationS: 20 }, ['http://a:1', 'http://b:2']), {
    VUS: '3',
    BASE_URL: 'http://a:1,http://b:2',
    PROFILE: 'load',
    RATE: '2.5',
    DURATION: '20s',
  });
});

test("a script's own error: its message lines without location, stack or blank lines, each naming the script", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'refuses-'));
  const file = join(dir, 'refuses.ts');
  await writeFile(file, "throw new Error('first line\\n\\n  \\nsecond line');\nexport default function () {}\n");
  const scenario = relative(SCENARIOS_DIR, file);
  const config = { ...parseBenchConfig(base, 'c.yml'), scenario };
  const error = await t.throwsAsync(validateScenarioEnv(config), { instanceOf: UsageError });
  t.deepEqual(error.message.split('\n'), [
    `scenario environment: first line (${scenario} refused it)`,
    `scenario environment: second line (${scenario} refused it)`,
  ]);
  // An error of its own name: the location goes, the name stays (only "…Error: " is dropped).
  await writeFile(file, "const error = new Error('nope');\nerror.name = 'Refusal';\nthrow error;\nexport default function () {}\n");
  const named = await t.throwsAsync(validateScenarioEnv(config), { instanceOf: UsageError });
  t.is(named.message, `scenario environment: Refusal: nope (${scenario} refused it)`);
  await rm(dir, { recursive: true });
});
