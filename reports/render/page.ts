/**
 * The page shell shared by run and compare reports: one self-contained HTML file. Chart.js is
 * inlined from node_modules, chart configs and the summary are embedded as JSON, PNGs as data URIs,
 * and a Content-Security-Policy forbids any network load, so the page behaves the same offline,
 * and every inline script but the page's own two (by hash).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ChartSpec } from './chart-specs.ts';
import { escapeHtml, jsonForScript } from './escape.ts';

let chartJsSource: string | null = null;

function chartJs(): string {
  if (chartJsSource === null) {
    const require = createRequire(import.meta.url);
    const dist = dirname(require.resolve('chart.js'));
    chartJsSource = readFileSync(join(dist, 'chart.umd.min.js'), 'utf8').replace(/<\/script/gi, '<\\/script');
  }
  return chartJsSource;
}

/** A cell: plain values are escaped; `{ html }` is markup this code built (already escaped). */
export type Cell = string | number | null | undefined | { html: string };

export function cell(value: Cell): string {
  if (value !== null && typeof value === 'object') return value.html;
  return escapeHtml(value ?? '–');
}

export function table(headers: string[], rows: Cell[][], className = ''): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((c) => `<td>${cell(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table class="${escapeHtml(className)}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** A number with fixed digits, or '–'. */
export function num(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

/** A value with its interval in small type: `12.3 [11.0–14.1]`. */
export function withCi(value: number | null | undefined, ci: { low: number; high: number } | null | undefined, digits = 1): Cell {
  if (value === null || value === undefined) return '–';
  const interval = ci ? ` <small>[${escapeHtml(num(ci.low, digits))}–${escapeHtml(num(ci.high, digits))}]</small>` : '';
  return { html: `${escapeHtml(num(value, digits))}${interval}` };
}

export function chartFigure(spec: ChartSpec, png: Buffer | undefined): string {
  const image = png
    ? `<details><summary>Static image (charts/${escapeHtml(spec.id)}.png)</summary><img alt="${escapeHtml(spec.title)}" width="${spec.width}" height="${spec.height}" src="data:image/png;base64,${png.toString('base64')}"></details>`
    : '';
  const caption = spec.caption ? `<figcaption>${escapeHtml(spec.caption)}</figcaption>` : '';
  return `<figure><canvas id="chart-${escapeHtml(spec.id)}" width="${spec.width}" height="${spec.height}" role="img" aria-label="${escapeHtml(spec.title)}"></canvas>${caption}${image}</figure>`;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5rem auto;max-width:1200px;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0;font-variant-numeric:tabular-nums}
th,td{border:1px solid #ddd;padding:.2rem .45rem;text-align:right;vertical-align:top}
th{background:#f4f4f4}td:first-child,th:first-child,table.compare td:nth-child(2){text-align:left}
small{color:#666}.warn{background:#fff6e0;border-left:4px solid #e0a000;padding:.4rem .7rem;margin:.4rem 0;list-style:none}
.hint{color:#555}.verdict-regressed{color:#b00020;font-weight:600}.verdict-improved{color:#0a7a28;font-weight:600}
.verdict-no-change{color:#555}figure{margin:1rem 0}figcaption{color:#555;font-size:.9em;max-width:900px}canvas{max-width:100%}dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem}dt{font-weight:600}
`;

// Reads the embedded JSON and draws every chart; records the count so a test can see they were drawn.
const BOOT = `(function(){
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var drawn = 0;
  data.charts.forEach(function (spec) {
    var canvas = document.getElementById('chart-' + spec.id);
    if (!canvas) return;
    new Chart(canvas, spec.config);
    drawn++;
  });
  document.body.setAttribute('data-charts-drawn', String(drawn));
})();`;

/** A CSP source allowing exactly this inline script (or style). */
function cspHash(source: string): string {
  return `'sha256-${createHash('sha256').update(source, 'utf8').digest('base64')}'`;
}

/**
 * The page's policy: no network at all, and only the page's own two inline scripts run (by hash):
 * a script or event handler that reached the markup through a data value that escaping missed is
 * refused by the browser. (The JSON block is data, never executed.)
 */
let csp: string | null = null;
export function contentSecurityPolicy(): string {
  csp ??= `default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src ${cspHash(chartJs())} ${cspHash(BOOT)}`;
  return csp;
}

export function page(title: string, body: string, charts: ChartSpec[], data: Record<string, unknown>): string {
  const embedded = { ...data, charts: charts.map((c) => ({ id: c.id, config: c.config })) };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy()}">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
<script type="application/json" id="report-data">${jsonForScript(embedded)}</script>
<script>${chartJs()}</script>
<script>${BOOT}</script>
</body>
</html>
`;
}
