/**
 * Chart.js configurations as plain JSON, so one description draws both the PNG (Chart.js on
 * @napi-rs/canvas) and the interactive chart in the page (Chart.js inlined in the HTML). No callbacks:
 * point boundaries are a stepped, filled dataset on a hidden axis, throttling a scatter dataset.
 */
import type { GroupRow, NodeSeries, PointRow, RunModel } from '../model/run-model.ts';

export interface ChartSpec {
  /** File-name-safe id: charts/<id>.png, and the canvas id in the page. */
  id: string;
  title: string;
  /** How to read the chart, shown under it. */
  caption?: string;
  width: number;
  height: number;
  /** A JSON Chart.js configuration. */
  config: ChartJson;
}

export interface ChartJson {
  type: 'bar' | 'line' | 'scatter';
  data: { labels?: (string | number)[]; datasets: Record<string, unknown>[] };
  options: Record<string, unknown>;
}

export const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const color = (i: number) => COLORS[i % COLORS.length]!;

function baseOptions(title: string, scales: Record<string, unknown>): Record<string, unknown> {
  return {
    animation: false,
    responsive: false,
    maintainAspectRatio: false,
    plugins: { title: { display: true, text: title }, legend: { display: true, position: 'bottom' } },
    scales,
  };
}

const axis = (text: string, position: 'left' | 'right' = 'left', extra: Record<string, unknown> = {}) => ({
  position,
  beginAtZero: true,
  title: { display: true, text },
  ...extra,
});

/** A bar/line chart with one x position per point, in run order. */
function perPointChart(id: string, title: string, points: PointRow[], datasets: Record<string, unknown>[], scales: Record<string, unknown>): ChartSpec {
  return {
    id,
    title,
    width: 900,
    height: 380,
    config: { type: 'bar', data: { labels: points.map((p) => p.pointId), datasets }, options: baseOptions(title, scales) },
  };
}

const rightAxis = (text: string) => axis(text, 'right', { grid: { drawOnChartArea: false } });

/** p95 latency and achieved throughput per point, against the target rate. */
export function pointsChart(points: PointRow[]): ChartSpec {
  return perPointChart(
    'points',
    'p95 latency and throughput per point',
    points,
    [
      { type: 'bar', label: 'p95 latency (ms)', data: points.map((p) => p.latency.p95Ms), backgroundColor: color(0), yAxisID: 'latency' },
      { type: 'line', label: 'achieved (/s)', data: points.map((p) => p.achievedRps), borderColor: color(2), backgroundColor: color(2), yAxisID: 'rate' },
      { type: 'line', label: 'target (/s)', data: points.map((p) => p.targetRps), borderColor: '#888', borderDash: [6, 4], pointRadius: 0, yAxisID: 'rate' },
    ],
    { latency: axis('ms'), rate: rightAxis('per second') },
  );
}

/** p95 of each endpoint per point. */
export function endpointsChart(points: PointRow[], endpoints: string[]): ChartSpec {
  const datasets = endpoints.map((endpoint, i) => ({
    label: endpoint,
    data: points.map((p) => p.endpoints.find((e) => e.endpoint === endpoint)?.latency.p95Ms ?? null),
    backgroundColor: color(i),
  }));
  return perPointChart('endpoints', 'p95 latency per endpoint', points, datasets, { y: axis('ms') });
}

/** Order placed → fulfilled, p50 and p95, and convergence time per point. */
export function orderAndConvergenceChart(points: PointRow[]): ChartSpec {
  return perPointChart(
    'order-convergence',
    'Order-to-fulfilled time and convergence time',
    points,
    [
      {
        type: 'line',
        label: 'order→fulfilled p50 (ms)',
        data: points.map((p) => p.orderFulfilled.p50Ms),
        borderColor: color(0),
        backgroundColor: color(0),
        yAxisID: 'order',
      },
      {
        type: 'line',
        label: 'order→fulfilled p95 (ms)',
        data: points.map((p) => p.orderFulfilled.p95Ms),
        borderColor: color(1),
        backgroundColor: color(1),
        yAxisID: 'order',
      },
      { type: 'bar', label: 'convergence (ms)', data: points.map((p) => p.convergenceMs), backgroundColor: 'rgba(44,160,44,0.5)', yAxisID: 'convergence' },
    ],
    { order: axis('order ms'), convergence: rightAxis('convergence ms') },
  );
}

/** Services whose replica count varies across the run. */
export function scaledServices(groups: GroupRow[]): string[] {
  const services = new Set(groups.flatMap((g) => Object.keys(g.replicas)));
  return [...services].filter((s) => new Set(groups.map((g) => g.replicas[s] ?? 0)).size > 1).sort();
}

/**
 * Throughput and p95 against one service's replica count (medians over repetitions), one line per
 * target rate, and efficiency against linear scaling: (throughput/replicas) over that of the fewest replicas.
 */
export function scalingCharts(groups: GroupRow[], service: string, index: number): ChartSpec[] {
  const rates = [...new Set(groups.map((g) => g.targetRps))].sort((a, b) => a - b);
  const series = rates.map((rate) => {
    const byReplicas = new Map<number, GroupRow[]>();
    for (const g of groups.filter((x) => x.targetRps === rate)) {
      const r = g.replicas[service] ?? 0;
      if (!byReplicas.has(r)) byReplicas.set(r, []);
      byReplicas.get(r)!.push(g);
    }
    const replicas = [...byReplicas.keys()].sort((a, b) => a - b);
    // Other services may vary too; the median over them keeps one value per replica count.
    const mid = (values: (number | null)[]) => {
      const v = values.filter((x): x is number => x !== null).sort((a, b) => a - b);
      return v.length ? v[(v.length - 1) >> 1]! : null;
    };
    const points = replicas.map((r) => ({
      replicas: r,
      throughput: mid(byReplicas.get(r)!.map((g) => g.achievedRps.median)),
      p95: mid(byReplicas.get(r)!.map((g) => g.p95Ms.median)),
    }));
    const base = points.find((p) => p.replicas > 0 && p.throughput !== null);
    const efficiency = points.map((p) =>
      base && p.throughput !== null && p.replicas > 0 ? p.throughput / p.replicas / (base.throughput! / base.replicas) : null,
    );
    return { rate, points, efficiency };
  });
  const id = `scaling-${index}`;
  const xy = (pts: { replicas: number }[], values: (number | null)[]) => pts.map((p, i) => ({ x: p.replicas, y: values[i] ?? null }));
  const throughputAndP95: ChartSpec = {
    id,
    title: `Scaling of ${service}: throughput and p95`,
    width: 900,
    height: 380,
    config: {
      type: 'line',
      data: {
        datasets: series.flatMap((s, i) => [
          {
            label: `throughput @ ${s.rate}/s`,
            data: xy(
              s.points,
              s.points.map((p) => p.throughput),
            ),
            borderColor: color(i),
            backgroundColor: color(i),
            yAxisID: 'rate',
          },
          {
            label: `p95 ms @ ${s.rate}/s`,
            data: xy(
              s.points,
              s.points.map((p) => p.p95),
            ),
            borderColor: color(i),
            backgroundColor: color(i),
            borderDash: [6, 4],
            yAxisID: 'latency',
          },
        ]),
      },
      options: baseOptions(`Scaling of ${service}: throughput and p95`, {
        x: { type: 'linear', title: { display: true, text: `${service} replicas` }, ticks: { stepSize: 1 } },
        rate: axis('per second'),
        latency: rightAxis('p95 ms'),
      }),
    },
  };
  const maxReplicas = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.replicas)));
  const efficiency: ChartSpec = {
    id: `${id}-efficiency`,
    title: `Scaling of ${service}: efficiency against linear`,
    caption:
      'Throughput per replica over that of the fewest replicas (1 = linear). Under an open model throughput follows the target rate until the system saturates, so below saturation a value under 1 means spare capacity, not poor scaling.',
    width: 900,
    height: 320,
    config: {
      type: 'line',
      data: {
        datasets: [
          ...series.map((s, i) => ({ label: `efficiency @ ${s.rate}/s`, data: xy(s.points, s.efficiency), borderColor: color(i), backgroundColor: color(i) })),
          {
            label: 'linear',
            data: [
              { x: 0, y: 1 },
              { x: maxReplicas, y: 1 },
            ],
            borderColor: '#888',
            borderDash: [6, 4],
            pointRadius: 0,
          },
        ],
      },
      options: baseOptions(`Scaling of ${service}: efficiency against linear`, {
        x: { type: 'linear', title: { display: true, text: `${service} replicas` }, ticks: { stepSize: 1 } },
        y: axis('throughput per replica ÷ that of the fewest replicas'),
      }),
    },
  };
  return [throughputAndP95, efficiency];
}

/**
 * One node's CPU %, hottest temperature and mean core frequency over the run. Points are shaded
 * in alternating bands (a stepped dataset filled to the bottom of a hidden 0–1 axis) and throttled
 * samples are marked with red triangles on the temperature line.
 */
export function nodeChart(series: NodeSeries, index: number, pointOrder: string[]): ChartSpec {
  const s = series.samples;
  const seconds = (tMs: number) => Math.round(tMs / 100) / 10;
  const band = s.map((x) => ({ x: seconds(x.tMs), y: x.pointId === null ? 0 : pointOrder.indexOf(x.pointId) % 2 === 0 ? 1 : 0.5 }));
  return {
    id: `node-${index}`,
    title: `Node ${series.node}: CPU, temperature, frequency`,
    caption:
      'Grey bands are the points, in run order (alternating shades); red triangles mark samples where a core ran below its maximum frequency while busy.',
    width: 900,
    height: 360,
    config: {
      type: 'line',
      data: {
        datasets: [
          {
            label: 'CPU %',
            data: s.map((x) => ({ x: seconds(x.tMs), y: x.cpuPct })),
            borderColor: color(0),
            backgroundColor: color(0),
            pointRadius: 0,
            yAxisID: 'pct',
          },
          {
            label: 'temperature °C',
            data: s.map((x) => ({ x: seconds(x.tMs), y: x.tempC })),
            borderColor: color(1),
            backgroundColor: color(1),
            pointRadius: 0,
            yAxisID: 'pct',
          },
          {
            label: 'frequency MHz',
            data: s.map((x) => ({ x: seconds(x.tMs), y: x.freqMHz })),
            borderColor: color(2),
            backgroundColor: color(2),
            pointRadius: 0,
            yAxisID: 'freq',
          },
          {
            type: 'scatter',
            label: 'throttled',
            data: s.filter((x) => x.throttled).map((x) => ({ x: seconds(x.tMs), y: x.tempC ?? 0 })),
            pointStyle: 'triangle',
            pointRadius: 6,
            borderColor: '#d62728',
            backgroundColor: '#d62728',
            yAxisID: 'pct',
          },
          {
            label: 'points (shaded)',
            data: band,
            stepped: true,
            fill: 'origin',
            pointRadius: 0,
            borderWidth: 0,
            backgroundColor: 'rgba(120,120,120,0.12)',
            yAxisID: 'band',
          },
        ],
      },
      options: baseOptions(`Node ${series.node}: CPU, temperature, frequency`, {
        x: { type: 'linear', title: { display: true, text: 'seconds since first sample' } },
        pct: axis('CPU % / °C', 'left', { max: 100 }),
        freq: rightAxis('MHz'),
        band: { display: false, min: 0, max: 1 },
      }),
    },
  };
}

/** Every chart of a run report, in page order. */
export function runCharts(model: RunModel): ChartSpec[] {
  const charts = [pointsChart(model.points)];
  if (model.endpoints.length > 0) charts.push(endpointsChart(model.points, model.endpoints));
  if (model.points.some((p) => p.orderFulfilled.count > 0 || p.convergenceMs !== null)) charts.push(orderAndConvergenceChart(model.points));
  for (const [i, service] of scaledServices(model.groups).entries()) charts.push(...scalingCharts(model.groups, service, i));
  const order = model.points.map((p) => p.pointId);
  for (const [i, series] of model.nodeSeries.entries()) charts.push(nodeChart(series, i, order));
  return charts;
}
