/**
 * The six k6 executors as they run on one worker, over the worker's share of each scenario.
 *
 * Shares: the process runs its execution segment of the test (golden-ratio striping, see
 * schedule/segment.ts); within the process, a scenario's VU slots and arrivals are dealt round-robin
 * to `k` workers (k ≤ the scenario's VUs, so no worker gets arrivals without VUs to run them).
 *
 * Arrival-rate executors keep one timer per scenario, armed for the next due arrival; each wake starts
 * every arrival due by then and records how late each one started (iteration_start_lag).
 */
import type { MetricRuntime, Registry } from '../metrics/registry.ts';
import type { TagSet } from '../metrics/tags.ts';
import { START_LAG_METRIC } from '../metrics/types.ts';
import type { Scenario } from '../options/types.ts';
import type { Outcome, ScenarioInfo } from '../runtime/vu.ts';
import { ArrivalSchedule, rampingVUsSteps, scenarioDurationMs, scenarioInitialVUs, scenarioMaxVUs } from '../schedule/plan.ts';
import { FULL_SEGMENT, nthOwned, ownedCount, ownsItem, scenarioShift, type Segment } from '../schedule/segment.ts';
import { epochMs } from '../time.ts';
import type { AlarmHub } from './alarm.ts';
import { COUNTER, SAMPLE_BACKLOG_LIMIT } from './counters.ts';
import type { Vu } from './vus.ts';

/** A scenario as one worker runs it. */
export interface ScenarioShare {
  scenario: Scenario;
  /** Index of the scenario in the test (its iteration counter). */
  index: number;
  segment: Segment;
  /** Workers sharing this scenario, and this worker's place among them. */
  k: number;
  slot: number;
  /** __VU of the process's first VU of this scenario, minus one. */
  vuIdBase: number;
  /** exec.vu.idInTest of the test's first VU of this scenario, minus one. */
  idInTestBase: number;
  mode: 'async' | 'thread';
}

export interface ExecutorContext {
  registry: Registry;
  /** Sub-millisecond wake-ups for arrival schedules. */
  alarms: AlarmHub;
  counters: Int32Array;
  scenarioCounters: Int32Array;
  metrics: {
    iterations: MetricRuntime;
    duration: MetricRuntime;
    dropped: MetricRuntime;
    lag: MetricRuntime;
    dataSent: MetricRuntime;
    dataReceived: MetricRuntime;
  };
  globalTags: Record<string, string>;
  /** Requests of this worker in flight: their responses may be waiting to be read. */
  requestsInFlight(): number;
  minIterationDurationMs: number;
  /** k6 empties each VU's cookie jar before every iteration unless options.noCookiesReset. */
  noCookiesReset: boolean;
  /** Makes (and initialises) this worker's VU for process slot j of a scenario. */
  createVu(share: ScenarioShare, slot: number, scenario: ScenarioInfo): Promise<Vu>;
  setupDataJson(): string | null;
  iterationError(share: ScenarioShare, message: string): void;
  /** The test was aborted from an iteration (exec.test.abort). */
  aborted(message: string): void;
}

/** The built-in metrics the executors record, from a registry that defines them. */
export function executorMetrics(registry: Registry): ExecutorContext['metrics'] {
  const metric = (name: string) => {
    const m = registry.get(name);
    if (!m) throw new Error(`metric ${name} missing`);
    return m;
  };
  return {
    iterations: metric('iterations'),
    duration: metric('iteration_duration'),
    dropped: metric('dropped_iterations'),
    lag: metric(START_LAG_METRIC),
    dataSent: metric('data_sent'),
    dataReceived: metric('data_received'),
  };
}

/** A scenario run whole by one worker of one process, its VUs async (the warm-up's, the tests'). */
export function wholeShare(scenario: Scenario): ScenarioShare {
  return { scenario, index: 0, segment: FULL_SEGMENT, k: 1, slot: 0, vuIdBase: 0, idInTestBase: 0, mode: 'async' };
}

/** How many of the process slots 0..n-1 belong to worker `slot` of `k` (slots are dealt round-robin). */
export function slotsOf(n: number, k: number, slot: number): number {
  return n > slot ? Math.floor((n - slot - 1) / k) + 1 : 0;
}

export abstract class ScenarioRunner {
  protected readonly vus: Vu[] = [];
  protected readonly idle: Vu[] = [];
  protected stopping = false;
  protected startMs = 0;
  protected running = 0;
  private finished = false;
  private resolveDone!: () => void;
  readonly done: Promise<void> = new Promise((r) => (this.resolveDone = r));
  private hardStopTimer: NodeJS.Timeout | null = null;
  protected readonly info: ScenarioInfo;
  private readonly droppedTags: TagSet;
  /** Process slots of this scenario's VUs on this worker, in creation order. */
  protected nextSlot: number;

  constructor(
    readonly share: ScenarioShare,
    protected readonly ctx: ExecutorContext,
  ) {
    const s = share.scenario;
    this.info = { name: s.name, executor: s.executor, startMs: 0, durationMs: 0, tags: s.tags };
    this.droppedTags = ctx.registry.tags.intern({ ...ctx.globalTags, ...s.tags, scenario: s.name });
    this.nextSlot = share.slot;
  }

  get scenario(): Scenario {
    return this.share.scenario;
  }

  /** VUs of the process this scenario needs at most / before the start. */
  protected processMaxVUs(): number {
    return ownedCount(this.share.segment, scenarioMaxVUs(this.scenario));
  }

  protected processInitialVUs(): number {
    return ownedCount(this.share.segment, scenarioInitialVUs(this.scenario));
  }

  /** Initialises this worker's VUs that must exist before the test starts. */
  async prepare(): Promise<void> {
    const n = slotsOf(this.processInitialVUs(), this.share.k, this.share.slot);
    const made: Promise<Vu>[] = [];
    for (let i = 0; i < n; i++) made.push(this.addVu());
    for (const vu of await Promise.all(made)) this.idle.push(vu);
  }

  /** VUs this worker may still add (arrival-rate executors grow to maxVUs). */
  protected canGrow(): boolean {
    return this.nextSlot < this.processMaxVUs();
  }

  protected async addVu(): Promise<Vu> {
    const slot = this.nextSlot;
    this.nextSlot += this.share.k;
    const vu = await this.ctx.createVu(this.share, slot, this.info);
    this.vus.push(vu);
    Atomics.add(this.ctx.counters, COUNTER.vusInitialized, 1);
    return vu;
  }

  get vusMax(): number {
    return this.vus.length;
  }

  /** Arms the start at the test's start time plus startTime. */
  begin(testStartMs: number): void {
    this.startMs = testStartMs + this.scenario.startTimeMs;
    this.info.startMs = this.startMs;
    this.info.durationMs = scenarioDurationMs(this.scenario);
    const delay = this.startMs - epochMs();
    const go = () => {
      if (this.stopping) this.checkDone();
      else this.run();
    };
    // The alarm hub, not a timer: a timer fires up to a couple of milliseconds late, and every
    // arrival due by then would start late with it.
    if (delay > 0) this.ctx.alarms.client().set(this.startMs, go);
    else go();
  }

  protected abstract run(): void;

  /** No new iterations; running ones get `graceMs` to finish, then are interrupted. */
  stop(graceMs: number): void {
    if (!this.stopping) {
      this.stopping = true;
      this.onStop();
    }
    if (graceMs <= 0) this.interruptAll('interrupted');
    else if (!this.hardStopTimer && this.running > 0) {
      this.hardStopTimer = setTimeout(() => this.interruptAll('interrupted'), graceMs);
    }
    this.checkDone();
  }

  abort(): void {
    this.stopping = true;
    this.onStop();
    this.interruptAll('aborted');
    this.checkDone();
  }

  protected onStop(): void {}

  /** At the scheduled end, before stopping: an arrival-rate scenario starts the arrivals due until then. */
  protected beforeEnd(): void {}

  protected interruptAll(reason: 'interrupted' | 'aborted'): void {
    for (const vu of this.vus) if (vu.busy) vu.interrupt(reason, reason === 'aborted' ? 'test aborted' : 'gracefulStop expired');
  }

  /** Ends the scenario on this worker at the scheduled end: gracefulStop for the iterations still running. */
  protected endAt(endMs: number): void {
    const delay = endMs - epochMs();
    const end = () => {
      // Node's timers may fire up to a millisecond early: the arrivals due in that last millisecond
      // are the scenario's too.
      const left = endMs - epochMs();
      if (left > 0) {
        setTimeout(end, Math.ceil(left));
        return;
      }
      this.beforeEnd();
      this.stop(this.scenario.gracefulStopMs);
    };
    if (delay > 0) setTimeout(end, delay);
    else end();
  }

  protected checkDone(): void {
    if (this.finished || !this.stopping || this.running > 0) return;
    this.finished = true;
    if (this.hardStopTimer) clearTimeout(this.hardStopTimer);
    this.resolveDone();
  }

  /** One iteration on `vu`; scheduledMs is its arrival time for open-model executors. */
  protected async iterate(vu: Vu, iterationInTest: number, scheduledMs: number | null): Promise<Outcome> {
    const ctx = this.ctx;
    const { registry, metrics, counters } = ctx;
    vu.busy = true;
    this.running++;
    Atomics.add(counters, COUNTER.vusActive, 1);
    const start = epochMs();
    if (scheduledMs !== null) registry.record(metrics.lag, vu.io.baseTags, Math.max(0, start - scheduledMs), start);
    if (!ctx.noCookiesReset) vu.io.jars.get(0)?.clearAll();
    const conns = vu.io.conns;
    const sent = conns.dataSent;
    const received = conns.dataReceived;
    const iterationInInstance = Atomics.add(ctx.scenarioCounters, this.share.index, 1);
    const outcome = await vu.run({ exec: this.scenario.exec, dataJson: ctx.setupDataJson(), iterationInInstance, iterationInTest, scenario: this.info });
    vu.warm = true;
    const end = epochMs();
    const tags = vu.io.baseTags;
    if (conns.dataSent > sent) registry.record(metrics.dataSent, tags, conns.dataSent - sent, end);
    if (conns.dataReceived > received) registry.record(metrics.dataReceived, tags, conns.dataReceived - received, end);
    if (outcome.status === 'ok' || outcome.status === 'error') {
      registry.record(metrics.duration, tags, end - start, end);
      registry.record(metrics.iterations, tags, 1, end);
      Atomics.add(counters, COUNTER.iterationsCompleted, 1);
      if (outcome.status === 'error') ctx.iterationError(this.share, outcome.message);
      if (ctx.minIterationDurationMs > 0 && end - start < ctx.minIterationDurationMs && !this.stopping) {
        await new Promise((r) => setTimeout(r, ctx.minIterationDurationMs - (end - start)));
      }
    } else {
      Atomics.add(counters, COUNTER.iterationsInterrupted, 1);
      if (outcome.status === 'aborted') ctx.aborted(outcome.message);
    }
    Atomics.sub(counters, COUNTER.vusActive, 1);
    vu.busy = false;
    this.running--;
    this.afterIteration(vu);
    if (this.stopping) this.checkDone();
    return outcome;
  }

  protected afterIteration(_vu: Vu): void {}

  protected drop(count = 1): void {
    const now = epochMs();
    for (let i = 0; i < count; i++) this.ctx.registry.record(this.ctx.metrics.dropped, this.droppedTags, 1, now);
    Atomics.add(this.ctx.counters, COUNTER.droppedIterations, count);
  }

  /** exec.vu.idInTest of process slot j. */
  static idInTest(share: ScenarioShare, slot: number): number {
    return share.idInTestBase + nthOwned(share.segment, slot) + 1;
  }

  closeVus(): void {
    for (const vu of this.vus) vu.close();
  }
}

/** shared-iterations, per-vu-iterations, constant-vus, ramping-vus: each VU loops. */
class ClosedRunner extends ScenarioRunner {
  private claimed = 0;
  private quota = 0;
  private iterationBase = 0;
  private readonly perVuCount = new Map<Vu, number>();
  private readonly active = new Set<Vu>();
  private readonly leaving = new Map<Vu, NodeJS.Timeout>();
  private loopers = 0;
  private readonly looping = new Set<Vu>();

  override async prepare(): Promise<void> {
    await super.prepare();
    const s = this.scenario;
    if (s.executor === 'shared-iterations') {
      // Iterations follow VUs: worker w runs its VUs' proportional part of the process's iterations.
      const processIterations = ownedCount(this.share.segment, s.iterations);
      const processVUs = this.processMaxVUs();
      let before = 0;
      for (let w = 0; w < this.share.slot; w++) before += slotsOf(processVUs, this.share.k, w);
      const mine = slotsOf(processVUs, this.share.k, this.share.slot);
      const from = Math.floor((processIterations * before) / Math.max(1, processVUs));
      const to = Math.floor((processIterations * (before + mine)) / Math.max(1, processVUs));
      this.iterationBase = from;
      this.quota = to - from;
    }
  }

  protected run(): void {
    const s = this.scenario;
    const end = this.startMs + scenarioDurationMs(s);
    this.endAt(end);
    if (s.executor === 'ramping-vus') {
      const steps = rampingVUsSteps(s.startVUs, s.stages, this.share.segment);
      for (const step of steps) {
        const mine = slotsOf(step.vus, this.share.k, this.share.slot);
        const delay = this.startMs + step.atMs - epochMs();
        if (delay <= 0) this.scale(mine);
        else setTimeout(() => this.scale(mine), delay);
      }
      return;
    }
    this.scale(this.vus.length);
    if (this.vus.length === 0) this.stop(0);
  }

  /** Ramps the looping VUs to `n`: new ones start now, extra ones finish their iteration (gracefulRampDown). */
  private scale(n: number): void {
    if (this.stopping) return;
    const s = this.scenario;
    const rampDownMs = s.executor === 'ramping-vus' ? s.gracefulRampDownMs : 0;
    const ordered = this.vus.slice(0, n);
    for (const vu of ordered) {
      const timer = this.leaving.get(vu);
      if (timer) {
        clearTimeout(timer);
        this.leaving.delete(vu);
      }
      if (!this.active.has(vu)) {
        this.active.add(vu);
        if (!this.looping.has(vu)) void this.loop(vu);
      }
    }
    for (const vu of this.vus.slice(n)) {
      if (!this.active.delete(vu)) continue;
      if (vu.busy && !this.leaving.has(vu)) {
        this.leaving.set(
          vu,
          setTimeout(() => {
            this.leaving.delete(vu);
            if (vu.busy && !this.active.has(vu)) vu.interrupt('interrupted', 'gracefulRampDown expired');
          }, rampDownMs),
        );
      }
    }
  }

  private async loop(vu: Vu): Promise<void> {
    const s = this.scenario;
    this.loopers++;
    this.looping.add(vu);
    while (!this.stopping && this.active.has(vu)) {
      let iterationInTest: number;
      if (s.executor === 'shared-iterations') {
        if (this.claimed >= this.quota) break;
        iterationInTest = nthOwned(this.share.segment, this.iterationBase + this.claimed++);
      } else if (s.executor === 'per-vu-iterations') {
        const done = this.perVuCount.get(vu) ?? 0;
        if (done >= s.iterations) break;
        this.perVuCount.set(vu, done + 1);
        iterationInTest = (vu.id - this.share.vuIdBase - 1) * s.iterations + done;
      } else {
        iterationInTest = Atomics.load(this.ctx.scenarioCounters, this.share.index);
      }
      await this.iterate(vu, iterationInTest, null);
    }
    this.active.delete(vu);
    this.looping.delete(vu);
    this.loopers--;
    // Iteration-based executors end when their last VU has no iterations left.
    if ((s.executor === 'shared-iterations' || s.executor === 'per-vu-iterations') && this.loopers === 0 && !this.stopping) this.stop(0);
  }

  protected override onStop(): void {
    const s = this.scenario;
    if (s.executor === 'shared-iterations' && this.claimed < this.quota) this.drop(this.quota - this.claimed);
    if (s.executor === 'per-vu-iterations') {
      let missing = 0;
      for (const vu of this.vus) missing += s.iterations - (this.perVuCount.get(vu) ?? 0);
      if (missing > 0) this.drop(missing);
    }
    for (const timer of this.leaving.values()) clearTimeout(timer);
    this.leaving.clear();
  }
}

/** constant-arrival-rate and ramping-arrival-rate. */
class ArrivalRunner extends ScenarioRunner {
  private schedule!: ArrivalSchedule;
  private nextAt: number | null = null;
  private nextIndex = 0;
  private processOrdinal = -1;
  private timer: NodeJS.Timeout | null = null;
  private readonly alarm = this.ctx.alarms.client();
  private growing = 0;
  /** The arrival (its due time) already held back once for a warm VU. */
  private deferredAt: number | null = null;
  private resume: NodeJS.Immediate | null = null;
  private readonly onResume = (): void => {
    this.resume = null;
    this.tick();
  };
  /** The scheduled end has come: every arrival due before it starts now, none is held back. */
  private ending = false;

  protected run(): void {
    const s = this.scenario;
    if (s.executor !== 'constant-arrival-rate' && s.executor !== 'ramping-arrival-rate') return;
    this.schedule = new ArrivalSchedule(s);
    this.advance();
    this.endAt(this.startMs + scenarioDurationMs(s));
    this.tick();
  }

  /** Moves to the next arrival this worker owns. */
  private advance(): void {
    const seg = this.share.segment;
    for (;;) {
      const at = this.schedule.next();
      if (at === null) {
        this.nextAt = null;
        return;
      }
      const i = this.schedule.index;
      if (!ownsItem(seg, i, scenarioShift(this.share.index))) continue;
      this.processOrdinal++;
      if (this.processOrdinal % this.share.k !== this.share.slot) continue;
      this.nextAt = at;
      this.nextIndex = i;
      return;
    }
  }

  private readonly tick = (): void => {
    this.timer = null;
    if (this.stopping || this.nextAt === null) return;
    const base = this.startMs;
    const now = epochMs() - base;
    const counters = this.ctx.counters;
    while (this.nextAt !== null && this.nextAt <= now) {
      if (!this.ending && Atomics.load(counters, COUNTER.sampleBacklog) > SAMPLE_BACKLOG_LIMIT) {
        // Raw samples are not being written as fast as they come: hold new iterations back (their lag shows it).
        this.timer = setTimeout(this.tick, 5);
        return;
      }
      const vu = this.idle.pop();
      if (vu && !vu.warm && !this.ending && this.deferredAt !== this.nextAt && this.ctx.requestsInFlight() > 0) {
        // Only a VU that has not run yet is free, but a response may be waiting to be read: read
        // them first (one turn of the event loop; the lag shows it) so that a VU whose connection
        // is open takes this arrival. Otherwise, at a rate the core barely sustains, the first
        // second's arrivals each take a new VU, each new VU connects, the connects hold up the
        // responses, and every pre-allocated VU gets taken.
        this.idle.push(vu);
        this.deferredAt = this.nextAt;
        if (!this.resume) this.resume = setImmediate(this.onResume);
        return;
      }
      if (vu) void this.iterate(vu, this.nextIndex, base + this.nextAt);
      else {
        this.drop();
        this.grow();
      }
      this.advance();
    }
    if (this.nextAt === null) return; // the rest is gracefulStop, armed by endAt()
    this.alarm.set(base + this.nextAt, this.tick);
  };

  /** Runs the schedule early when something else woke the thread (an iteration ended): no alarm needed then. */
  private poke(): void {
    if (this.nextAt !== null && !this.stopping && epochMs() >= this.startMs + this.nextAt) this.tick();
    else this.ctx.alarms.poke();
  }

  /** No VU was free: add some (up to maxVUs) for the arrivals to come, as k6 does. */
  private grow(): void {
    if (this.growing >= 8 || !this.canGrow() || this.stopping) return;
    this.growing++;
    setImmediate(() => {
      this.addVu()
        .then((vu) => {
          this.growing--;
          if (this.stopping) vu.close();
          else this.idle.push(vu);
        })
        .catch((error: unknown) => {
          this.growing--;
          this.ctx.iterationError(this.share, `initialising a new VU failed: ${(error as Error).message}`);
        });
    });
  }

  protected override afterIteration(vu: Vu): void {
    if (this.stopping) return;
    this.idle.push(vu);
    this.poke();
  }

  protected override beforeEnd(): void {
    this.ending = true;
    this.tick();
  }

  protected override onStop(): void {
    if (this.resume) clearImmediate(this.resume);
    this.resume = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.alarm.cancel();
  }
}

export function createRunner(share: ScenarioShare, ctx: ExecutorContext): ScenarioRunner {
  const ex = share.scenario.executor;
  return ex === 'constant-arrival-rate' || ex === 'ramping-arrival-rate' ? new ArrivalRunner(share, ctx) : new ClosedRunner(share, ctx);
}

export { ArrivalRunner };
