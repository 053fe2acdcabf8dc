/**
 * The end-of-test summary in k6's handleSummary() data shape, built from the aggregated series, with
 * every threshold evaluated. The text summary, the --summary-export file and handleSummary() all
 * read this one object.
 */
import { createHash } from 'node:crypto';
import type { Aggregator } from '../metrics/aggregate.ts';
import { BUILTIN_BY_NAME, type Better, type Contains, type MetricType } from '../metrics/types.ts';
import { metricKeyName, parseThresholdExpression, parseThresholdKey, thresholdHolds } from '../options/thresholds.ts';
import type { ThresholdSpec } from '../options/types.ts';

export interface SummaryMetric {
  type: MetricType;
  contains: Contains;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface SummaryCheck {
  name: string;
  path: string;
  id: string;
  passes: number;
  fails: number;
}

export interface SummaryGroup {
  name: string;
  path: string;
  id: string;
  groups: SummaryGroup[];
  checks: SummaryCheck[];
}

export interface SummaryData {
  root_group: SummaryGroup;
  options: { summaryTrendStats: string[]; summaryTimeUnit: string; noColor: boolean };
  state: { isStdOutTTY: boolean; isStdErrTTY: boolean; testRunDurationMs: number };
  metrics: Record<string, SummaryMetric>;
  setup_data?: unknown;
}

export interface ThresholdResult {
  key: string;
  source: string;
  ok: boolean;
  /** The statistic's value, or null when the metric had no samples. */
  observed: number | null;
  stat: string;
}

/** The submetric k6 always shows under http_req_duration. */
export const EXPECTED_SUBMETRIC = 'http_req_duration{expected_response:true}';

export function statsNeeded(trendStats: string[], thresholds: ThresholdSpec[] | undefined): string[] {
  const extra = (thresholds ?? []).map((t) => parseThresholdExpression(t.source).stat);
  return [...new Set([...trendStats, ...extra])];
}

/** Threshold verdicts now (also during the run, for abortOnFail). */
export function evaluateThresholds(agg: Aggregator, thresholds: Record<string, ThresholdSpec[]>, durationS: number, trendStats: string[]): ThresholdResult[] {
  const out: ThresholdResult[] = [];
  for (const [key, specs] of Object.entries(thresholds)) {
    const { metric, tags } = parseThresholdKey(key);
    const stats = agg.stats(metric, tags, durationS, statsNeeded(trendStats, specs));
    for (const spec of specs) {
      const expression = parseThresholdExpression(spec.source);
      const observed = stats ? (stats[expression.stat] ?? null) : null;
      // A metric without samples crosses no threshold (k6 reports nothing to compare).
      out.push({ key, source: spec.source, ok: observed === null ? true : thresholdHolds(expression, observed), observed, stat: expression.stat });
    }
  }
  return out;
}

export function buildSummary(
  agg: Aggregator,
  thresholds: Record<string, ThresholdSpec[]>,
  results: ThresholdResult[],
  trendStats: string[],
  testRunDurationMs: number,
  state: { isStdOutTTY: boolean; isStdErrTTY: boolean; noColor: boolean },
  setupData: unknown,
): SummaryData {
  const durationS = testRunDurationMs / 1000;
  const metrics: Record<string, SummaryMetric> = {};
  for (const [name, info] of agg.metrics) {
    const values = agg.stats(name, {}, durationS, statsNeeded(trendStats, thresholds[name]));
    if (!values) continue;
    metrics[name] = { type: info.type, contains: info.contains, values };
  }
  const submetrics = new Set(Object.keys(thresholds).filter((k) => k.includes('{')));
  if (metrics.http_req_duration) submetrics.add(EXPECTED_SUBMETRIC);
  for (const key of submetrics) {
    const parsed = parseThresholdKey(key);
    const info = agg.metrics.get(parsed.metric);
    if (!info) continue;
    const values =
      agg.stats(parsed.metric, parsed.tags, durationS, statsNeeded(trendStats, thresholds[key])) ??
      emptyValues(info.type, statsNeeded(trendStats, thresholds[key]));
    metrics[key === EXPECTED_SUBMETRIC ? key : metricKeyName(parsed)] = { type: info.type, contains: info.contains, values };
  }
  for (const r of results) {
    const name = r.key.includes('{') ? metricKeyName(parseThresholdKey(r.key)) : r.key;
    const info = agg.metrics.get(parseThresholdKey(r.key).metric);
    metrics[name] ??= {
      type: info?.type ?? 'trend',
      contains: info?.contains ?? 'default',
      values: emptyValues(info?.type ?? 'trend', trendStats),
    };
    const m = metrics[name];
    m.thresholds ??= {};
    m.thresholds[r.source] = { ok: r.ok };
  }
  const out: SummaryData = {
    root_group: groupTree(agg),
    options: { summaryTrendStats: trendStats, summaryTimeUnit: '', noColor: state.noColor },
    state: { isStdOutTTY: state.isStdOutTTY, isStdErrTTY: state.isStdErrTTY, testRunDurationMs },
    metrics,
  };
  if (setupData !== undefined) out.setup_data = setupData;
  return out;
}

function emptyValues(type: MetricType, trendStats: string[]): Record<string, number> {
  if (type === 'counter') return { count: 0, rate: 0 };
  if (type === 'rate') return { rate: 0, passes: 0, fails: 0 };
  if (type === 'gauge') return { value: 0, min: 0, max: 0 };
  return Object.fromEntries(trendStats.map((s) => [s, 0]));
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/** Groups (from group_duration and the checks' group tag) with their checks, as a tree. */
function groupTree(agg: Aggregator): SummaryGroup {
  const root: SummaryGroup = { name: '', path: '', id: md5(''), groups: [], checks: [] };
  const byPath = new Map<string, SummaryGroup>([['', root]]);
  const group = (path: string): SummaryGroup => {
    let g = byPath.get(path);
    if (g) return g;
    const cut = path.lastIndexOf('::');
    const parent = group(path.slice(0, cut));
    g = { name: path.slice(cut + 2), path, id: md5(path), groups: [], checks: [] };
    parent.groups.push(g);
    byPath.set(path, g);
    return g;
  };
  for (const s of agg.series.get('group_duration')?.values() ?? []) {
    const path = s.tags.group ?? '';
    if (path === '::setup' || path === '::teardown') continue;
    if (path.startsWith('::')) group(path);
  }
  for (const s of agg.series.get('checks')?.values() ?? []) {
    const name = s.tags.check;
    if (name === undefined) continue;
    const g = group(s.tags.group ?? '');
    let check = g.checks.find((c) => c.name === name);
    if (!check) {
      const path = `${g.path}::${name}`;
      check = { name, path, id: md5(path), passes: 0, fails: 0 };
      g.checks.push(check);
    }
    check.passes += s.sum;
    check.fails += s.n - s.sum;
  }
  return root;
}

/** The engine's extra per-metric facts for reports: type, unit and which way is better. */
export function metricsInfo(agg: Aggregator): Record<string, { type: MetricType; unit: 'time' | 'data' | 'none'; better: Better; custom: boolean }> {
  const out: Record<string, { type: MetricType; unit: 'time' | 'data' | 'none'; better: Better; custom: boolean }> = {};
  for (const [name, info] of agg.metrics) {
    if (!agg.series.has(name)) continue;
    out[name] = { type: info.type, unit: info.contains === 'default' ? 'none' : info.contains, better: info.better, custom: !BUILTIN_BY_NAME.has(name) };
  }
  return out;
}
