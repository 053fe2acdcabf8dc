import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { K6_EXIT } from '../../rundir/k6.ts';
import { generatorPath, pointFilePath } from '../../rundir/layout.ts';
import type { LoadGenerator, LoadRunOptions, LoadRunResult } from './generator.ts';
import { mergeGeneratorFiles } from './merge.ts';

export interface NamedGenerator {
  name: string;
  generator: LoadGenerator;
}

/**
 * The measured load of a point, shared by several generators: each runs an equal execution segment
 * at the same time, into generators/<name>/, tagged `generator`; their files are then merged into
 * the point's k6-summary.json, k6-samples.ndjson.gz and k6-trends.hlog. One generator alone runs as it is.
 */
export async function runSplitLoad(generators: NamedGenerator[], options: LoadRunOptions): Promise<LoadRunResult> {
  const [only] = generators;
  if (generators.length === 1 && only) return only.generator.run(options);
  if (!options.summaryPath || !options.samplesPath) throw new Error('a split load needs the point files to merge into');
  const pointDir = dirname(options.summaryPath);
  const parts = await Promise.all(
    generators.map(async ({ name, generator }, i) => {
      const dir = generatorPath(pointDir, name);
      await mkdir(dir, { recursive: true });
      const files = {
        summaryPath: pointFilePath(dir, 'k6Summary'),
        samplesPath: pointFilePath(dir, 'k6Samples'),
        hdrPath: options.hdrPath ? pointFilePath(dir, 'hdrLog') : null,
      };
      const result = await generator.run({
        ...options,
        ...files,
        logPath: pointFilePath(dir, 'loadLog'),
        tags: { ...options.tags, generator: name },
        segment: `${i}/${generators.length}:${i + 1}/${generators.length}`,
      });
      return { files, result };
    }),
  );
  const merged = await mergeGeneratorFiles(
    parts.map((p) => p.files),
    { summaryPath: options.summaryPath, samplesPath: options.samplesPath, hdrPath: options.hdrPath ?? null },
  );
  const crashed = parts.find((p) => p.result.exitCode !== K6_EXIT.ok && p.result.exitCode !== K6_EXIT.thresholdsCrossed && !p.result.interrupted);
  return {
    exitCode: crashed ? crashed.result.exitCode : merged.thresholdsPassed ? K6_EXIT.ok : K6_EXIT.thresholdsCrossed,
    thresholdsPassed: !crashed && merged.thresholdsPassed,
    interrupted: parts.some((p) => p.result.interrupted),
    durationMs: Math.max(...parts.map((p) => p.result.durationMs)),
  };
}
