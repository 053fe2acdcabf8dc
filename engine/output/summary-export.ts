/**
 * `--summary-export`: k6's legacy summary file. Trends hold their statistics, counters count/rate,
 * rates passes/fails/value, gauges value/min/max; thresholds map each expression to true when it was
 * *crossed* (k6's long-standing inversion). Groups and checks are maps by name. One extra top-level
 * field, `engine_metrics_info`, carries each metric's type, unit and better direction; k6 tooling
 * ignores unknown fields.
 */
import type { Better, MetricType } from '../metrics/types.ts';
import type { SummaryData, SummaryGroup } from './summary.ts';

export interface SummaryExport {
  root_group: ExportGroup;
  metrics: Record<string, Record<string, number | Record<string, boolean>>>;
  /** Every metric's type, unit, better direction, and whether the script made it (custom) or k6 defines it. */
  engine_metrics_info: Record<string, { type: MetricType; unit: 'time' | 'data' | 'none'; better: Better; custom: boolean }>;
  engine: { name: string; version: string; testRunDurationMs: number; samples: Record<string, number> };
}

interface ExportGroup {
  name: string;
  path: string;
  id: string;
  groups: Record<string, ExportGroup>;
  checks: Record<string, { name: string; path: string; id: string; passes: number; fails: number }>;
}

export function summaryExport(
  data: SummaryData,
  info: SummaryExport['engine_metrics_info'],
  engine: { name: string; version: string; samples: Record<string, number> },
): SummaryExport {
  const metrics: SummaryExport['metrics'] = {};
  for (const [name, m] of Object.entries(data.metrics)) {
    let fields: Record<string, number | Record<string, boolean>>;
    if (m.type === 'rate') fields = { passes: m.values.passes ?? 0, fails: m.values.fails ?? 0, value: m.values.rate ?? 0 };
    else if (m.type === 'counter') fields = { count: m.values.count ?? 0, rate: m.values.rate ?? 0 };
    else if (m.type === 'gauge') fields = { value: m.values.value ?? 0, min: m.values.min ?? 0, max: m.values.max ?? 0 };
    else fields = { ...m.values };
    if (m.thresholds) fields.thresholds = Object.fromEntries(Object.entries(m.thresholds).map(([k, v]) => [k, !v.ok]));
    metrics[name] = fields;
  }
  return {
    root_group: exportGroup(data.root_group),
    metrics,
    engine_metrics_info: info,
    engine: { name: engine.name, version: engine.version, testRunDurationMs: data.state.testRunDurationMs, samples: engine.samples },
  };
}

function exportGroup(g: SummaryGroup): ExportGroup {
  return {
    name: g.name,
    path: g.path,
    id: g.id,
    groups: Object.fromEntries(g.groups.map((c) => [c.name, exportGroup(c)])),
    checks: Object.fromEntries(g.checks.map((c) => [c.name, { ...c }])),
  };
}
