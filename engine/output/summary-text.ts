/**
 * The end-of-test summary as k6 prints it: "compact" (k6 1.x's default: thresholds, then totals by
 * category), "full" (every HTTP timing too) or "legacy" (the pre-1.0 flat list). Pure: data in,
 * text out.
 */
import type { SummaryData, SummaryGroup, SummaryMetric } from './summary.ts';

export type { SummaryData };

export interface TextOptions {
  indent: string;
  colors: boolean;
  mode: 'compact' | 'full' | 'legacy';
}

const HTTP_FULL = [
  'http_req_blocked',
  'http_req_connecting',
  'http_req_duration',
  'http_req_failed',
  'http_req_receiving',
  'http_req_sending',
  'http_req_tls_handshaking',
  'http_req_waiting',
  'http_reqs',
];
const HTTP_COMPACT = ['http_req_duration', 'http_req_failed', 'http_reqs'];
const EXECUTION = ['dropped_iterations', 'iteration_duration', 'iteration_start_lag', 'iterations', 'vus', 'vus_max'];
const NETWORK = ['data_received', 'data_sent'];
const BUILTIN = new Set([...HTTP_FULL, ...EXECUTION, ...NETWORK, 'checks', 'group_duration']);

export function renderTextSummary(data: SummaryData, options: Partial<TextOptions> = {}): string {
  const opts: TextOptions = { indent: options.indent ?? ' ', colors: options.colors ?? false, mode: options.mode ?? 'compact' };
  return opts.mode === 'legacy' ? legacy(data, opts) : compact(data, opts);
}

function paint(opts: TextOptions, color: 'green' | 'red' | 'cyan' | 'dim' | 'bold', text: string): string {
  if (!opts.colors) return text;
  const code = { green: 32, red: 31, cyan: 36, dim: 2, bold: 1 }[color];
  return `\u001b[${code}m${text}\u001b[0m`;
}

function compact(data: SummaryData, opts: TextOptions): string {
  const ind = `${opts.indent}  `;
  const lines: string[] = [''];
  const withThresholds = Object.entries(data.metrics).filter(([, m]) => m.thresholds && Object.keys(m.thresholds).length > 0);
  if (withThresholds.length > 0) {
    lines.push(`${opts.indent} ${paint(opts, 'bold', '█ THRESHOLDS')} `, '');
    for (const [name, m] of withThresholds.sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`${ind} ${name}`);
      for (const [source, t] of Object.entries(m.thresholds ?? {})) {
        const stat = /^\s*([a-z]+(?:\([\d.]+\))?)/.exec(source)?.[1] ?? '';
        const value = m.values[stat === 'value' ? 'value' : stat];
        const shown = value === undefined ? '' : ` ${stat}=${formatStat(stat, value, m)}`;
        lines.push(`${ind} ${t.ok ? paint(opts, 'green', '✓') : paint(opts, 'red', '✗')} '${source}'${shown}`);
      }
      lines.push('');
    }
    lines.push('');
  }
  lines.push(`${opts.indent} ${paint(opts, 'bold', '█ TOTAL RESULTS')} `, '');
  const width = nameWidth(data, 35);
  const checks = data.metrics.checks;
  if (checks) {
    const passes = checks.values.passes ?? 0;
    const fails = checks.values.fails ?? 0;
    const total = passes + fails;
    const perS = data.state.testRunDurationMs > 0 ? total / (data.state.testRunDurationMs / 1000) : 0;
    lines.push(row(ind, 'checks_total', width, opts, [String(total), `${trimNum(perS, 6)}/s`]));
    lines.push(row(ind, 'checks_succeeded', width, opts, [pct(total ? passes / total : 0), `${passes} out of ${total}`]));
    lines.push(row(ind, 'checks_failed', width, opts, [pct(total ? fails / total : 0), `${fails} out of ${total}`]));
    lines.push('');
    lines.push(...checkLines(data.root_group.checks, ind, opts));
    lines.push('');
  }
  const sections: [string, string[]][] = [
    [
      'CUSTOM',
      Object.keys(data.metrics)
        .filter((n) => !BUILTIN.has(n) && !n.includes('{'))
        .sort(),
    ],
    ['HTTP', opts.mode === 'full' ? HTTP_FULL : HTTP_COMPACT],
    ['EXECUTION', EXECUTION],
    ['NETWORK', NETWORK],
  ];
  if (opts.mode === 'full') sections.splice(3, 0, ['GROUPS', ['group_duration']]);
  for (const [title, names] of sections) {
    const present = names.filter((n) => data.metrics[n]);
    if (present.length === 0) continue;
    lines.push(`${ind} ${title}`);
    for (const name of present) {
      lines.push(metricRow(ind, name, data.metrics[name] as SummaryMetric, width, opts, data));
      for (const [sub, m] of Object.entries(data.metrics)
        .filter(([k]) => k.startsWith(`${name}{`))
        .sort(([a], [b]) => a.localeCompare(b))) {
        lines.push(metricRow(`${ind}  `, `{ ${sub.slice(name.length + 1, -1).replace(/,/g, ', ')} }`, m, width - 2, opts, data));
      }
    }
    lines.push('');
  }
  for (const g of flattenGroups(data.root_group.groups)) {
    if (g.checks.length === 0) continue;
    lines.push('', `${opts.indent} ${paint(opts, 'bold', `█ GROUP: ${g.path.slice(2).replace(/::/g, ' > ')}`)}`, '');
    lines.push(...checkLines(g.checks, ind, opts), '');
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}

function legacy(data: SummaryData, opts: TextOptions): string {
  const ind = `${opts.indent}    `;
  const lines: string[] = [''];
  const groupLines = (g: SummaryGroup, depth: number) => {
    const pad = `${ind}${'  '.repeat(depth)}`;
    lines.push(...checkLines(g.checks, pad, opts));
    for (const child of g.groups) {
      lines.push(`${pad}█ ${child.name}`, '');
      groupLines(child, depth + 1);
    }
  };
  groupLines(data.root_group, 0);
  if (data.root_group.checks.length > 0) lines.push('');
  const width = nameWidth(data, 31);
  for (const name of Object.keys(data.metrics)
    .filter((n) => !n.includes('{'))
    .sort()) {
    const m = data.metrics[name] as SummaryMetric;
    const crossed = m.thresholds && Object.values(m.thresholds).some((t) => !t.ok);
    const mark = m.thresholds ? (crossed ? paint(opts, 'red', '✗ ') : paint(opts, 'green', '✓ ')) : '  ';
    lines.push(metricRow(`${ind.slice(2)}${mark}`, name, m, width, opts, data, true));
    for (const [sub, sm] of Object.entries(data.metrics).filter(([k]) => k.startsWith(`${name}{`))) {
      lines.push(metricRow(`${ind}  `, `{ ${sub.slice(name.length + 1, -1)} }`, sm, width - 2, opts, data, true));
    }
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}

function flattenGroups(groups: SummaryGroup[]): SummaryGroup[] {
  return groups.flatMap((g) => [g, ...flattenGroups(g.groups)]);
}

function checkLines(checks: SummaryGroup['checks'], ind: string, opts: TextOptions): string[] {
  const out: string[] = [];
  for (const c of checks) {
    if (c.fails === 0) out.push(`${ind} ${paint(opts, 'green', '✓')} ${c.name}`);
    else {
      const total = c.passes + c.fails;
      out.push(`${ind} ${paint(opts, 'red', '✗')} ${c.name}`);
      out.push(`${ind}  ${paint(opts, 'red', `↳  ${Math.floor((100 * c.passes) / total)}% — ✓ ${c.passes} / ✗ ${c.fails}`)}`);
    }
  }
  return out;
}

/** Name column width: at least k6's, or the longest metric name (not submetrics) plus dots. */
function nameWidth(data: SummaryData, min: number): number {
  return Math.max(
    min,
    ...Object.keys(data.metrics)
      .filter((n) => !n.includes('{'))
      .map((n) => n.length + 3),
  );
}

function row(ind: string, name: string, width: number, opts: TextOptions, cols: string[]): string {
  const dots = paint(opts, 'dim', '.'.repeat(Math.max(2, width - name.length)));
  const [first = '', ...rest] = cols;
  return `${ind} ${name}${dots}: ${paint(opts, 'cyan', first.padEnd(7))} ${rest.join(' ')}`.trimEnd();
}

function metricRow(ind: string, label: string, m: SummaryMetric, width: number, opts: TextOptions, data: SummaryData, legacyStyle = false): string {
  const v = m.values;
  const durationS = data.state.testRunDurationMs / 1000;
  let cols: string[];
  switch (m.type) {
    case 'counter': {
      const count = v.count ?? 0;
      const rate = v.rate ?? (durationS > 0 ? count / durationS : 0);
      cols = m.contains === 'data' ? [bytes(count), `${bytes(rate)}/s`] : [trimNum(count, 6), `${trimNum(rate, 6)}/s`];
      break;
    }
    case 'rate': {
      const passes = v.passes ?? 0;
      const fails = v.fails ?? 0;
      cols = legacyStyle ? [pct(v.rate ?? 0), `✓ ${passes}`, `✗ ${fails}`] : [pct(v.rate ?? 0), `${passes} out of ${passes + fails}`];
      break;
    }
    case 'gauge':
      cols = [trimNum(v.value ?? 0, 6), `min=${trimNum(v.min ?? 0, 6)}`, `max=${trimNum(v.max ?? 0, 6)}`];
      break;
    default: {
      const stats = data.options.summaryTrendStats;
      cols = stats.filter((s) => v[s] !== undefined).map((s) => `${s}=${formatStat(s, v[s] ?? 0, m)}`.padEnd(m.contains === 'time' ? 13 : 12));
      const line = `${ind} ${label}${paint(opts, 'dim', '.'.repeat(Math.max(2, width - label.length)))}: ${cols.join(' ')}`;
      return line.trimEnd();
    }
  }
  return row(ind, label, width, opts, cols);
}

function formatStat(stat: string, value: number, m: SummaryMetric): string {
  if (m.type === 'rate' || stat === 'rate') return m.type === 'rate' ? pct(value) : trimNum(value, 6);
  if (m.contains === 'time' && stat !== 'count') return duration(value);
  if (m.contains === 'data' && stat !== 'count') return bytes(value);
  return trimNum(value, 6);
}

function pct(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}

function trimNum(n: number, decimals: number): string {
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(decimals).replace(/\.?0+$/, '');
}

/** Milliseconds the way k6 prints durations: 7µs, 12.25µs, 144.56ms, 1.35s, 1m2.5s. */
export function duration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  if (a < 0.001) return `${sign}${trimNum(a * 1e6, 0)}ns`;
  if (a < 1) return `${sign}${trimNum(round2(a * 1000), 2)}µs`;
  if (a < 1000) return `${sign}${trimNum(round2(a), 2)}ms`;
  if (a < 60_000) return `${sign}${trimNum(round2(a / 1000), 2)}s`;
  const m = Math.floor(a / 60_000);
  const s = (a - m * 60_000) / 1000;
  if (m < 60) return `${sign}${m}m${trimNum(round2(s), 2)}s`;
  return `${sign}${Math.floor(m / 60)}h${m % 60}m${trimNum(round2(s), 2)}s`;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Bytes as k6 prints them (SI units): 81 kB, 1.3 MB. */
export function bytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? Math.round(v) : v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}
