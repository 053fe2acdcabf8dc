/**
 * InfluxDB 1.x through node-influx (`influx` 5.12): the URL the harness takes
 * (`http://host:8086/<database>`, from --influx-url or $CLOUDLET_INFLUX_URL), a plain writer that
 * throws (backfill), and the run's sink that never does (a dashboard copy must not stop a run).
 */
import { InfluxDB, type IPoint } from 'influx';
import { errorMessage, EnvironmentError, UsageError } from '../../kernel/errors.ts';
import type { NodeSample } from '../../rundir/types.ts';
import type { InfluxPoint } from './points.ts';
import { nodeSamplePoints } from './points.ts';
import { pointFileBatches } from './run-files.ts';

export const INFLUX_URL_ENV = 'CLOUDLET_INFLUX_URL';

export interface InfluxTarget {
  /** As given, without the password. */
  url: string;
  protocol: 'http' | 'https';
  host: string;
  port: number;
  database: string;
  username?: string;
  password?: string;
}

/** The flag wins over the environment; neither means no InfluxDB (null). */
export function influxUrlFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | null {
  const value = flag ?? env[INFLUX_URL_ENV];
  return value && value.trim() !== '' ? value.trim() : null;
}

export function parseInfluxUrl(text: string): InfluxTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`influx url: expected http://host:8086/<database>, got "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`influx url: expected http or https, got "${url.protocol}" in "${text}"`);
  const database = decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, ''));
  if (!database || database.includes('/'))
    throw new UsageError(`influx url: name the database as the path, e.g. http://127.0.0.1:8086/cloudlet; got "${text}"`);
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  const shown = new URL(url.href);
  shown.password = '';
  return {
    url: shown.href,
    protocol,
    host: url.hostname,
    port: url.port ? Number(url.port) : 8086,
    database,
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
  };
}

export interface InfluxWriter {
  readonly target: InfluxTarget;
  /** Creates the database if needed (idempotent in 1.x), then writes; throws EnvironmentError. */
  write(points: InfluxPoint[]): Promise<void>;
  /** InfluxQL against the target database. */
  query<T = Record<string, unknown>>(influxql: string): Promise<T[]>;
}

const NO_BACKOFF = {
  getDelay: () => 0,
  next: () => NO_BACKOFF,
  reset: () => NO_BACKOFF,
};

export function openInflux(target: InfluxTarget, options: { timeoutMs?: number } = {}): InfluxWriter {
  const client = new InfluxDB({
    host: target.host,
    port: target.port,
    protocol: target.protocol,
    database: target.database,
    username: target.username,
    password: target.password,
    // No retries and no host ban inside the client (a zero delay never disables the host, and leaves
    // no timer to hold the process open): the callers decide when to try again.
    pool: { maxRetries: 0, requestTimeout: options.timeoutMs ?? 10_000, backoff: NO_BACKOFF },
  });
  let databaseReady = false;
  const fail = (what: string, error: unknown) =>
    new EnvironmentError(`InfluxDB at ${target.url}: ${what} failed: ${errorMessage(error)}; start it (or fix the URL) and run \`bench backfill <runDir>\``, {
      cause: error,
    });
  return {
    target,
    async write(points) {
      try {
        if (!databaseReady) {
          await client.createDatabase(target.database);
          databaseReady = true;
        }
        await client.writePoints(points as IPoint[], { precision: 'n' });
      } catch (error) {
        // A server that was down may come back empty (a fresh data dir): create again next time.
        databaseReady = false;
        throw fail(`writing ${points.length} points`, error);
      }
    },
    async query<T>(influxql: string) {
      try {
        return [...(await client.query(influxql))] as T[];
      } catch (error) {
        throw fail('query', error);
      }
    },
  };
}

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
  addK6Samples(runDir: string, runId: string, pointId: string): Promise<InfluxSinkReport>;
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
    async addK6Samples(runDir, runId, pointId) {
      try {
        for await (const batch of pointFileBatches(runDir, runId, pointId, 'k6', batchSize)) {
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
