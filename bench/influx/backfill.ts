/** `bench backfill <runDir>`: writes a whole run directory into InfluxDB, idempotently. */
import type { InfluxWriter } from './client.ts';
import { pointFileBatches, pointIdsOf, runIdOf, type RunFileKind } from './run-files.ts';

export interface BackfillResult {
  runId: string;
  points: number;
  nodePoints: number;
  k6Points: number;
}

/** Throws the writer's EnvironmentError if InfluxDB fails; a rerun writes the same series again. */
export async function backfillRun(runDir: string, writer: InfluxWriter, onProgress: (message: string) => void = () => {}): Promise<BackfillResult> {
  const runId = await runIdOf(runDir);
  const result: BackfillResult = { runId, points: 0, nodePoints: 0, k6Points: 0 };
  const pointIds = await pointIdsOf(runDir);
  for (const [index, pointId] of pointIds.entries()) {
    onProgress(`backfill ${runId}: point ${index + 1}/${pointIds.length} (${pointId})`);
    for (const kind of ['nodes', 'k6'] satisfies RunFileKind[]) {
      for await (const batch of pointFileBatches(runDir, runId, pointId, kind)) {
        await writer.write(batch);
        if (kind === 'nodes') result.nodePoints += batch.length;
        else result.k6Points += batch.length;
      }
    }
    result.points++;
  }
  return result;
}
