/**
 * A against B (and a nightly history): for every configuration both runs measured, each metric's
 * change with its confidence interval, a significance test and an effect size, and a verdict at the
 * user's threshold. Pure.
 *
 * Two bases, named in every row:
 * - `repetitions`: with enough repetitions on both sides, each repetition's value is one
 *   observation: the change of medians gets a bootstrap interval, Mann–Whitney U and Cliff's delta
 *   run on the repetition values. Run-to-run drift (heat, battery) is then inside the spread.
 * - `samples`: otherwise every raw request is an observation (pooled histograms): Mann–Whitney U and
 *   Cliff's delta over all latencies, and a conservative interval of the percentile ratio from both
 *   percentiles' order-statistic intervals. This ignores drift between runs, which is why the
 *   report also warns about too few repetitions.
 */
import { bootstrapRelativeChange, type Interval } from '../stats/bootstrap.ts';
import { segments, type Segment } from '../stats/change-points.ts';
import type { Histogram } from '../stats/histogram.ts';
import { twoProportionP } from '../stats/proportions.ts';
import { rankTest, weighted, type RankTestResult } from '../stats/rank-test.ts';
import { median } from '../stats/summary.ts';
import type { GroupRow, PointRow, PooledSamples, RunModel } from './run-model.ts';

/**
 * `not-comparable`: no configuration is in both runs, or where one is, a side has no samples (a
 * generator that wrote nothing): there is no change to speak of, which is not "no change".
 */
export type Verdict = 'improved' | 'regressed' | 'no-change' | 'not-comparable';
/** The verdicts a metric row can have. */
export type MetricVerdict = Exclude<Verdict, 'not-comparable'>;

export interface CompareOptions {
  /** Smallest relative change (percent) that counts; default 5. */
  thresholdPct?: number;
  /** Smallest change of the error rate (percentage points) that counts; default 1. */
  errorThresholdPp?: number;
  /** Significance level; default 0.05. */
  alpha?: number;
  /** Repetitions on each side needed to test on repetitions instead of raw samples; default 5. */
  minRepetitions?: number;
}

export interface MetricComparison {
  configKey: string;
  configLabel: string;
  metric: string;
  /** '' for all endpoints together. */
  endpoint: string;
  unit: 'ms' | '/s' | '%' | '';
  better: 'lower' | 'higher';
  baseline: number | null;
  candidate: number | null;
  /** Relative change (0.1 = +10 %), or percentage points when changeKind is 'points'. */
  change: number | null;
  changeKind: 'relative' | 'points';
  ci: Interval | null;
  pValue: number | null;
  test: 'mann-whitney' | 'two-proportion' | null;
  cliffsDelta: number | null;
  magnitude: RankTestResult['magnitude'] | null;
  basis: 'repetitions' | 'samples';
  verdict: MetricVerdict;
}

export interface RunRef {
  runId: string;
  gitCommit: string | null;
  startedAt: string;
}

export interface ComparePair {
  baseline: RunRef;
  candidate: RunRef;
  metrics: MetricComparison[];
  /** Configurations measured by only one of the two runs, or without samples on one side. */
  unmatched: string[];
  verdict: Verdict;
  counts: Record<MetricVerdict, number>;
  /** How the two runs' configs or load generators differ (their results may differ for that reason). */
  differences: string[];
}

export interface TrendSeries {
  configKey: string;
  configLabel: string;
  metric: string;
  unit: string;
  /** One value per run, in the order given; null where the run lacks the configuration. */
  values: (number | null)[];
  /** Segments of equal mean over the runs that have a value (indexes into `values`). */
  segments: Segment[];
  /** Indexes into `values` of the runs that start a new segment. */
  changePoints: number[];
}

export interface CompareModel {
  runs: RunRef[];
  thresholdPct: number;
  errorThresholdPp: number;
  alpha: number;
  pairs: ComparePair[];
  trends: TrendSeries[];
  verdict: Verdict;
}

const ref = (run: RunModel): RunRef => ({ runId: run.runId, gitCommit: run.gitCommit, startedAt: run.startedAt });

/** Regressed when significant and beyond the threshold in the worse direction; improved likewise. */
export function verdictOf(
  change: number | null,
  ci: Interval | null,
  pValue: number | null,
  threshold: number,
  better: 'lower' | 'higher',
  alpha: number,
): MetricVerdict {
  if (change === null) return 'no-change';
  const ciExcludesZero = ci !== null && (ci.low > 0 || ci.high < 0);
  const significant = pValue !== null ? pValue < alpha && (ci === null || ciExcludesZero) : ciExcludesZero;
  if (!significant || Math.abs(change) < threshold) return 'no-change';
  const worse = better === 'lower' ? change > 0 : change < 0;
  return worse ? 'regressed' : 'improved';
}

/** Regressed first, then nothing comparable (it may hide a regression), then improved. */
function overall(verdicts: Verdict[]): Verdict {
  if (verdicts.includes('regressed')) return 'regressed';
  if (verdicts.includes('not-comparable')) return 'not-comparable';
  if (verdicts.includes('improved')) return 'improved';
  return 'no-change';
}

interface Side {
  group: GroupRow;
  rows: PointRow[];
  pooled: PooledSamples;
}

/** Joint ~95 % when each side's interval is 97.5 % (Bonferroni). */
const Z_975 = 2.241403;

function ratioInterval(a: Histogram, b: Histogram, q: number): Interval | null {
  const ia = a.quantileInterval(q, Z_975);
  const ib = b.quantileInterval(q, Z_975);
  if (!ia || !ib || ia.low <= 0) return null;
  return { low: ib.low / ia.high - 1, high: ib.high / ia.low - 1 };
}

const relative = (a: number | null, b: number | null) => (a !== null && b !== null && a !== 0 ? b / a - 1 : null);

function compareLatency(
  a: Side,
  b: Side,
  metric: string,
  endpoint: string,
  q: number,
  pick: (side: Side) => { histogram: Histogram | undefined; perRep: (number | null)[] },
  options: Required<CompareOptions>,
  kind: { unit: MetricComparison['unit']; better: 'lower' | 'higher' } = { unit: 'ms', better: 'lower' },
): MetricComparison {
  const pa = pick(a);
  const pb = pick(b);
  const repsA = pa.perRep.filter((v): v is number => v !== null);
  const repsB = pb.perRep.filter((v): v is number => v !== null);
  const byReps = repsA.length >= options.minRepetitions && repsB.length >= options.minRepetitions;
  let baseline: number | null;
  let candidate: number | null;
  let ci: Interval | null;
  let test: RankTestResult | null;
  if (byReps) {
    baseline = median(repsA);
    candidate = median(repsB);
    ci = bootstrapRelativeChange(repsA, repsB);
    test = rankTest(weighted(repsA), weighted(repsB));
  } else {
    const ha = pa.histogram;
    const hb = pb.histogram;
    baseline = ha?.quantile(q) ?? null;
    candidate = hb?.quantile(q) ?? null;
    ci = ha && hb ? ratioInterval(ha, hb, q) : null;
    test = ha && hb ? rankTest([...ha.weightedValues()], [...hb.weightedValues()]) : null;
  }
  return rankedRow(a, { metric, endpoint, ...kind }, { baseline, candidate, ci, test, byReps }, options);
}

/** A relative change tested with Mann–Whitney U (latency and throughput rows). */
function rankedRow(
  side: Side,
  what: Pick<MetricComparison, 'metric' | 'endpoint' | 'unit' | 'better'>,
  found: { baseline: number | null; candidate: number | null; ci: Interval | null; test: RankTestResult | null; byReps: boolean },
  options: Required<CompareOptions>,
): MetricComparison {
  const change = relative(found.baseline, found.candidate);
  const pValue = found.test?.pValue ?? null;
  return {
    configKey: side.group.configKey,
    configLabel: side.group.configLabel,
    ...what,
    baseline: found.baseline,
    candidate: found.candidate,
    change,
    changeKind: 'relative',
    ci: found.ci,
    pValue,
    test: found.test ? 'mann-whitney' : null,
    cliffsDelta: found.test?.cliffsDelta ?? null,
    magnitude: found.test?.magnitude ?? null,
    basis: found.byReps ? 'repetitions' : 'samples',
    verdict: verdictOf(change, found.ci, pValue, options.thresholdPct / 100, what.better, options.alpha),
  };
}

/**
 * A rate, higher is better: with enough repetitions each repetition's value is an observation,
 * otherwise the pooled per-interval values (seconds of requests, blocks of fulfilled orders).
 */
function compareRate(
  a: Side,
  b: Side,
  metric: string,
  perRep: (row: PointRow) => number | null,
  perInterval: (pooled: PooledSamples) => number[],
  options: Required<CompareOptions>,
): MetricComparison {
  const repsA = a.rows.map(perRep).filter((v): v is number => v !== null);
  const repsB = b.rows.map(perRep).filter((v): v is number => v !== null);
  const byReps = repsA.length >= options.minRepetitions && repsB.length >= options.minRepetitions;
  const obsA = byReps ? repsA : perInterval(a.pooled);
  const obsB = byReps ? repsB : perInterval(b.pooled);
  const ci = bootstrapRelativeChange(obsA, obsB);
  const test = rankTest(weighted(obsA), weighted(obsB));
  return rankedRow(a, { metric, endpoint: '', unit: '/s', better: 'higher' }, { baseline: median(repsA), candidate: median(repsB), ci, test, byReps }, options);
}

function compareThroughput(a: Side, b: Side, options: Required<CompareOptions>): MetricComparison {
  return compareRate(
    a,
    b,
    'throughput',
    (r) => r.requestsPerS,
    (p) => p.requestsPerSecond,
    options,
  );
}

/** Fulfilled orders per second (the shop's own metrics): throughput where it is delivered, with its own verdict. */
function compareFulfilment(a: Side, b: Side, options: Required<CompareOptions>): MetricComparison {
  return compareRate(
    a,
    b,
    'fulfilment throughput',
    (r) => r.shop?.fulfilledPerS ?? null,
    (p) => p.fulfilledBlocks,
    options,
  );
}

function compareErrors(a: Side, b: Side, options: Required<CompareOptions>): MetricComparison {
  const rate = (s: Side) => (s.pooled.requests > 0 ? s.pooled.failed / s.pooled.requests : null);
  const ra = rate(a);
  const rb = rate(b);
  const change = ra !== null && rb !== null ? (rb - ra) * 100 : null;
  let ci: Interval | null = null;
  if (ra !== null && rb !== null) {
    const se = Math.sqrt((ra * (1 - ra)) / a.pooled.requests + (rb * (1 - rb)) / b.pooled.requests) * 100;
    ci = { low: change! - 1.959964 * se, high: change! + 1.959964 * se };
  }
  const pValue = twoProportionP(a.pooled.failed, a.pooled.requests, b.pooled.failed, b.pooled.requests);
  return {
    configKey: a.group.configKey,
    configLabel: a.group.configLabel,
    metric: 'error rate',
    endpoint: '',
    unit: '%',
    better: 'lower',
    baseline: ra === null ? null : ra * 100,
    candidate: rb === null ? null : rb * 100,
    change,
    changeKind: 'points',
    ci,
    pValue,
    test: pValue === null ? null : 'two-proportion',
    cliffsDelta: null,
    magnitude: null,
    basis: 'samples',
    verdict: verdictOf(change, ci, pValue, options.errorThresholdPp, 'lower', options.alpha),
  };
}

function sides(run: RunModel): Map<string, Side> {
  const out = new Map<string, Side>();
  for (const group of run.groups) {
    out.set(group.configKey, { group, rows: run.points.filter((p) => p.configKey === group.configKey), pooled: run.pooled.get(group.configKey)! });
  }
  return out;
}

export function comparePair(baseline: RunModel, candidate: RunModel, opts: CompareOptions = {}): ComparePair {
  const options = withDefaults(opts);
  const a = sides(baseline);
  const b = sides(candidate);
  const metrics: MetricComparison[] = [];
  const unmatched: string[] = [];
  for (const [key, sa] of a) {
    const sb = b.get(key);
    if (!sb) {
      unmatched.push(`${sa.group.configLabel} (only in ${baseline.runId})`);
      continue;
    }
    // A side without samples has no numbers: its throughput is not −100 %, it is unknown.
    const empty = [sa.pooled.requests === 0 ? baseline.runId : null, sb.pooled.requests === 0 ? candidate.runId : null].filter(Boolean);
    if (empty.length > 0) {
      unmatched.push(`${sa.group.configLabel} (no samples in ${empty.join(' and ')})`);
      continue;
    }
    for (const [metric, q] of [
      ['p50 latency', 0.5],
      ['p95 latency', 0.95],
      ['p99 latency', 0.99],
    ] as const) {
      const key95 = q === 0.5 ? 'p50Ms' : q === 0.95 ? 'p95Ms' : 'p99Ms';
      metrics.push(compareLatency(sa, sb, metric, '', q, (s) => ({ histogram: s.pooled.latency, perRep: s.rows.map((r) => r.latency[key95]) }), options));
    }
    const endpoints = [...new Set([...sa.pooled.byEndpoint.keys()].filter((e) => sb.pooled.byEndpoint.has(e)))].sort();
    for (const endpoint of endpoints)
      metrics.push(
        compareLatency(
          sa,
          sb,
          'p95 latency',
          endpoint,
          0.95,
          (s) => ({
            histogram: s.pooled.byEndpoint.get(endpoint),
            perRep: s.rows.map((r) => r.endpoints.find((e) => e.endpoint === endpoint)?.latency.p95Ms ?? null),
          }),
          options,
        ),
      );
    // The script's custom trends, each compared in the direction the run recorded for it (a metric
    // with no better direction is not compared); runs that recorded none fall back to the order time.
    const custom = [...sa.pooled.customTrends.keys()].filter((name) => sb.pooled.customTrends.has(name)).sort();
    for (const name of custom) {
      const facts = sa.pooled.customTrends.get(name)!.facts;
      if (facts.better === 'none') continue;
      metrics.push(
        compareLatency(sa, sb, `${name} p95`, '', 0.95, (s) => ({ histogram: s.pooled.customTrends.get(name)?.histogram, perRep: [] }), options, {
          unit: facts.unit === 'time' ? 'ms' : '',
          better: facts.better,
        }),
      );
    }
    if (custom.length === 0 && sa.pooled.orderFulfilled.count > 0 && sb.pooled.orderFulfilled.count > 0)
      metrics.push(
        compareLatency(
          sa,
          sb,
          'order→fulfilled p95',
          '',
          0.95,
          (s) => ({ histogram: s.pooled.orderFulfilled, perRep: s.rows.map((r) => r.orderFulfilled.p95Ms) }),
          options,
        ),
      );
    metrics.push(compareThroughput(sa, sb, options));
    if (sa.pooled.fulfilledBlocks.length > 0 && sb.pooled.fulfilledBlocks.length > 0) metrics.push(compareFulfilment(sa, sb, options));
    metrics.push(compareErrors(sa, sb, options));
  }
  for (const [key, sb] of b) if (!a.has(key)) unmatched.push(`${sb.group.configLabel} (only in ${candidate.runId})`);
  const counts: Record<MetricVerdict, number> = { improved: 0, regressed: 0, 'no-change': 0 };
  for (const m of metrics) counts[m.verdict]++;
  return {
    baseline: ref(baseline),
    candidate: ref(candidate),
    metrics,
    unmatched,
    verdict: metrics.length === 0 ? 'not-comparable' : overall(metrics.map((m) => m.verdict)),
    counts,
    differences: runDifferences(baseline, candidate),
  };
}

/** Config fields whose change is the point of a comparison or says nothing about the system. */
const IGNORED_CONFIG = new Set(['name', 'seed']);

function leaves(value: unknown, path: string, out: Map<string, string>, budget: { left: number }): void {
  if (budget.left-- <= 0) return;
  if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) leaves(inner, path ? `${path}.${key}` : key, out, budget);
    return;
  }
  out.set(path, JSON.stringify(value));
}

/**
 * How two runs differ besides what they measured: config fields (all but name and seed) and the
 * load generator. A comparison across these is still made, but its changes may come from them.
 */
export function runDifferences(a: Pick<RunModel, 'runId' | 'config' | 'loadGenerator'>, b: Pick<RunModel, 'runId' | 'config' | 'loadGenerator'>): string[] {
  const out: string[] = [];
  if (a.loadGenerator !== b.loadGenerator) out.push(`load generator: ${a.loadGenerator} in ${a.runId}, ${b.loadGenerator} in ${b.runId}`);
  const la = new Map<string, string>();
  const lb = new Map<string, string>();
  leaves(a.config, '', la, { left: 10_000 });
  leaves(b.config, '', lb, { left: 10_000 });
  const changed: string[] = [];
  for (const path of new Set([...la.keys(), ...lb.keys()])) {
    if (IGNORED_CONFIG.has(path.split('.')[0] ?? '')) continue;
    const va = la.get(path) ?? '(unset)';
    const vb = lb.get(path) ?? '(unset)';
    if (va !== vb) changed.push(`${path} ${va} → ${vb}`);
  }
  if (changed.length > 0)
    out.push(`config of ${a.runId} → ${b.runId}: ${changed.slice(0, 8).join(', ')}${changed.length > 8 ? `, and ${changed.length - 8} more` : ''}`);
  return out;
}

function withDefaults(opts: CompareOptions): Required<CompareOptions> {
  return {
    thresholdPct: opts.thresholdPct ?? 5,
    errorThresholdPp: opts.errorThresholdPp ?? 1,
    alpha: opts.alpha ?? 0.05,
    minRepetitions: opts.minRepetitions ?? 5,
  };
}

/** p95 and throughput of every configuration across the runs, with change points. */
export function trends(runs: RunModel[]): TrendSeries[] {
  const labels = new Map<string, string>();
  for (const run of runs) for (const g of run.groups) labels.set(g.configKey, g.configLabel);
  const out: TrendSeries[] = [];
  for (const [key, label] of labels) {
    for (const [metric, unit, pick] of [
      ['p95 latency', 'ms', (g: GroupRow) => g.p95Ms.median],
      ['throughput', '/s', (g: GroupRow) => g.achievedRps.median],
    ] as const) {
      const values = runs.map((run) => {
        const group = run.groups.find((g) => g.configKey === key);
        return group ? pick(group) : null;
      });
      const present = values.flatMap((v, i) => (v === null ? [] : [{ v, i }]));
      const segs = segments(present.map((p) => p.v)).map((s) => ({
        start: present[s.start]!.i,
        end: s.end < present.length ? present[s.end]!.i : values.length,
        mean: s.mean,
      }));
      out.push({ configKey: key, configLabel: label, metric, unit, values, segments: segs, changePoints: segs.slice(1).map((s) => s.start) });
    }
  }
  return out;
}

/** Every run after the first against the first (the baseline), and the trend over all of them. */
export function buildCompareModel(runs: RunModel[], opts: CompareOptions = {}): CompareModel {
  const options = withDefaults(opts);
  const [baseline, ...candidates] = runs;
  if (!baseline || candidates.length === 0) throw new Error('comparing needs at least two runs');
  const pairs = candidates.map((candidate) => comparePair(baseline, candidate, options));
  return {
    runs: runs.map(ref),
    thresholdPct: options.thresholdPct,
    errorThresholdPp: options.errorThresholdPp,
    alpha: options.alpha,
    pairs,
    trends: runs.length >= 3 ? trends(runs) : [],
    verdict: overall(pairs.map((p) => p.verdict)),
  };
}
