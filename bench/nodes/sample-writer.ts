/**
 * Where node samples go during a run: the current point's nodes.ndjson (appended as they arrive,
 * synced at the point's end) and, when configured, the InfluxDB sink. Samples between points are
 * not kept: the run directory holds points only.
 */
import { type NdjsonWriter, openNdjsonWriter } from '../../rundir/ndjson.ts';
import type { NodeSample } from '../../rundir/types.ts';
import type { InfluxSink } from '../influx/sink.ts';

export interface SampleWriter {
  /** Give every sampler's onSample this; it sets pointId and writes. */
  record(sample: NodeSample): void;
  /** Samples from now on belong to `pointId`, appended to `path` (the point's nodes.ndjson). */
  beginPoint(pointId: string, path: string): Promise<void>;
  /** Syncs and closes the point's file, then flushes the sink (never throws for the sink). */
  endPoint(): Promise<void>;
  /** Samples written in the current or last point. */
  readonly count: number;
}

export function createSampleWriter(options: { runId: string; sink?: InfluxSink | null }): SampleWriter {
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
    async beginPoint(pointId, path) {
      await endPoint();
      count = 0;
      current = { pointId, writer: await openNdjsonWriter<NodeSample>(path) };
    },
    endPoint,
  };
}
