import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../kernel/files.ts';
import { parseK6PointLine, parseK6Summary } from '../../rundir/k6.ts';
import { readLines } from '../../rundir/reader.ts';
import { SampleSummary } from './recompute.ts';

/**
 * Several generators ran one point, each a segment of the load: their raw samples are joined into
 * the point's k6-samples.ndjson.gz (gzip members concatenate), their histogram logs into its
 * k6-trends.hlog (a reader adds the intervals of every part), and its k6-summary.json is computed
 * again from every sample, since percentiles of parts cannot be merged. The thresholds, the trend
 * statistics and the engine's metric facts are the parts' own, so nothing here knows the script.
 */

export interface GeneratorFiles {
  summaryPath: string;
  samplesPath: string;
  hdrPath?: string | null;
}

/** k6's default summaryTrendStats, for parts that wrote no trend. */
const DEFAULT_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];
const TREND_STAT = /^(avg|min|med|max|count|p\(\d+(\.\d+)?\))$/;

export async function mergeGeneratorFiles(parts: GeneratorFiles[], out: GeneratorFiles): Promise<{ thresholdsPassed: boolean; samples: number }> {
  const recomputed = new SampleSummary();
  const gz: Buffer[] = [];
  const logs: Buffer[] = [];
  const thresholds: Record<string, string[]> = {};
  const statNames = new Set<string>();
  let metricsInfo: Record<string, unknown> | undefined;
  let durationMs = 0;
  let samples = 0;
  let summaries = 0;
  for (const part of parts) {
    const bytes = await readFile(part.samplesPath).catch(() => null);
    if (bytes && bytes.length > 0) gz.push(bytes);
    const log = part.hdrPath ? await readFile(part.hdrPath).catch(() => null) : null;
    if (log && log.length > 0) logs.push(log);
    let summary: ReturnType<typeof parseK6Summary> = null;
    try {
      summary = parseK6Summary(await readFile(part.summaryPath, 'utf8').catch(() => null), part.summaryPath);
    } catch {
      // A damaged part summary: the merged one is computed from the samples anyway.
    }
    if (summary) {
      summaries++;
      for (const [key, values] of Object.entries(summary.metrics)) {
        const crossed = values.thresholds;
        if (crossed && typeof crossed === 'object') thresholds[key] = [...new Set([...(thresholds[key] ?? []), ...Object.keys(crossed)])];
        if ('p(95)' in values || 'med' in values) for (const stat of Object.keys(values)) if (TREND_STAT.test(stat)) statNames.add(stat);
      }
      const info = (summary as { engine_metrics_info?: unknown }).engine_metrics_info;
      if (info && typeof info === 'object') metricsInfo = { ...metricsInfo, ...(info as Record<string, unknown>) };
    }
    const runMs = summary?.state?.testRunDurationMs;
    if (typeof runMs === 'number' && Number.isFinite(runMs)) durationMs = Math.max(durationMs, runMs);
    for await (const line of readLines(part.samplesPath)) {
      if (line.includes('"type":"Metric"')) {
        const declared = declaredMetric(line);
        if (declared) recomputed.declare(declared);
        continue;
      }
      if (!line.includes('"type":"Point"')) continue;
      const sample = parseK6PointLine(line);
      if (!sample) continue;
      recomputed.add(sample.metric, sample.data.value, sample.data.tags);
      samples++;
    }
  }
  // A part that wrote nothing adds nothing; when none wrote anything, the point has no files (no-load-data).
  if (gz.length > 0) await writeFileAtomic(out.samplesPath, Buffer.concat(gz));
  if (logs.length > 0 && out.hdrPath) await writeFileAtomic(out.hdrPath, Buffer.concat(logs));
  const { summary, thresholdsPassed } = recomputed.summary(durationMs, statNames.size > 0 ? [...statNames] : DEFAULT_STATS, thresholds);
  const doc = metricsInfo ? { ...summary, engine_metrics_info: metricsInfo } : summary;
  if (summaries > 0 || samples > 0) await writeFileAtomic(out.summaryPath, `${JSON.stringify(doc, null, 2)}\n`);
  return { thresholdsPassed, samples };
}

const METRIC_TYPES = new Set(['counter', 'gauge', 'rate', 'trend']);

/** A `Metric` line's declaration, or null. */
function declaredMetric(
  line: string,
): { name: string; type: 'counter' | 'gauge' | 'rate' | 'trend'; contains: 'default' | 'time' | 'data'; thresholds: string[]; submetrics: null } | null {
  try {
    const parsed = JSON.parse(line) as { data?: { name?: unknown; type?: unknown; contains?: unknown } };
    const data = parsed.data;
    if (!data || typeof data.name !== 'string' || typeof data.type !== 'string' || !METRIC_TYPES.has(data.type)) return null;
    const contains = data.contains === 'time' || data.contains === 'data' ? data.contains : 'default';
    return { name: data.name, type: data.type as 'counter', contains, thresholds: [], submetrics: null };
  } catch {
    return null;
  }
}
