/** `bench backfill <runDir>`: writes a whole run directory into InfluxDB, idempotently. */
import { listPoints, runIdOf } from '../../rundir/reader.ts';
import type { InfluxWriter } from './client.ts';
import { pointFileBatches, type RunFileKind } from './run-files.ts';

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
  const problems: string[] = [];
  const points = await listPoints(runDir, problems);
  for (const problem of problems) onProgress(`warning: ${problem}`);
  for (const [index, point] of points.entries()) {
    onProgress(`backfill ${runId}: point ${index + 1}/${points.length} (${point.id}${point.partial ? ', cut short' : ''})`);
    for (const kind of ['nodes', 'k6'] satisfies RunFileKind[]) {
      for await (const batch of pointFileBatches(point, runId, kind)) {
        await writer.write(batch);
        if (kind === 'nodes') result.nodePoints += batch.length;
        else result.k6Points += batch.length;
      }
    }
    result.points++;
  }
  return result;
}
