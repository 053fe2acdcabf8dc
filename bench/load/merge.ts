import { readFile, writeFile } from 'node:fs/promises';
import { readLines } from '../../rundir/reader.ts';
import type { K6SampleLine, K6Summary } from '../../rundir/k6.ts';
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
  for (const part of parts) {
    const bytes = await readFile(part.samplesPath).catch(() => null);
    if (bytes) gz.push(bytes);
    const summary = JSON.parse(await readFile(part.summaryPath, 'utf8').catch(() => '{}')) as K6Summary & { state?: { testRunDurationMs?: number } };
    durationMs = Math.max(durationMs, summary.state?.testRunDurationMs ?? 0);
    for await (const line of readLines(part.samplesPath)) {
      if (!line.includes('"type":"Point"')) continue;
      const sample = JSON.parse(line) as Extract<K6SampleLine, { type: 'Point' }>;
      recorder.add(sample.metric, sample.data.value, sample.data.tags, new Date(sample.data.time));
      samples++;
    }
  }
  await writeFile(out.samplesPath, Buffer.concat(gz));
  const { summary, thresholdsPassed } = recorder.summary(durationMs, statNames, thresholds);
  await writeFile(out.summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
  return { thresholdsPassed, samples };
}
