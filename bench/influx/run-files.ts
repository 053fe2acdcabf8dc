/**
 * Reads a run directory as InfluxDB points, point by point and in batches, streaming the files
 * (a long point's k6 samples do not fit comfortably in memory as points).
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { readLines } from '../../rundir/reader.ts';
import type { K6SampleLine, Manifest, NodeSample } from '../../rundir/types.ts';
import { k6SamplePoint, nodeSamplePoints, type InfluxPoint } from './points.ts';

export type RunFileKind = 'nodes' | 'k6';

/** The run id from manifest.json, or the directory name when the manifest is missing (a crashed run). */
export async function runIdOf(runDir: string): Promise<string> {
  try {
    const manifest = JSON.parse(await readFile(join(runDir, 'manifest.json'), 'utf8')) as Partial<Manifest>;
    if (typeof manifest.runId === 'string' && manifest.runId) return manifest.runId;
  } catch {
    // Fall through to the directory name.
  }
  return basename(runDir.replace(/\/+$/, ''));
}

export async function pointIdsOf(runDir: string): Promise<string[]> {
  try {
    const entries = await readdir(join(runDir, 'points'), { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Yields one point file's InfluxDB points in batches; a missing file yields nothing. */
export async function* pointFileBatches(runDir: string, runId: string, pointId: string, kind: RunFileKind, batchSize = 5000): AsyncGenerator<InfluxPoint[]> {
  const dir = join(runDir, 'points', pointId);
  const path = join(dir, kind === 'nodes' ? 'nodes.ndjson' : 'k6-samples.ndjson.gz');
  const seen = new Set<string>();
  let batch: InfluxPoint[] = [];
  for await (const line of readLines(path, kind === 'k6')) {
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      continue; // A line cut off by a crash.
    }
    if (kind === 'nodes') batch.push(...nodeSamplePoints(runId, record as NodeSample));
    else {
      const point = k6SamplePoint(runId, pointId, record as K6SampleLine, seen);
      if (point) batch.push(point);
    }
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
