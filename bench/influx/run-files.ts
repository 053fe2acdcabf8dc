/**
 * A point's files as InfluxDB points, in batches, streamed through the run-directory reader (a long
 * point's k6 samples do not fit comfortably in memory as points). The live sink sends a finished
 * point's k6 samples this way; `bench backfill` sends whole run directories.
 */
import { asK6Point, type K6SampleLine } from '../../rundir/k6.ts';
import { checkNodeSample } from '../../rundir/node-sample.ts';
import { pointFilePath } from '../../rundir/layout.ts';
import { type PointEntry, readRecords } from '../../rundir/reader.ts';
import type { NodeSample } from '../../rundir/types.ts';
import { type InfluxPoint, k6SamplePoint, nodeSamplePoints } from './points.ts';

export type RunFileKind = 'nodes' | 'k6';

/** Yields one point file's InfluxDB points in batches; a missing file yields nothing, a line cut off by a crash is skipped. */
export async function* pointFileBatches(
  point: Pick<PointEntry, 'id' | 'dir'>,
  runId: string,
  kind: RunFileKind,
  batchSize = 5000,
): AsyncGenerator<InfluxPoint[]> {
  const seen = new Set<string>();
  let batch: InfluxPoint[] = [];
  // Lines that are not records of their file (damage) are skipped, as the report skips them.
  const check = (value: unknown): { record: NodeSample | K6SampleLine } | { problem: string } => {
    if (kind === 'nodes') {
      const checked = checkNodeSample(value);
      return 'problem' in checked ? checked : { record: checked.sample };
    }
    const sample = asK6Point(value);
    return sample ? { record: sample } : { problem: 'not a k6 Point line' };
  };
  for await (const record of readRecords<NodeSample | K6SampleLine>(pointFilePath(point.dir, kind === 'nodes' ? 'nodes' : 'k6Samples'), { check })) {
    if (kind === 'nodes') batch.push(...nodeSamplePoints(runId, record as NodeSample));
    else {
      // Tagged with the point id, never the folder's `.partial` name of a point cut short.
      const sample = k6SamplePoint(runId, point.id, record as K6SampleLine, seen);
      if (sample) batch.push(sample);
    }
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
