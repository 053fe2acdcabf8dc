// The run model from in-memory input (no run directory, no rendering): each point's numbers and
// window, the configurations' medians and pooled samples, the shop's fulfilment per configuration,
// the node and shop time lines, and the run's own fields.
import test from 'ava';
import type { RunEvent } from '../../../../rundir/events.ts';
import { buildRunModel, configKeyOf, configLabelOf, nodeSeries, pointRow, shopSeriesRows } from '../../../../reports/model/run-model.ts';
import { Histogram } from '../../../../reports/stats/histogram.ts';
import { addRequest, nodeSample, pointInput, runInput, sample, shopSamples, T0 } from '../../../helpers/model-input.ts';

const T0S = T0 / 1000;
const range = (n: number, f: (i: number) => number = (i) => i + 1) => Array.from({ length: n }, (_, i) => f(i));
const near = (actual: number | null | undefined, expected: number) => actual != null && Math.abs(actual - expected) <= Math.abs(expected) * 0.003;

test('a configuration is its scenario, profile, rate and replicas (in name order); its label names replicas and rate', (t) => {
  const spec = pointInput({ pointId: 'p', replicas: { web: 2, api: 1 }, rateRps: 20 }).spec;
  t.is(
    configKeyOf(spec),
    JSON.stringify([
      'coffee-order',
      'default',
      20,
      [
        ['api', 1],
        ['web', 2],
      ],
    ]),
  );
  t.is(configKeyOf(spec), configKeyOf({ ...spec, replicas: { api: 1, web: 2 }, pointId: 'q', repetition: 3 }));
  t.not(configKeyOf(spec), configKeyOf({ ...spec, scenario: 'other' }));
  t.not(configKeyOf(spec), configKeyOf({ ...spec, profile: 'other' }));
  t.is(configLabelOf(spec), 'api×1 web×2 @ 20/s');
  t.is(configLabelOf({ ...spec, replicas: {} }), 'no scaling @ 20/s');
});

test("a point's numbers: requests and failures by endpoint, error share, rates over the scheduled window, checks in name order", (t) => {
  const p = pointInput({
    pointId: 'p1',
    index: 4,
    repetition: 2,
    replicas: { svc: 3 },
    rateRps: 12,
    durationS: 10,
    latencies: range(100),
    requests: [
      ...range(10, (i) => i).map((i) => ({ timeMs: T0 + 100 * i, ms: 500, name: 'a-fail', failed: true })),
      // The probe's requests count for their endpoint and the errors, not for the main load's rate or latency.
      ...range(5, (i) => i).map((i) => ({ timeMs: T0 + 100 * i, ms: 900, name: 'probe-x', scenario: 'probe' })),
      { timeMs: T0 + 9000, ms: 7, name: 'b-ok' },
    ],
    iterations: 50,
    dropped: 3,
    events: [{ timeMs: T0 - 500, pointId: 'p1', type: 'converged', convergenceMs: 1234, baseUrls: [] }],
  });
  sample(p.samples, { metric: 'checks', value: 1, check: 'b is 2xx', timeMs: T0 });
  sample(p.samples, { metric: 'checks', value: 0, check: 'b is 2xx', timeMs: T0 });
  sample(p.samples, { metric: 'checks', value: 1, check: 'a is 2xx', timeMs: T0 });
  const row = pointRow(p);
  t.like(row, {
    pointId: 'p1',
    index: 4,
    repetition: 2,
    replicas: { svc: 3 },
    configLabel: 'svc×3 @ 12/s',
    targetRps: 12,
    requests: 116,
    failed: 10,
    droppedIterations: 3,
    convergenceMs: 1234,
    windowStartMs: T0,
    windowEndMs: T0 + 10_000,
    status: 'complete',
    flags: [],
    shop: null,
  });
  t.is(row.errorPct, (100 * 10) / 116);
  t.is(row.achievedRps, 5, '50 iterations over 10 s');
  t.is(row.requestsPerS, 11.1, '111 main-load requests over 10 s');
  t.deepEqual(row.checks, [
    { check: 'a is 2xx', passes: 1, fails: 0 },
    { check: 'b is 2xx', passes: 1, fails: 1 },
  ]);
  t.deepEqual(
    row.endpoints.map((e) => [e.endpoint, e.requests, e.failed, e.latency.count]),
    [
      ['b-ok', 1, 0, 1],
      ['e', 100, 0, 100],
      ['probe-x', 5, 0, 5],
    ],
    'endpoints with latencies, in name order (a failed request has no latency of its own endpoint)',
  );
  t.true(near(row.endpoints.find((e) => e.endpoint === 'probe-x')!.latency.p50Ms, 900));
  t.is(row.latency.count, 101);
  t.true(near(row.latency.p95Ms, 95));
  t.is(row.failedLatency.count, 10);
  t.true(near(row.failedLatency.p50Ms, 500));
  t.is(row.orderFulfilled.count, 0);
});

test('without iterations the achieved rate is the main-load requests per second; no convergence event, no convergence time', (t) => {
  const row = pointRow(pointInput({ pointId: 'p', durationS: 4, latencies: range(30) }));
  t.is(row.achievedRps, 7.5);
  t.is(row.requestsPerS, 7.5);
  t.is(row.convergenceMs, null);
  t.is(row.errorPct, 0);
  const empty = pointRow(pointInput({ pointId: 'q', durationS: 4 }));
  t.deepEqual([empty.requests, empty.errorPct, empty.achievedRps], [0, 0, 0]);
});

test('the window: from load-start (else the first request) for the spec duration; an unfinished point is cut at its last request', (t) => {
  const requests = [
    { timeMs: T0 + 2000, ms: 5 },
    { timeMs: T0 + 6000, ms: 5 },
  ];
  const noEvent = pointRow(pointInput({ pointId: 'p', loadStartMs: null, durationS: 10, requests }));
  t.deepEqual([noEvent.windowStartMs, noEvent.windowEndMs], [T0 + 2000, T0 + 12_000]);
  t.is(noEvent.achievedRps, 0.2);

  const interrupted = pointRow(pointInput({ pointId: 'p', durationS: 10, requests, result: { status: 'interrupted' } }));
  t.deepEqual([interrupted.windowStartMs, interrupted.windowEndMs, interrupted.status], [T0, T0 + 6000, 'interrupted']);
  t.is(interrupted.achievedRps, 2 / 6, 'two requests over the 6 s it ran');

  const late = pointRow(pointInput({ pointId: 'p', durationS: 4, requests, result: { status: 'failed' } }));
  t.is(late.windowEndMs, T0 + 4000, 'never past the scheduled duration');

  const none = pointRow(pointInput({ pointId: 'p', loadStartMs: null, durationS: 5, iterations: 10 }));
  t.deepEqual([none.windowStartMs, none.windowEndMs, none.achievedRps], [null, null, 2]);

  const silent = pointRow(pointInput({ pointId: 'p', durationS: 5, iterations: 10, result: { status: 'interrupted' } }));
  t.deepEqual([silent.windowStartMs, silent.windowEndMs, silent.achievedRps], [T0, T0 + 5000, 2], 'no request to cut at: the whole duration');

  // Cut at its load-start: no time at all, the rate is counted over 1 s rather than divided by 0.
  const instant = pointRow(pointInput({ pointId: 'p', durationS: 5, requests: [{ timeMs: T0, ms: 1 }], result: { status: 'interrupted' } }));
  t.deepEqual([instant.windowEndMs, instant.achievedRps, instant.requestsPerS], [T0, 1, 1]);
  const before = pointRow(pointInput({ pointId: 'p', durationS: 5, requests: [{ timeMs: T0 - 3000, ms: 1 }], result: { status: 'interrupted' } }));
  t.deepEqual([before.windowEndMs, before.achievedRps], [T0, 1], 'a last request before load-start is no negative window');
});

test("a point without result.json is complete with no flags; a result's flags and status are the row's", (t) => {
  const row = pointRow(pointInput({ pointId: 'p', result: null, durationS: 10, requests: [{ timeMs: T0 + 2000, ms: 1 }] }));
  t.deepEqual([row.status, row.flags], ['complete', []]);
  t.is(row.windowEndMs, T0 + 10_000, 'complete: the whole duration, not cut at the last request');
  const flags = [{ code: 'hot', message: 'node stayed hot' }];
  t.deepEqual(pointRow(pointInput({ pointId: 'p', result: { status: 'failed', flags } })).flags, flags);
});

test('the shop analysis: from shop samples in the window, or from the state snapshot alone; none without either', (t) => {
  const withSamples = pointRow(pointInput({ pointId: 'p', durationS: 20, shop: shopSamples('p', T0, 25, { ordersPerS: 1, fulfilledPerS: 0.5 }) }));
  t.is(withSamples.shop!.samples, 26);
  t.is(withSamples.shop!.offeredOrdersPerS, 1);
  t.is(withSamples.shop!.fulfilledPerS, 0.5);
  t.is(withSamples.shop!.fulfilledBlocks.length, 4, 'the window T0 … T0 + 20 s, not the samples after it');
  const end = { timeMs: T0, orders: 10, fulfilled: 7, inProgress: 3, queued: 0, unacked: 0, neverFulfilled: 2 };
  const stateOnly = pointRow(pointInput({ pointId: 'p', result: { state: { mode: 'reset', start: null, end } } }));
  t.like(stateOnly.shop, { samples: 0, neverFulfilled: 2, stateMode: 'reset' });
  t.is(pointRow(pointInput({ pointId: 'p' })).shop, null);
});

/** Three repetitions of svc×1 and one of svc×2, interleaved as a run orders them. */
function groupedRun() {
  const rep = (pointId: string, index: number, repetition: number, base: number, failed: number) =>
    pointInput({
      pointId,
      index,
      repetition,
      durationS: 10,
      latencies: range(100, (i) => base + i),
      requests: range(failed, (i) => i).map((i) => ({ timeMs: T0 + i, ms: 3, failed: true })),
      iterations: 10 * (index + 1),
      orderFulfilled: [base * 10],
    });
  const two = pointInput({ pointId: 'b', index: 1, replicas: { svc: 2 }, durationS: 10, latencies: range(50), iterations: 7 });
  return runInput([rep('a0', 0, 0, 10, 0), two, rep('a1', 2, 1, 30, 25), rep('a2', 3, 2, 20, 100)]);
}

test('configurations in the order the run met them, each with its repetitions and the medians of their numbers', (t) => {
  const model = buildRunModel(groupedRun());
  t.deepEqual(
    model.groups.map((g) => [g.configLabel, g.pointIds, g.targetRps, g.replicas]),
    [
      ['svc×1 @ 10/s', ['a0', 'a1', 'a2'], 10, { svc: 1 }],
      ['svc×2 @ 10/s', ['b'], 10, { svc: 2 }],
    ],
  );
  const g = model.groups[0]!;
  t.is(g.configKey, model.points[0]!.configKey);
  t.deepEqual(g.achievedRps.values, [1, 3, 4]);
  t.is(g.achievedRps.median, 3);
  t.truthy(g.achievedRps.ci);
  t.deepEqual(g.errorPct.values, [0, 20, 50]);
  t.is(g.errorPct.median, 20);
  // Latencies base … base + 99 ms: p50 is base + 49, p95 base + 94, p99 base + 98; the medians are the base-20 repetition's.
  t.true(near(g.p50Ms.median, 69), String(g.p50Ms.median));
  t.true(near(g.p95Ms.median, 114), String(g.p95Ms.median));
  t.true(near(g.p99Ms.median, 118), String(g.p99Ms.median));
  t.deepEqual(g.p95Ms.values.length, 3);
  t.is(g.pooledLatency.count, 300);
  t.true(near(g.pooledLatency.p50Ms, 69), 'the pooled median of 10…129 ms');
  t.is(model.groups[1]!.p50Ms.ci, null, 'one repetition: no interval');
  t.is(g.fulfilment, null, 'no shop samples');
});

test("a configuration's pooled samples: every repetition's histograms merged, requests and failures summed", (t) => {
  const model = buildRunModel(groupedRun());
  const pooled = model.pooled.get(model.groups[0]!.configKey)!;
  t.is(pooled.requests, 300 + 125);
  t.is(pooled.failed, 125);
  t.is(pooled.latency.count, 300);
  t.is(pooled.latency.min, 10);
  t.is(pooled.latency.max, 129);
  t.deepEqual([...pooled.byEndpoint.keys()], ['e']);
  t.is(pooled.byEndpoint.get('e')!.count, 300);
  t.is(pooled.orderFulfilled.count, 3);
  t.is(pooled.orderFulfilled.max, 300);
  t.is(model.pooled.get(model.groups[1]!.configKey)!.requests, 50);
  t.is(model.pooled.size, 2);
});

test("requests per whole second inside the window only: the window's partial first and last seconds are left out", (t) => {
  // Load from T0 + 0.5 s for 10 s, a request every 100 ms: seconds T0+1 … T0+9 are whole, 10 each.
  const p = pointInput({ pointId: 'p', loadStartMs: T0 + 500, durationS: 10, latencies: range(100) });
  const model = buildRunModel(runInput([p]));
  t.deepEqual(
    model.pooled.get(model.points[0]!.configKey)!.requestsPerSecond,
    range(9, () => 10),
  );
  // A window on whole seconds keeps all 10; requests outside it (before the load-start) are not counted.
  const q = pointInput({ pointId: 'q', durationS: 10, latencies: range(100), requests: [{ timeMs: T0 - 1500, ms: 1 }] });
  t.deepEqual(
    buildRunModel(runInput([q]))
      .pooled.values()
      .next().value!.requestsPerSecond,
    range(10, () => 10),
  );
  t.is(p.samples.requestsPerSecond.get(T0S), 5);
});

test('requests per second in time order, whatever order the samples came in', (t) => {
  const p = pointInput({ pointId: 'p', durationS: 5, requests: [3, 1, 2, 4, 3, 3, 2, 1].map((s) => ({ timeMs: T0 + s * 1000 + 10, ms: 1 })) });
  t.deepEqual(
    buildRunModel(runInput([p]))
      .pooled.values()
      .next().value!.requestsPerSecond,
    [2, 2, 3, 1],
  );
});

test('a repetition without a successful request adds no latency to its configuration', (t) => {
  const ok = (i: number) => pointInput({ pointId: `p${i}`, repetition: i, latencies: [10 * (i + 1)] });
  const failing = pointInput({ pointId: 'p2', repetition: 2, requests: [{ timeMs: T0, ms: 1, failed: true }] });
  const g = buildRunModel(runInput([ok(0), ok(1), failing])).groups[0]!;
  t.deepEqual(g.p50Ms.values, [10, 20]);
  t.is(g.p50Ms.median, 15);
  t.deepEqual(g.errorPct.values, [0, 0, 100]);
});

test('custom trends are pooled only where the run recorded what they are', (t) => {
  const facts = { type: 'trend', unit: 'time', better: 'lower', custom: true } as const;
  const a = pointInput({ pointId: 'a', trends: { brew_ms: [1, 2, 3], mystery: [5] }, metrics: { brew_ms: facts } });
  const b = pointInput({ pointId: 'b', index: 1, repetition: 1, trends: { brew_ms: [4] }, metrics: { brew_ms: facts } });
  const pooled = buildRunModel(runInput([a, b]))
    .pooled.values()
    .next().value!;
  t.deepEqual([...pooled.customTrends.keys()], ['brew_ms']);
  t.is(pooled.customTrends.get('brew_ms')!.histogram.count, 4);
  t.deepEqual(pooled.customTrends.get('brew_ms')!.facts, facts);
});

test("a configuration's fulfilment over its repetitions: mean rate with an interval, median offered rate, growth, drain and lost orders", (t) => {
  const end = (neverFulfilled?: number) => ({ timeMs: T0, orders: 1, fulfilled: 1, inProgress: 0, queued: 0, unacked: 0, neverFulfilled });
  const rep = (i: number, fulfilledPerS: number, o: { grow?: boolean; lost?: number; drained?: boolean } = {}) =>
    pointInput({
      pointId: `s${i}`,
      index: i,
      repetition: i,
      durationS: 20,
      latencies: [1],
      shop: shopSamples(`s${i}`, T0, 30, {
        ordersPerS: 1,
        fulfilledPerS,
        queued: (s) => (o.grow ? s : 0),
        unacked: (s) => (o.drained && s >= 24 ? 0 : 2),
      }),
      result: { state: { mode: 'none', start: null, end: end(o.lost) } },
    });
  const model = buildRunModel(
    runInput([
      rep(0, 0.5, { grow: true, lost: 2 }),
      rep(1, 0.6, { drained: true, lost: 1 }),
      rep(2, 0.8, { drained: true }),
      pointInput({ pointId: 'x', index: 3, replicas: { svc: 9 } }),
    ]),
  );
  const f = model.groups[0]!.fulfilment!;
  t.true(near(f.fulfilledPerS.value, (0.5 + 0.6 + 0.8) / 3), String(f.fulfilledPerS.value));
  t.truthy(f.fulfilledPerS.ci);
  t.true(f.fulfilledPerS.ci!.low < f.fulfilledPerS.value! && f.fulfilledPerS.value! < f.fulfilledPerS.ci!.high);
  t.is(f.offeredOrdersPerS, 1);
  t.is(f.growing, 1);
  t.is(f.neverFulfilled, 3, 'summed over the repetitions that know');
  t.is(f.drainS, 4, 'median of the three: measured 4 s twice, an estimate once');
  t.deepEqual(f.drainBasis, ['estimated', 'measured']);
  t.is(f.orderFulfilled.count, 0);
  t.is(model.groups[1]!.fulfilment, null, 'no shop samples');
  t.deepEqual(
    model.pooled.get(model.groups[0]!.configKey)!.fulfilledBlocks,
    model.points.slice(0, 3).flatMap((p) => p.shop!.fulfilledBlocks),
  );
  t.is(model.pooled.get(model.groups[0]!.configKey)!.fulfilledBlocks.length, 12);

  const unknown = buildRunModel(runInput([rep(0, 0.5), rep(1, 0.5)])).groups[0]!.fulfilment!;
  t.is(unknown.neverFulfilled, null, 'no repetition knows its lost orders');
  const stateOnly = pointInput({ pointId: 'z', result: { state: { mode: 'reset', start: null, end: end(4) } } });
  t.is(buildRunModel(runInput([stateOnly])).groups[0]!.fulfilment, null, 'a snapshot without samples has no fulfilment');
  // A repetition that fulfilled nothing and never drained has no drain time: the others' median, their basis only.
  const partly = buildRunModel(runInput([rep(1, 0.6, { drained: true }), rep(3, 0)])).groups[0]!.fulfilment!;
  t.deepEqual([partly.drainS, partly.drainBasis, partly.growing], [4, ['measured'], 0]);
});

test("the next point's drain is credited to the point before it, unless it timed out or was a reset", (t) => {
  const drainEvent = (timeMs: number, mode: 'drain' | 'reset', timedOut = false): RunEvent => ({
    timeMs,
    pointId: 'n',
    type: 'state',
    mode,
    method: 'wait',
    durationMs: 1,
    timedOut,
    before: null,
    after: null,
  });
  const backlogged = (pointId: string, index: number, events: RunEvent[] = []) =>
    pointInput({ pointId, index, durationS: 10, shop: shopSamples(pointId, T0, 10, { ordersPerS: 1, fulfilledPerS: 0 }), events });
  const rows = (next: RunEvent[]) => buildRunModel(runInput([backlogged('a', 0), backlogged('b', 1, next)])).points;
  const [a] = rows([drainEvent(T0 + 25_000, 'drain')]);
  t.deepEqual([a!.shop!.drainS, a!.shop!.drainBasis], [15, 'next-drain']);
  t.is(rows([drainEvent(T0 + 25_000, 'drain', true)])[0]!.shop!.drainBasis, null);
  t.is(rows([drainEvent(T0 + 25_000, 'reset')])[0]!.shop!.drainBasis, null);
  t.is(rows([])[0]!.shop!.drainBasis, null);
  // The last point has no next one; a point without shop metrics takes no credit.
  t.is(rows([drainEvent(T0 + 25_000, 'drain')])[1]!.shop!.drainBasis, null);
  const plain = buildRunModel(runInput([pointInput({ pointId: 'a' }), backlogged('b', 1, [drainEvent(T0 + 25_000, 'drain')])]));
  t.is(plain.points[0]!.shop, null);
});

test('the shop time line: every point on one clock from the first sample, in time order', (t) => {
  const a = pointInput({ pointId: 'a', shop: shopSamples('a', T0 + 5000, 1, { ordersPerS: 1, fulfilledPerS: 0, queued: () => 3 }) });
  const b = pointInput({ pointId: 'b', index: 1, shop: shopSamples('b', T0 + 2000, 1, { ordersPerS: 2, fulfilledPerS: 0 }) });
  b.shop.reverse();
  t.deepEqual(shopSeriesRows([a, b]), [
    { tMs: 0, timeMs: T0 + 2000, pointId: 'b', backlog: 2, inProgress: 0 },
    { tMs: 1000, timeMs: T0 + 3000, pointId: 'b', backlog: 2, inProgress: 2 },
    { tMs: 3000, timeMs: T0 + 5000, pointId: 'a', backlog: 5, inProgress: 0 },
    { tMs: 4000, timeMs: T0 + 6000, pointId: 'a', backlog: 5, inProgress: 1 },
  ]);
  // The clock starts at the earliest sample whichever point has it, not at the last point's first.
  t.deepEqual(shopSeriesRows([b, a]), shopSeriesRows([a, b]));
  t.deepEqual(shopSeriesRows([pointInput({ pointId: 'c' })]), []);
  t.deepEqual(buildRunModel(runInput([a, b])).shopSeries, shopSeriesRows([a, b]));
});

test('node series: one per node in name order, samples in time order from the first sample of any node', (t) => {
  const a = pointInput({
    pointId: 'a',
    nodes: [
      nodeSample('zeta', T0 + 3000, { cpuPct: 10, tempC: 50, batteryTempC: 55, freqsKHz: [1_000_000, 2_000_000, 'offline', null], throttled: true }),
      nodeSample('alpha', T0 + 2000, { cpuPct: null, tempC: null, freqsKHz: [null] }),
    ],
  });
  const b = pointInput({ pointId: 'b', index: 1, nodes: [nodeSample('zeta', T0 + 1000, { pointId: null, tempC: 60 })] });
  const series = nodeSeries([a, b]);
  t.deepEqual(
    series.map((s) => s.node),
    ['alpha', 'zeta'],
  );
  t.deepEqual(series[1]!.samples, [
    { tMs: 0, timeMs: T0 + 1000, pointId: null, cpuPct: 40, tempC: 60, freqMHz: 2400, throttled: false },
    { tMs: 2000, timeMs: T0 + 3000, pointId: 'p', cpuPct: 10, tempC: 55, freqMHz: 1500, throttled: true },
  ]);
  t.deepEqual(series[0]!.samples, [{ tMs: 1000, timeMs: T0 + 2000, pointId: 'p', cpuPct: null, tempC: null, freqMHz: null, throttled: false }]);
  t.deepEqual(nodeSeries([b, a]), series, 'the clock starts at the earliest sample whichever point has it');
  t.deepEqual(nodeSeries([pointInput({ pointId: 'c' })]), []);
});

test("the run's own fields from the manifest, with what is unknown said plainly; endpoints over every point", (t) => {
  const a = pointInput({ pointId: 'a', requests: [{ timeMs: T0, ms: 1, name: 'zz' }] });
  const b = pointInput({
    pointId: 'b',
    index: 1,
    requests: [
      { timeMs: T0, ms: 1, name: 'aa' },
      { timeMs: T0, ms: 1, name: 'zz' },
    ],
  });
  const model = buildRunModel(runInput([a, b], { runId: 'run-7', status: 'interrupted', config: { x: 1 } }));
  t.like(model, {
    runId: 'run-7',
    dir: '/runs/r',
    status: 'interrupted',
    startedAt: new Date(T0).toISOString(),
    endedAt: new Date(T0 + 60_000).toISOString(),
    gitCommit: 'abc1234',
    toolVersion: '0.1.0',
    loadGenerator: 'engine 1.2.3',
    config: { x: 1 },
  });
  t.deepEqual(model.nodes, [{ name: 'local', role: 'local', arch: 'x64', labels: {} }]);
  t.deepEqual(model.endpoints, ['aa', 'zz']);
  t.deepEqual(
    model.points.map((p) => p.pointId),
    ['a', 'b'],
  );
  t.true(
    model.warnings.some((w) => w.code === 'few-repetitions'),
    'the warnings are found',
  );

  const bare = runInput([], {});
  const manifest = bare.manifest as unknown as Record<string, unknown>;
  for (const key of ['endedAt', 'gitCommit', 'toolVersion', 'loadGenerator', 'config']) delete manifest[key];
  manifest.cluster = { nodes: [{ name: 'n1' }] };
  const unknown = buildRunModel(bare);
  t.like(unknown, { endedAt: null, gitCommit: null, toolVersion: '', loadGenerator: 'unknown', config: null, points: [], groups: [], endpoints: [] });
  t.deepEqual(unknown.nodes, [{ name: 'n1', role: '', arch: '', labels: {} }]);
  delete manifest.cluster;
  t.deepEqual(buildRunModel(bare).nodes, []);
  t.deepEqual(unknown.nodeSeries, []);
  t.is(unknown.pooled.size, 0);
});

test('a histogram of the failed requests is apart from the successful ones', (t) => {
  const p = pointInput({ pointId: 'p' });
  addRequest(p.samples, { timeMs: T0, ms: 2, failed: true });
  addRequest(p.samples, { timeMs: T0, ms: 40 });
  const row = pointRow(p);
  t.deepEqual([row.latency.count, row.failedLatency.count, row.latency.maxMs, row.failedLatency.maxMs], [1, 1, 40, 2]);
  t.true(new Histogram().count === 0);
});
