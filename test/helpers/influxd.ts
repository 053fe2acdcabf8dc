/**
 * A real InfluxDB 1.x (Debian's `influxdb`, 1.6.7) for tests: `influxd -config <file>` with temp
 * data dirs on free loopback ports. The package's own service is not used (it does not start by
 * itself here). Fails, never skips, when influxd is missing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './binaries.ts';
import { waitFor } from './poll.ts';
import { freePort } from './ports.ts';

export interface TestInfluxd {
  port: number;
  /** http://127.0.0.1:<port>/<database> */
  url: string;
  database: string;
  /** InfluxQL against the database: rows of the first series set, or [] (via plain HTTP, not node-influx). */
  query(influxql: string): Promise<Record<string, unknown>[]>;
  /** SIGTERM and wait: the data dirs stay, so start() brings the same data back. */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startInfluxd(database = 'cloudlet'): Promise<TestInfluxd> {
  const influxd = requireBinary('influxd', 'influxdb');
  const dir = await mkdtemp(join(tmpdir(), 'cloudlet-influxd-'));
  const port = await freePort();
  const rpcPort = await freePort();
  const config = join(dir, 'influxdb.conf');
  await writeFile(
    config,
    [
      'reporting-disabled = true',
      `bind-address = "127.0.0.1:${rpcPort}"`,
      '[meta]',
      `  dir = "${join(dir, 'meta')}"`,
      '[data]',
      `  dir = "${join(dir, 'data')}"`,
      `  wal-dir = "${join(dir, 'wal')}"`,
      '  query-log-enabled = false',
      '[monitor]',
      '  store-enabled = false',
      '[http]',
      `  bind-address = "127.0.0.1:${port}"`,
      '  log-enabled = false',
      '[logging]',
      '  level = "warn"',
      '',
    ].join('\n'),
  );
  let child: ChildProcess | null = null;
  let output = '';
  const start = async () => {
    child = spawn(influxd, ['-config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.setEncoding('utf8').on('data', (c: string) => (output = (output + c).slice(-4000)));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (output = (output + c).slice(-4000)));
    const started = child;
    await waitFor(
      `influxd on port ${port}`,
      async () => {
        if (started.exitCode !== null) throw new Error(`influxd exited with code ${started.exitCode}: ${output.trim()}`);
        return (await httpStatus(port, 'GET', '/ping')) === 204;
      },
      20_000,
    );
  };
  const kill = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    port,
    url: `http://127.0.0.1:${port}/${database}`,
    database,
    async query(influxql) {
      const body = await httpBody(port, `/query?db=${encodeURIComponent(database)}&epoch=ns&q=${encodeURIComponent(influxql)}`);
      const parsed = JSON.parse(body) as { results?: { error?: string; series?: { columns: string[]; values: unknown[][] }[] }[] };
      const result = parsed.results?.[0];
      if (result?.error) throw new Error(`influxd query: ${result.error}`);
      const series = result?.series?.[0];
      if (!series) return [];
      return series.values.map((row) => Object.fromEntries(series.columns.map((c, i) => [c, row[i]])));
    },
    kill,
    start,
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function httpStatus(port: number, method: string, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method, path, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', () => resolve(0));
    req.once('timeout', () => req.destroy());
    req.end();
  });
}

function httpBody(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.once('end', () => resolve(body));
    });
    req.once('error', reject);
    req.end();
  });
}
