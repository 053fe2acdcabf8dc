import test from 'ava';
import { AlarmHub } from '../../../engine/host/alarm.ts';
import { newCounters } from '../../../engine/host/counters.ts';
import { createRunner, type ExecutorContext, executorMetrics, wholeShare } from '../../../engine/host/executors.ts';
import type { IterationStart, Vu } from '../../../engine/host/vus.ts';
import { VuIo } from '../../../engine/http/perform.ts';
import { Registry } from '../../../engine/metrics/registry.ts';
import { BUILTIN_METRICS } from '../../../engine/metrics/types.ts';
import type { Outcome } from '../../../engine/runtime/vu.ts';
import { epochMs } from '../../../engine/time.ts';

/** A VU whose iterations end when the test says so; it stands for one with a request in flight. */
class HeldVu implements Vu {
  busy = false;
  warm = false;
  readonly io: VuIo;
  /** iterationInTest of every iteration it started. */
  readonly ran: number[] = [];
  private finish: (() => void) | null = null;
  constructor(
    readonly id: number,
    registry: Registry,
  ) {
    this.io = new VuIo(registry.tags.empty);
  }
  run(start: IterationStart): Promise<Outcome> {
    this.ran.push(start.iterationInTest);
    return new Promise((resolve) => (this.finish = () => resolve({ status: 'ok' })));
  }
  get holding(): boolean {
    return this.finish !== null;
  }
  release(): void {
    const finish = this.finish;
    this.finish = null;
    finish?.();
  }
  interrupt(): void {
    this.release();
  }
  close(): void {}
}

/** constant-arrival-rate at `rate`/s with `vus` pre-allocated VUs, on a context whose "requests in flight" are the held VUs. */
function setUp(rate: number, vus: number, onInFlightAsked: () => void = () => {}) {
  const registry = new Registry();
  for (const info of BUILTIN_METRICS) registry.define(info);
  const made: HeldVu[] = [];
  const ctx: ExecutorContext = {
    registry,
    // Held VUs count as requests in flight for the alarms too (they then wake by timer, never sleep the thread).
    alarms: new AlarmHub(() => (made.some((vu) => vu.holding) ? epochMs() : null)),
    counters: newCounters(),
    scenarioCounters: new Int32Array(new SharedArrayBuffer(4)),
    metrics: executorMetrics(registry),
    globalTags: {},
    requestsInFlight: () => {
      onInFlightAsked();
      return made.filter((vu) => vu.holding).length;
    },
    minIterationDurationMs: 0,
    noCookiesReset: true,
    createVu: async (_share, slot) => {
      const vu = new HeldVu(slot + 1, registry);
      made.push(vu);
      return vu;
    },
    setupDataJson: () => null,
    iterationError: () => {},
    aborted: () => {},
  };
  const share = wholeShare({
    name: 'main',
    exec: 'default',
    startTimeMs: 0,
    gracefulStopMs: 0,
    tags: {},
    env: {},
    executor: 'constant-arrival-rate',
    rate,
    timeUnitMs: 1000,
    durationMs: 60_000,
    preAllocatedVUs: vus,
    maxVUs: vus,
  });
  return { runner: createRunner(share, ctx), made, alarms: ctx.alarms };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
const until = async (what: () => boolean) => {
  const limit = Date.now() + 5000;
  while (!what() && Date.now() < limit) await turn();
};

// Seen failing with the hold-back removed from ArrivalRunner.tick (executors.ts): iteration 1 then
// ran on VU 2, a VU that had never run (and in a real run would have opened a connection of its own).
test('an arrival that finds only new VUs free waits one turn for a response in flight; a VU that has run takes it', async (t) => {
  // The response of iteration 0 "arrives" while iteration 1 waits: asked whether anything is in
  // flight, the context ends iteration 0 (its continuation runs before the next turn).
  const { runner, made, alarms } = setUp(1000, 3, () => {
    const held = made.find((vu) => vu.holding && vu.ran.length === 1 && vu.ran[0] === 0);
    if (held) queueMicrotask(() => held.release());
  });
  await runner.prepare();
  runner.begin(epochMs());
  await until(() => made.reduce((n, vu) => n + vu.ran.length, 0) >= 2);
  const first = made.find((vu) => vu.ran[0] === 0);
  t.is(first, made[2], 'iteration 0 on the last VU made (the idle VUs are a stack)');
  runner.abort();
  alarms.close();
  t.deepEqual(first?.ran, [0, 1], 'iteration 1 waited for the VU that had run');
});

test('with nothing in flight, or after its one turn, an arrival takes a new VU: no arrival waits for long', async (t) => {
  const { runner, made, alarms } = setUp(1000, 3);
  await runner.prepare();
  runner.begin(epochMs());
  // Iteration 0 holds its VU (a slow response): iterations 1 and 2 each wait one turn, then take new VUs.
  await until(() => made.reduce((n, vu) => n + vu.ran.length, 0) >= 3);
  runner.abort();
  alarms.close();
  t.deepEqual(
    made.map((vu) => vu.ran),
    [[2], [1], [0]],
  );
});
