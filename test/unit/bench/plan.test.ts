import test from 'ava';
import { parseBenchConfig } from '../../../bench/config.ts';
import { estimateDurationS, planPoints, remainingEstimateS, shuffle } from '../../../bench/plan.ts';
import { UsageError } from '../../../kernel/errors.ts';

const config = parseBenchConfig({ matrix: { replicas: [1, 2, 3], ratesRps: [5, 10], repetitions: 3 }, durationS: 10, warmupS: 2, pauseS: 1, seed: 42 }, 'test');

test('every configuration once per repetition, repetition by repetition', (t) => {
  const points = planPoints(config);
  t.is(points.length, 18);
  for (let rep = 1; rep <= 3; rep++) {
    const block = points.slice((rep - 1) * 6, rep * 6);
    t.true(block.every((p) => p.repetition === rep));
    t.is(new Set(block.map((p) => `${p.replicas.shop}@${p.rateRps}`)).size, 6);
  }
  t.deepEqual(
    points.map((p) => p.index),
    [...Array(18).keys()],
  );
  t.is(new Set(points.map((p) => p.pointId)).size, 18);
});

test('the same seed gives the same order; another seed another', (t) => {
  const ids = (seed: number) =>
    planPoints({ ...config, seed })
      .map((p) => `${p.replicas.shop}@${p.rateRps}`)
      .join(' ');
  t.is(ids(42), ids(42));
  t.not(ids(42), ids(7));
});

test('the estimate adds warm-up, window, start-up and cooldown per point', (t) => {
  t.is(estimateDurationS(config, planPoints(config), 1), 18 * (2 + 10 + 1 + 1));
});

test('config defaults live in the schema; mistakes are named with their path', (t) => {
  const minimal = parseBenchConfig({ matrix: { replicas: [1], ratesRps: [5] } }, 'x.yml');
  t.is(minimal.profile, 'load');
  t.is(minimal.target.kind, 'local-shop');
  t.is(minimal.matrix.repetitions, 1);
  const error = t.throws(
    () => parseBenchConfig({ matrix: { replicas: [1.5], ratesRps: [-1] }, profile: 'heavy', target: { kind: 'local-shop', port: 70000 } }, 'x.yml'),
    { instanceOf: UsageError },
  );
  const lines = error?.message.split('\n') ?? [];
  t.true(lines.some((l) => l.startsWith('x.yml: matrix.replicas[0]:')));
  t.true(lines.some((l) => l.startsWith('x.yml: matrix.ratesRps[0]: each rate must be > 0')));
  t.true(lines.some((l) => l.startsWith('x.yml: profile:')));
  t.true(lines.some((l) => l.startsWith('x.yml: target.port:')));
});

test('bench/config.schema.json is the schema generated from the config schema', async (t) => {
  const { readFile } = await import('node:fs/promises');
  const { benchConfigJsonSchema } = await import('../../../bench/config.ts');
  t.deepEqual(
    JSON.parse(await readFile(new URL('../../../bench/config.schema.json', import.meta.url), 'utf8')),
    JSON.parse(JSON.stringify(benchConfigJsonSchema())),
  );
});

test('every shipped config is valid', async (t) => {
  const { readdir } = await import('node:fs/promises');
  const { loadBenchConfig } = await import('../../../bench/config.ts');
  const dir = new URL('../../../bench/configs/', import.meta.url);
  for (const name of await readdir(dir)) {
    const warnings: string[] = [];
    const config = await loadBenchConfig(new URL(name, dir).pathname, (message) => warnings.push(message));
    t.true(planPoints(config).length > 0, name);
    t.deepEqual(warnings, [], name);
  }
});

test('cooldownS, the old name of pauseS, is still read, with a warning; both at once is an error', (t) => {
  const warnings: string[] = [];
  const old = parseBenchConfig({ matrix: { replicas: [1], ratesRps: [5] }, cooldownS: 7 }, 'old.yml', (message) => warnings.push(message));
  t.is(old.pauseS, 7);
  t.false('cooldownS' in old);
  t.is(warnings.length, 1);
  t.regex(warnings[0]!, /^old\.yml: cooldownS is now pauseS \(the pause between points; `cooldown` is the temperature gate\)/);
  t.throws(() => parseBenchConfig({ matrix: { replicas: [1], ratesRps: [5] }, cooldownS: 7, pauseS: 1 }, 'both.yml'), {
    message: /both\.yml: cooldownS: renamed pauseS .* keep pauseS only/,
  });
});

test('target local-go-coffee: a plain list scales the kitchen; it scales kitchen and barista only, each named', (t) => {
  const go = parseBenchConfig({ target: { kind: 'local-go-coffee' }, matrix: { replicas: [1, 2], ratesRps: [0.5] } }, 'x.yml');
  t.deepEqual(
    planPoints(go).map((p) => [p.pointId, p.replicas]),
    [
      ['p01-kitchen1-0.5rps-rep1', { kitchen: 1 }],
      ['p02-kitchen2-0.5rps-rep1', { kitchen: 2 }],
    ],
  );
  t.like(go.target, { kind: 'local-go-coffee', arch: 'amd64', port: 0, readyTimeoutS: 90 });
  const error = t.throws(
    () => parseBenchConfig({ target: { kind: 'local-go-coffee' }, matrix: { replicas: { kitchen: [1, 40], counter: [1, 2] }, ratesRps: [1] } }, 'x.yml'),
    { instanceOf: UsageError },
  );
  t.deepEqual(error.message.split('\n'), [
    'x.yml: matrix.replicas.counter: target.kind local-go-coffee scales kitchen and barista (more processes), not counter: remove it, or use target.kind swarm',
    'x.yml: matrix.replicas.kitchen[1]: 40 replicas; the local-go-coffee target runs at most 32 (one process each)',
  ]);
  t.regex(
    t.throws(() => parseBenchConfig({ target: { kind: 'local-go-coffee', arch: 'arm64' }, matrix: { replicas: [1], ratesRps: [1] } }, 'x.yml')).message,
    /^x\.yml: target\.arch: .*"amd64"\|"arm\/v7"/,
  );
});

test('target url: no replicas (it scales nothing), one URL or several, each an http(s) URL', (t) => {
  const url = parseBenchConfig({ target: { kind: 'url', url: 'http://10.0.0.1:5000' }, matrix: { ratesRps: [1, 2] } }, 'x.yml');
  t.deepEqual(url.target, { kind: 'url', url: ['http://10.0.0.1:5000'], readyTimeoutS: 30 });
  t.deepEqual(
    planPoints(url).map((p) => [p.pointId, p.replicas]),
    [
      ['p01-1rps-rep1', {}],
      ['p02-2rps-rep1', {}],
    ],
  );
  t.is(
    t.throws(() => parseBenchConfig({ target: { kind: 'url', url: 'http://h:5000' }, matrix: { replicas: [1, 2], ratesRps: [1] } }, 'x.yml')).message,
    'x.yml: matrix.replicas: target.kind url deploys and scales nothing (the deployment keeps its replicas): remove matrix.replicas',
  );
  t.regex(
    t.throws(() => parseBenchConfig({ target: { kind: 'url', url: ['ftp://h', 'x'] }, matrix: { ratesRps: [1] } }, 'x.yml')).message,
    /x\.yml: target\.url\[0\]: expected an http\(s\) URL/,
  );
  t.is(
    t.throws(() => parseBenchConfig({ target: { kind: 'swarm' }, matrix: { ratesRps: [1] } }, 'x.yml')).message,
    'x.yml: matrix.replicas: list replica counts, e.g. [1, 2] (they scale shop)',
  );
  t.is(
    t.throws(() => parseBenchConfig({ matrix: { replicas: { web: [1] }, ratesRps: [1] } }, 'x.yml')).message,
    'x.yml: matrix.replicas.web: target.kind local-shop scales shop, not web: remove it, or use target.kind swarm',
  );
});

test('a shuffle draws n − 1 random numbers (Fisher–Yates), so the next repetition’s order depends only on the seed', (t) => {
  let draws = 0;
  const counting = () => {
    draws++;
    return 0.5;
  };
  // With 0.5 every time: i=3 swaps with ⌊0.5·4⌋=2 (a b d c), i=2 with ⌊0.5·3⌋=1 (a d b c), i=1 with ⌊0.5·2⌋=1.
  t.deepEqual(shuffle(['a', 'b', 'c', 'd'], counting), ['a', 'd', 'b', 'c']);
  t.is(draws, 3);
  t.deepEqual(shuffle([], counting), []);
  t.is(draws, 3);
});

test('point ids: index, each service’s replicas (name without punctuation), rate, repetition; no base URL unless given', (t) => {
  const swarm = parseBenchConfig(
    {
      target: { kind: 'swarm', stack: 'stacks/go-coffee.yml', stackName: 'gc', entryService: 'proxy', entryPort: 5000 },
      matrix: { replicas: { 'go-coffee_kitchen': [2], barista: [1] }, ratesRps: [7] },
    },
    'x.yml',
  );
  const [point] = planPoints(swarm);
  t.is(point?.pointId, 'p01-gocoffeekitchen2-barista1-7rps-rep1');
  t.is(point?.baseUrl, '');
  t.is(planPoints(swarm, 'http://gw:5000')[0]?.baseUrl, 'http://gw:5000');
});

test('time left: the plan of the rest at the pace shown so far; the plan alone before any point has run', (t) => {
  t.is(remainingEstimateS(100, 150, 200), 300, 'the points so far took 1.5× their plan: so will the rest');
  t.is(remainingEstimateS(100, 50, 200), 100, 'or half of it');
  t.is(remainingEstimateS(0, 10, 200), 200, 'nothing planned done yet: the plan');
  t.is(remainingEstimateS(100, 0, 200), 200, 'no time elapsed yet: the plan');
  t.is(remainingEstimateS(0, 0, 0), 0);
});
