/**
 * Where node samples go during a run: the current point's nodes.ndjson (appended as they arrive,
 * synced at the point's end) and, when configured, the InfluxDB sink. Samples between points
 * (cooldown) are not recorded: the run directory holds points only (DESIGN.md contract).
 */
import { join } from 'node:path';
import type { NodeSample } from '../../rundir/types.ts';
import type { InfluxSink } from '../influx/client.ts';
import { openNdjsonWriter, type NdjsonWriter } from '../../rundir/ndjson.ts';

export interface NodeRecorder {
  /** Give every sampler's onSample this; it sets pointId and writes. */
  record(sample: NodeSample): void;
  /** Samples from now on belong to `pointId`, in `<pointDir>/nodes.ndjson` (default points/<pointId>). */
  beginPoint(pointId: string, pointDir?: string): Promise<void>;
  /** Syncs and closes the point's file, then flushes the sink (never throws for the sink). */
  endPoint(): Promise<void>;
  /** Samples recorded in the current or last point. */
  readonly count: number;
}

export function createNodeRecorder(options: { runDir: string; runId: string; sink?: InfluxSink | null }): NodeRecorder {
  let current: { pointId: string; writer: NdjsonWriter<NodeSample> } | null = null;
  let count = 0;
  const endPoint = async () => {
    const ending = current;
    current = null;
    if (!ending) return;
    await ending.writer.close();
    await options.sink?.flush();
  };
  return {
    get count() {
      return count;
    },
    record(sample) {
      if (!current) return;
      const recorded = { ...sample, pointId: current.pointId };
      current.writer.append(recorded);
      options.sink?.addNodeSample(options.runId, recorded);
      count++;
    },
    async beginPoint(pointId, pointDir = join(options.runDir, 'points', pointId)) {
      await endPoint();
      count = 0;
      current = { pointId, writer: await openNdjsonWriter<NodeSample>(join(pointDir, 'nodes.ndjson')) };
    },
    endPoint,
  };
}
