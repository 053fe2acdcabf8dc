// Which warnings a report shows, and when not: each at its threshold and just past it, with the
// numbers and hint the reader acts on, in the order the report lists them.
import test from 'ava';
import type { RunEvent } from '../../../../rundir/events.ts';
import type { Manifest } from '../../../../rundir/types.ts';
import type { PointInput } from '../../../../reports/ingest/rundir.ts';
import { buildRunModel } from '../../../../reports/model/run-model.ts';
import type { Warning, WarningOptions } from '../../../../reports/model/warnings.ts';
import { nodeSample, type PointOptions, pointInput, runInput, shopSamples, T0 } from '../../../helpers/model-input.ts';

type Node = Manifest['cluster']['nodes'][number];
const node = (name: string, role: Node['role']): Node => ({ name, role, leader: false, arch: 'x64', engineVersion: null, labels: {} });

/** The warnings of a run of these points, those about too few repetitions left out unless asked for. */
function warnings(points: PointInput[], o: { options?: WarningOptions; nodes?: Node[]; problems?: string[]; reps?: boolean } = {}): Warning[] {
  const run = runInput(points, o.nodes ? { cluster: { nodes: o.nodes } } : {}, o.problems);
  const found = buildRunModel(run, o.options).warnings;
  return o.reps ? found : found.filter((w) => w.code !== 'few-repetitions');
}

/** Three repetitions of one point, so no few-repetitions warning; `o` applies to the first. */
const point = (o: Partial<PointOptions> = {}) => pointInput({ pointId: 'p', latencies: [5], iterations: 100, ...o });

const THERMAL_HINT =
  'raise the cooldown gate or lengthen the cooldown timeout, and check the node has airflow; its results may reflect heat, not the configuration';

test('thermal: a node past the threshold during a point, its hottest zone or battery; at the threshold, no warning', (t) => {
  const nodes = [
    // The hottest sample first: the node's hottest over the point counts, not its last.
    nodeSample('n1', T0, { tempC: 65, batteryTempC: 71.25 }),
    nodeSample('n1', T0 + 1000, { tempC: 60 }),
    nodeSample('n2', T0, { tempC: 70 }),
    nodeSample('n3', T0, { tempC: null }),
  ];
  t.deepEqual(warnings([point({ nodes })]), [
    { code: 'thermal', pointId: 'p', node: 'n1', message: 'node n1 reached 71.3 °C during point p (threshold 70 °C)', hint: THERMAL_HINT },
  ]);
  t.deepEqual(warnings([point({ nodes })], { options: { thermalThresholdC: 71.25 } }), []);
  t.is(warnings([point({ nodes })], { options: { thermalThresholdC: 69.5 } }).length, 2, 'n1 and n2 past 69.5 °C');
  t.deepEqual(
    warnings([point({ nodes })], { options: { thermalThresholdC: -50 } }).map((w) => w.node),
    ['n1', 'n2'],
    'a node that reported no temperature is never past any threshold',
  );
});

test('throttled: the number of samples that ran below the maximum frequency', (t) => {
  const nodes = [
    nodeSample('n1', T0, { throttled: true }),
    nodeSample('n1', T0 + 1000),
    nodeSample('n1', T0 + 2000, { throttled: true }),
    nodeSample('n2', T0),
  ];
  t.deepEqual(warnings([point({ nodes })]), [
    {
      code: 'throttled',
      pointId: 'p',
      node: 'n1',
      message: 'node n1 ran below its maximum CPU frequency in 2 sample(s) of point p',
      hint: 'treat this point as throttled: cool the node down and rerun it, or compare only points with equal throttling',
    },
  ]);
});

test('generator saturated: a local node or one named like a generator averaging past the CPU share; other nodes never', (t) => {
  const nodes = [
    nodeSample('local', T0, { cpuPct: 80 }),
    nodeSample('local', T0 + 1000, { cpuPct: 90 }),
    nodeSample('local', T0 + 2000, { cpuPct: null }),
    nodeSample('Load-GENERATOR-2', T0, { cpuPct: 81 }),
    nodeSample('test-harness', T0, { cpuPct: 80 }),
    nodeSample('worker', T0, { cpuPct: 99 }),
    nodeSample('idle', T0, { cpuPct: null }),
  ];
  const cluster = [node('local', 'local'), node('Load-GENERATOR-2', 'worker'), node('test-harness', 'worker'), node('worker', 'worker'), node('idle', 'local')];
  const hint = 'the generator may be the bottleneck: lower the rate, move the generator off the system under test, or split the load over several generators';
  t.deepEqual(warnings([point({ nodes })], { nodes: cluster }), [
    { code: 'generator-saturated', pointId: 'p', node: 'local', message: 'load generator host local averaged 85.0 % CPU during point p (over 80 %)', hint },
    {
      code: 'generator-saturated',
      pointId: 'p',
      node: 'Load-GENERATOR-2',
      message: 'load generator host Load-GENERATOR-2 averaged 81.0 % CPU during point p (over 80 %)',
      hint,
    },
  ]);
  t.deepEqual(
    warnings([point({ nodes })], { nodes: cluster, options: { generatorCpuPct: 79.5 } }).map((w) => w.node),
    ['local', 'Load-GENERATOR-2', 'test-harness'],
  );
  t.deepEqual(warnings([point({ nodes })], { nodes: cluster, options: { generatorCpuPct: 85 } }), [], 'an average of exactly 85 % is not over 85 %');
  // A generator host with no CPU share in any sample counts as idle (0 %), not as unknown.
  t.deepEqual(
    warnings([point({ nodes: [nodeSample('local', T0, { cpuPct: null })] })], { nodes: cluster, options: { generatorCpuPct: -1 } }).map((w) => w.message),
    ['load generator host local averaged 0.0 % CPU during point p (over -1 %)'],
  );
});

test('a lost node, a flag of the harness and a point that did not complete are each flagged', (t) => {
  const lost: RunEvent = { timeMs: T0, pointId: 'p', type: 'node-lost', node: 'n2', reason: 'no sample' };
  const nameless = { timeMs: T0, pointId: 'p', type: 'node-lost', reason: 'no sample' } as unknown as RunEvent;
  const other: RunEvent = { timeMs: T0, pointId: 'p', type: 'node-back', node: 'n2' };
  const p = point({ events: [lost, nameless, other], result: { status: 'interrupted', flags: [{ code: 'hot', message: 'stayed at 90 °C' }] } });
  const relost = 'the swarm rescheduled tasks mid-measurement: rerun the point once the node is back';
  t.deepEqual(warnings([p]), [
    { code: 'flagged', pointId: 'p', node: 'n2', message: 'a node was lost during point p (n2)', hint: relost },
    { code: 'flagged', pointId: 'p', node: undefined, message: 'a node was lost during point p', hint: relost },
    {
      code: 'flagged',
      pointId: 'p',
      message: 'point p was flagged by the harness: hot: stayed at 90 °C',
      hint: "read the point's events.ndjson; rerun the point if the flag means its conditions were not met",
    },
    { code: 'flagged', pointId: 'p', message: 'point p is interrupted', hint: 'its numbers cover only part of the window: rerun it with `bench resume`' },
  ]);
  t.deepEqual(warnings([point({ result: null })]), [], 'no result.json: nothing flagged');
  t.deepEqual(
    warnings([point({ result: { status: 'failed' } })]).map((w) => w.message),
    ['point p is failed'],
  );
});

test('too many endpoint names: how many were merged, two of them, and a + once the count is capped', (t) => {
  const hint = 'give every request a fixed `name` tag in the scenario (k6 names a request by its URL otherwise)';
  const p = point();
  for (const name of ['/u/1', '/u/2', '/u/3']) p.samples.endpointsMerged.add(name);
  t.deepEqual(warnings([p]), [
    {
      code: 'too-many-endpoints',
      pointId: 'p',
      message: 'point p has more than 200 endpoint names; 3 more (e.g. /u/1, /u/2) are merged into "(other endpoints)"',
      hint,
    },
  ]);
  const capped = point();
  for (let i = 0; i < 200; i++) capped.samples.endpointsMerged.add(`/u/${i}`);
  t.regex(warnings([capped])[0]!.message, /; 200\+ more \(e\.g\. \/u\/0, \/u\/1\)/);
  const under = point();
  for (let i = 0; i < 199; i++) under.samples.endpointsMerged.add(`/u/${i}`);
  t.regex(warnings([under])[0]!.message, /; 199 more /);
});

test("missing and implausible data: the point's and the run's, each as read", (t) => {
  const p = point({ problems: ['missing k6.json.gz'], implausible: ['k6.json.gz: 2 latencies past a day'] });
  t.deepEqual(warnings([p], { problems: ['point q never finished'] }), [
    { code: 'missing-data', pointId: 'p', message: 'missing k6.json.gz', hint: "the point's numbers may be incomplete; rerun the point if it matters" },
    {
      code: 'implausible',
      pointId: 'p',
      message: 'implausible values left out of point p: k6.json.gz: 2 latencies past a day',
      hint: 'the file is damaged or was written by a broken generator or sampler; rerun the point if its numbers matter',
    },
    {
      code: 'missing-data',
      message: 'point q never finished',
      hint: 'finish the run with `bench resume`, or rerun it; the report covers only finished points',
    },
  ]);
});

test('rate not reached: below 95 % of the target, with the dropped iterations when there were any; no target, no warning', (t) => {
  const hint = 'give the generator more VUs (preAllocatedVUs/maxVUs) or a faster host; the system may also be saturated, which the latency columns show';
  t.deepEqual(warnings([point({ iterations: 94, dropped: 6 })]), [
    { code: 'rate-not-reached', pointId: 'p', message: 'point p achieved 9.4/s of a 10/s target (6 dropped iterations)', hint },
  ]);
  t.is(warnings([point({ iterations: 94 })])[0]!.message, 'point p achieved 9.4/s of a 10/s target');
  t.deepEqual(warnings([point({ iterations: 95 })]), [], 'exactly 95 %');
  t.deepEqual(warnings([point({ iterations: 94 })], { options: { minAchievedShare: 0.94 } }), []);
  t.deepEqual(warnings([point({ iterations: 0, latencies: [], rateRps: 0 })]), [], 'a target of 0/s');
});

test('a growing backlog and orders never fulfilled, with the numbers that show it', (t) => {
  // A window of 20 s in which the kitchen queue rises 2 messages a second; 1 order/s offered, 0.5/s fulfilled.
  const shop = shopSamples('p', T0, 20, { ordersPerS: 1, fulfilledPerS: 0.5, queued: (s) => 2 * s });
  const end = (neverFulfilled?: number) => ({ timeMs: T0, orders: 1, fulfilled: 1, inProgress: 0, queued: 0, unacked: 0, neverFulfilled });
  const p = point({ durationS: 20, iterations: 200, shop, result: { state: { mode: 'none', start: null, end: end(3) } } });
  t.deepEqual(warnings([p]), [
    {
      code: 'backlog-growing',
      pointId: 'p',
      message:
        "point p (svc×1 @ 10/s) ended with a growing backlog: the load is above what the shop fulfils; the latency you see is queueing (queued messages rose 2.00/s to 42; 1.00 orders/s offered, the probe's included, 0.50/s fulfilled)",
      hint: 'compare configurations by fulfilled orders per second, not HTTP latency; lower the rate below the fulfilment throughput or add kitchen replicas, and use state: reset or drain so the backlog does not load the next point',
    },
    {
      code: 'never-fulfilled',
      pointId: 'p',
      message: "3 order(s) of point p will never be fulfilled: every item was made, the order was not (the counter's lost updates)",
      hint: "upstream's counter updates an order without a lock when two of its items finish together; count throughput by fulfilled orders and expect probe orders that never arrive (order_fulfilled_ms then misses them)",
    },
  ]);
  const steady = shopSamples('p', T0, 20, { ordersPerS: 1, fulfilledPerS: 1 });
  t.deepEqual(warnings([point({ durationS: 20, iterations: 200, shop: steady, result: { state: { mode: 'none', start: null, end: end(0) } } })]), []);
  t.deepEqual(warnings([point({ durationS: 20, iterations: 200, shop: steady, result: { state: { mode: 'none', start: null, end: end() } } })]), []);
  // A snapshot alone: never-fulfilled is known, growth is not.
  t.deepEqual(
    warnings([point({ result: { state: { mode: 'reset', start: null, end: end(1) } } })]).map((w) => w.code),
    ['never-fulfilled'],
  );
});

test('too few repetitions: how many configurations ran fewer than the minimum, once for the run', (t) => {
  const reps = (replicas: number, n: number) =>
    Array.from({ length: n }, (_, i) =>
      pointInput({ pointId: `s${replicas}-${i}`, replicas: { svc: replicas }, repetition: i, latencies: [5], iterations: 100 }),
    );
  const few = warnings([...reps(1, 3), ...reps(2, 2), ...reps(3, 1)], { reps: true });
  t.deepEqual(few, [
    {
      code: 'few-repetitions',
      message: '2 of 3 configuration(s) ran fewer than 3 repetitions, so their confidence intervals are missing or wide',
      hint: 'set repetitions to 3 or more in the bench config',
    },
  ]);
  t.deepEqual(warnings(reps(1, 3), { reps: true }), [], 'three repetitions are enough');
  t.is(warnings([...reps(1, 3), ...reps(2, 2)], { reps: true, options: { minRepetitions: 2 } }).length, 0);
  t.regex(warnings(reps(1, 3), { reps: true, options: { minRepetitions: 4 } })[0]!.message, /^1 of 1 configuration\(s\) ran fewer than 4 /);
  t.deepEqual(warnings([], { reps: true }), [], 'no configuration at all');
});

test("an outlier among a configuration's repetitions by its p95 (MAD), named with the median", (t) => {
  const p95s = [10, 10.5, 11, 10.25, 30];
  const points = p95s.map((ms, i) => pointInput({ pointId: `r${i}`, repetition: i, latencies: [ms], iterations: 100 }));
  t.deepEqual(warnings(points), [
    {
      code: 'outlier',
      pointId: 'r4',
      message: 'point r4 is an outlier among the repetitions of svc×1 @ 10/s: p95 30.0 ms against a median of 10.5 ms (MAD)',
      hint: 'look at the node time series for heat, throttling or a background job during that point, and rerun it',
    },
  ]);
  t.deepEqual(warnings(points.slice(0, 4)), []);
});

test('the order of the warnings: per point as found, then the run, then rates, the shop, repetitions, outliers', (t) => {
  const shop = shopSamples('a', T0, 20, { ordersPerS: 1, fulfilledPerS: 0.5, queued: (s) => 2 * s });
  const a = pointInput({
    pointId: 'a',
    durationS: 20,
    // Requests over 19 s of the 20: the failed point's window is cut there, and still has the shop's growth.
    latencies: Array.from({ length: 20 }, () => 5),
    iterations: 10,
    shop,
    nodes: [nodeSample('local', T0, { tempC: 90, throttled: true, cpuPct: 95 })],
    problems: ['gap'],
    implausible: ['odd'],
    result: { status: 'failed', flags: [{ code: 'x', message: 'y' }] },
    events: [{ timeMs: T0, pointId: 'a', type: 'node-lost', node: 'local', reason: 'r' }],
  });
  a.samples.endpointsMerged.add('/u/1');
  const b = pointInput({ pointId: 'b', index: 1, replicas: { svc: 2 }, problems: ['b gap'] });
  t.deepEqual(
    warnings([a, b], { problems: ['run gap'], reps: true }).map((w) => `${w.code} ${w.pointId ?? ''}`),
    [
      'thermal a',
      'throttled a',
      'generator-saturated a',
      'flagged a',
      'flagged a',
      'flagged a',
      'too-many-endpoints a',
      'missing-data a',
      'implausible a',
      'missing-data b',
      'missing-data ',
      'rate-not-reached a',
      'rate-not-reached b',
      'backlog-growing a',
      'few-repetitions ',
    ],
  );
});
