/** Chart specs of a comparison: baseline against candidate per configuration, and the nightly trend. */
import type { ComparePair, CompareModel, MetricComparison, TrendSeries } from '../model/compare-model.ts';
import { COLORS, type ChartSpec } from './chart-specs.ts';

const color = (i: number) => COLORS[i % COLORS.length]!;

function options(title: string, yTitle: string, x: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    animation: false,
    responsive: false,
    plugins: { title: { display: true, text: title }, legend: { display: true, position: 'bottom' } },
    scales: { x, y: { beginAtZero: true, title: { display: true, text: yTitle } } },
  };
}

function pairChart(pair: ComparePair, index: number, metric: string, endpoint: string, unit: string): ChartSpec | null {
  const rows = pair.metrics.filter((m) => m.metric === metric && m.endpoint === endpoint);
  if (rows.length === 0) return null;
  const title = `${metric} (${unit}): ${pair.baseline.runId} → ${pair.candidate.runId}`;
  const verdictColor = (m: MetricComparison) => (m.verdict === 'regressed' ? '#d62728' : m.verdict === 'improved' ? '#2ca02c' : '#7f7f7f');
  return {
    id: `compare-${index}-${metric.replace(/[^a-z0-9]+/gi, '-')}`,
    title,
    width: 900,
    height: 360,
    config: {
      type: 'bar',
      data: {
        labels: rows.map((m) => m.configLabel),
        datasets: [
          { label: `baseline ${pair.baseline.runId}`, data: rows.map((m) => m.baseline), backgroundColor: '#9ecae1' },
          { label: `candidate ${pair.candidate.runId}`, data: rows.map((m) => m.candidate), backgroundColor: rows.map(verdictColor) },
        ],
      },
      options: options(title, unit),
    },
  };
}

function trendChart(series: TrendSeries[], runIds: string[], metric: string, unit: string, id: string): ChartSpec | null {
  const rows = series.filter((s) => s.metric === metric);
  if (rows.length === 0) return null;
  const title = `Trend of ${metric} across runs (change points marked)`;
  return {
    id,
    title,
    width: 900,
    height: 380,
    config: {
      type: 'line',
      data: {
        labels: runIds,
        datasets: rows.flatMap((s, i) => {
          const level = s.values.map((_, run) => s.segments.find((seg) => run >= seg.start && run < seg.end)?.mean ?? null);
          return [
            { label: s.configLabel, data: s.values, borderColor: color(i), backgroundColor: color(i), spanGaps: true },
            { label: `${s.configLabel}: segment mean`, data: level, borderColor: color(i), borderDash: [4, 4], pointRadius: 0, stepped: 'middle' },
            {
              type: 'scatter',
              label: `${s.configLabel}: change point`,
              data: s.changePoints.map((run) => ({ x: runIds[run], y: s.values[run] })),
              pointStyle: 'triangle',
              pointRadius: 8,
              backgroundColor: '#d62728',
              borderColor: '#d62728',
            },
          ];
        }),
      },
      options: options(title, unit, { type: 'category' }),
    },
  };
}

export function compareCharts(model: CompareModel): ChartSpec[] {
  const charts: (ChartSpec | null)[] = [];
  model.pairs.forEach((pair, i) => {
    charts.push(pairChart(pair, i, 'p95 latency', '', 'ms'), pairChart(pair, i, 'throughput', '', '/s'));
  });
  const runIds = model.runs.map((r) => r.runId);
  charts.push(trendChart(model.trends, runIds, 'p95 latency', 'ms', 'trend-p95'), trendChart(model.trends, runIds, 'throughput', '/s', 'trend-throughput'));
  return charts.filter((c): c is ChartSpec => c !== null);
}
