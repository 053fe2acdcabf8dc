/**
 * The run's InfluxDB copy (`--influx-url`): node samples as they arrive, each point's k6 samples
 * when it ends. It never throws into the run; what is missing at the end is reported, and
 * `bench backfill` writes it later from the run directory, the source of truth.
 */
import { errorMessage } from '../../kernel/errors.ts';
import type { NodeSample } from '../../rundir/types.ts';
import { type InfluxWriter, influxUrlFrom, openInflux, parseInfluxUrl } from './client.ts';
import { type InfluxPoint, nodeSamplePoints } from './points.ts';
import { pointFileBatches } from './run-files.ts';

export interface InfluxSinkOptions {
  /** Points per request; default 5000. */
  batchSize?: number;
  /** Write buffered node samples this often; default 5000 (a live dashboard lags at most this). */
  flushEveryMs?: number;
  /** Points kept for a retry while InfluxDB is down (about 0.4 kB each); beyond it the oldest are given up (the run directory keeps them). Default 100000. */
  maxPendingPoints?: number;
}

export interface InfluxSinkReport {
  written: number;
  /** Points not in InfluxDB (given up or still pending at close): `bench backfill` restores them. */
  missing: number;
  /** Distinct failure messages, oldest first. */
  errors: string[];
}

/**
 * The run's InfluxDB copy. Nothing it does throws into the run: a failed batch waits for the next
 * flush (InfluxDB back → written late), and what is still missing at close is reported so the user
 * knows to backfill. The run directory stays the source of truth.
 */
export interface InfluxSink {
  addNodeSample(runId: string, sample: NodeSample): void;
  addPoints(points: InfluxPoint[]): void;
  /** Queues a finished point's k6-samples.ndjson.gz (and writes it); never rejects. */
  addK6Samples(pointDir: string, runId: string, pointId: string): Promise<InfluxSinkReport>;
  /** Writes everything buffered or pending (unless InfluxDB failed moments ago); resolves, never rejects, with the report so far. */
  flush(): Promise<InfluxSinkReport>;
  /** Final flush, stops the timer. */
  close(): Promise<InfluxSinkReport>;
  report(): InfluxSinkReport;
}

export function createInfluxSink(writer: InfluxWriter, options: InfluxSinkOptions = {}): InfluxSink {
  const batchSize = options.batchSize ?? 5000;
  const maxPending = options.maxPendingPoints ?? 100_000;
  let pending: InfluxPoint[] = [];
  let written = 0;
  let givenUp = 0;
  const errors: string[] = [];
  let running: Promise<void> = Promise.resolve();

  const report = (): InfluxSinkReport => ({ written, missing: givenUp + pending.length, errors: [...errors] });

  // After a failure, flushes skip writing until the retry time, doubling up to 30 s: a server that
  // hangs (no answer until the timeout) must not stall every point boundary of the run.
  let failures = 0;
  let retryAtMs = 0;

  const writeAll = async (force: boolean) => {
    if (!force && Date.now() < retryAtMs) return;
    while (pending.length > 0) {
      const batch = pending.slice(0, batchSize);
      try {
        await writer.write(batch);
      } catch (error) {
        const message = errorMessage(error);
        if (errors.at(-1) !== message) errors.push(message);
        failures++;
        retryAtMs = Date.now() + Math.min(30_000, 1000 * 2 ** Math.min(failures - 1, 5));
        return; // Keep the batch for the next flush.
      }
      failures = 0;
      retryAtMs = 0;
      pending = pending.slice(batch.length);
      written += batch.length;
    }
  };

  // One flush at a time; a flush asked for while one runs waits for it, then writes what came since.
  const flush = (force = false) => {
    running = running.then(() => writeAll(force));
    return running.then(report);
  };

  const timer = setInterval(() => void flush(), options.flushEveryMs ?? 5000);
  timer.unref();

  const addPoints = (points: InfluxPoint[]) => {
    pending.push(...points);
    if (pending.length > maxPending) {
      const drop = pending.length - maxPending;
      pending = pending.slice(drop);
      givenUp += drop;
    }
    if (pending.length >= batchSize) void flush();
  };

  return {
    addNodeSample: (runId, sample) => addPoints(nodeSamplePoints(runId, sample)),
    addPoints,
    async addK6Samples(pointDir, runId, pointId) {
      try {
        for await (const batch of pointFileBatches({ id: pointId, dir: pointDir }, runId, 'k6', batchSize)) {
          addPoints(batch);
          // Write as we read, so a long point's samples never pile up in memory while InfluxDB is up.
          await flush();
        }
      } catch (error) {
        errors.push(`reading k6 samples of point ${pointId}: ${errorMessage(error)}`);
      }
      return flush();
    },
    flush: () => flush(),
    async close() {
      clearInterval(timer);
      // One last try whatever the retry time says: InfluxDB may be back by now.
      return flush(true);
    },
    report,
  };
}

/** One line for the user when the sink missed something. */
export function describeSinkReport(report: InfluxSinkReport, runDir: string): string | null {
  if (report.missing === 0) return null;
  return `InfluxDB is missing ${report.missing} points of this run (${report.errors.at(-1) ?? 'unknown error'}); the run directory has them all: npm run bench -- backfill ${runDir}`;
}

/** The pipeline's one call: a sink for `--influx-url` / $CLOUDLET_INFLUX_URL, or null when neither is set. */
export function influxSinkFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, options: InfluxSinkOptions = {}): InfluxSink | null {
  const url = influxUrlFrom(flag, env);
  return url ? createInfluxSink(openInflux(parseInfluxUrl(url)), options) : null;
}
