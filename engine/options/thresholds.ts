/**
 * k6 threshold syntax, pure: metric keys (`http_req_duration{name:item-types}`) and expressions
 * (`p(95)<500`, `rate<0.01`, `count>10`, `avg<=200`).
 */

export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';

export interface ThresholdExpression {
  /** avg, min, max, med, count, rate, value, or p(N). */
  stat: string;
  /** For p(N): N (0–100). */
  percentile: number | null;
  op: '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';
  value: number;
}

const EXPRESSION = /^\s*(avg|min|max|med|count|rate|value|p\(\s*(\d+(?:\.\d+)?)\s*\))\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*$/i;

export function parseThresholdExpression(source: string): ThresholdExpression {
  const m = EXPRESSION.exec(source);
  if (!m) throw new Error(`"${source}" is not a threshold expression (e.g. "p(95)<500", "rate<0.01", "count>0")`);
  const percentile = m[2] !== undefined ? Number(m[2]) : null;
  if (percentile !== null && (percentile < 0 || percentile > 100)) throw new Error(`"${source}": a percentile is between 0 and 100`);
  const stat = percentile !== null ? `p(${m[2]})` : (m[1] ?? '').toLowerCase();
  return { stat, percentile, op: m[3] as ThresholdExpression['op'], value: Number(m[4]) };
}

const STATS_BY_TYPE: Record<MetricType, (stat: string) => boolean> = {
  counter: (s) => s === 'count' || s === 'rate',
  gauge: (s) => s === 'value',
  rate: (s) => s === 'rate',
  trend: (s) => ['avg', 'min', 'max', 'med'].includes(s) || s.startsWith('p('),
};

/** Null when the statistic fits the metric type, else the message k6's check would give. */
export function statMismatch(expression: ThresholdExpression, type: MetricType): string | null {
  if (STATS_BY_TYPE[type](expression.stat)) return null;
  const allowed = { counter: 'count, rate', gauge: 'value', rate: 'rate', trend: 'avg, min, max, med, p(N)' }[type];
  return `"${expression.stat}" does not apply to a ${type} metric (it has ${allowed})`;
}

export function thresholdHolds(expression: ThresholdExpression, observed: number): boolean {
  const v = expression.value;
  switch (expression.op) {
    case '<':
      return observed < v;
    case '<=':
      return observed <= v;
    case '>':
      return observed > v;
    case '>=':
      return observed >= v;
    case '!=':
      return observed !== v;
    default:
      return observed === v;
  }
}

export interface MetricKey {
  metric: string;
  /** Tag filter of a submetric; empty for the whole metric. */
  tags: Record<string, string>;
}

const METRIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,127}$/;

/** `http_req_duration{name:item-types,method:GET}` → metric and tag filter. */
export function parseThresholdKey(key: string): MetricKey {
  const m = /^\s*([^{\s]+)\s*(?:\{(.*)\})?\s*$/.exec(key);
  if (!m || !METRIC_NAME.test(m[1] ?? '')) throw new Error(`"${key}" is not a metric name, or name{tag:value}`);
  const tags: Record<string, string> = {};
  if (m[2] !== undefined) {
    for (const pair of m[2].split(',')) {
      if (pair.trim() === '') continue;
      const i = pair.indexOf(':');
      if (i <= 0) throw new Error(`"${key}": a submetric selector is {tag:value,...}`);
      tags[pair.slice(0, i).trim()] = unquote(pair.slice(i + 1).trim());
    }
    if (Object.keys(tags).length === 0) throw new Error(`"${key}": empty submetric selector`);
  }
  return { metric: m[1] ?? '', tags };
}

function unquote(text: string): string {
  return /^(["']).*\1$/.test(text) ? text.slice(1, -1) : text;
}

/** The name k6 prints for a submetric: `http_req_duration{name:item-types}` as written, trimmed. */
export function metricKeyName(key: MetricKey): string {
  const tags = Object.entries(key.tags);
  return tags.length === 0 ? key.metric : `${key.metric}{${tags.map(([k, v]) => `${k}:${v}`).join(',')}}`;
}

export function isValidMetricName(name: string): boolean {
  return METRIC_NAME.test(name);
}
