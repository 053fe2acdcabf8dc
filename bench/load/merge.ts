import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../kernel/files.ts';
import { parseK6PointLine, parseK6Summary } from '../../rundir/k6.ts';
import { readLines } from '../../rundir/reader.ts';
import { Recorder } from './builtin/recorder.ts';

/**
 * Several generators ran one point, each a segment of the load: their raw samples are joined into
 * the point's k6-samples.ndjson.gz (gzip members concatenate) and its k6-summary.json is computed
 * again from every sample, since percentiles of parts cannot be merged.
 */

export interface GeneratorFiles {
  summaryPath: string;
  samplesPath: string;
}

export async function mergeGeneratorFiles(
  parts: GeneratorFiles[],
  out: GeneratorFiles,
  thresholds: Record<string, string[]>,
  statNames: string[],
): Promise<{ thresholdsPassed: boolean; samples: number }> {
  const recorder = new Recorder(null, {});
  const gz: Buffer[] = [];
  let durationMs = 0;
  let samples = 0;
  let summaries = 0;
  for (const part of parts) {
    const bytes = await readFile(part.samplesPath).catch(() => null);
    if (bytes && bytes.length > 0) gz.push(bytes);
    let summary: ReturnType<typeof parseK6Summary> = null;
    try {
      summary = parseK6Summary(await readFile(part.summaryPath, 'utf8').catch(() => null), part.summaryPath);
    } catch {
      // A damaged part summary: the merged one is computed from the samples anyway.
    }
    if (summary) summaries++;
    const runMs = summary?.state?.testRunDurationMs;
    if (typeof runMs === 'number' && Number.isFinite(runMs)) durationMs = Math.max(durationMs, runMs);
    for await (const line of readLines(part.samplesPath)) {
      if (!line.includes('"type":"Point"')) continue;
      const sample = parseK6PointLine(line);
      if (!sample) continue;
      recorder.add(sample.metric, sample.data.value, sample.data.tags, new Date(sample.data.time));
      samples++;
    }
  }
  // A part that wrote nothing adds nothing; when none wrote anything, the point has no files (no-load-data).
  if (gz.length > 0) await writeFileAtomic(out.samplesPath, Buffer.concat(gz));
  const { summary, thresholdsPassed } = recorder.summary(durationMs, statNames, thresholds);
  if (summaries > 0 || samples > 0) await writeFileAtomic(out.summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
  return { thresholdsPassed, samples };
}
