/** How a comparison row reads, shared by HTML, Markdown and JUnit so they never disagree. */
import type { MetricComparison, Verdict } from '../model/compare-model.ts';
import { num } from './page.ts';

export const VERDICT_TEXT: Record<Verdict, string> = {
  improved: 'improved',
  regressed: 'regressed',
  'no-change': 'no change',
  'not-comparable': 'nothing comparable',
};

export function metricName(m: MetricComparison): string {
  return m.endpoint ? `${m.metric} · ${m.endpoint}` : m.metric;
}

export function valueText(value: number | null, m: MetricComparison): string {
  return value === null ? '–' : `${num(value, m.unit === '%' ? 2 : 1)} ${m.unit}`;
}

/** `+12.3 % [+8.0, +16.9]` or `+0.40 pp [...]` for error rates. */
export function changeText(m: MetricComparison): string {
  if (m.change === null) return '–';
  const sign = (v: number) => (v >= 0 ? '+' : '');
  const fmt = (v: number) => (m.changeKind === 'points' ? `${sign(v)}${v.toFixed(2)}` : `${sign(v)}${(v * 100).toFixed(1)}`);
  const unit = m.changeKind === 'points' ? ' pp' : ' %';
  return `${fmt(m.change)}${unit}${m.ci ? ` [${fmt(m.ci.low)}, ${fmt(m.ci.high)}]` : ''}`;
}

export function pText(p: number | null): string {
  if (p === null) return '–';
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

export function deltaText(m: MetricComparison): string {
  return m.cliffsDelta === null ? '–' : `${m.cliffsDelta.toFixed(2)} (${m.magnitude})`;
}
