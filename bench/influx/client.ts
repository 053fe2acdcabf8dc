/**
 * InfluxDB 1.x through node-influx (`influx` 5.12): the URL the harness takes
 * (`http://host:8086/<database>`, from --influx-url or $CLOUDLET_INFLUX_URL) and a plain writer
 * that throws (backfill). The run's copy that never throws is ./sink.ts.
 */
import { InfluxDB, type IPoint } from 'influx';
import { EnvironmentError, errorMessage, UsageError } from '../../kernel/errors.ts';
import type { InfluxPoint } from './points.ts';

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
