import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { EnvironmentError } from '../../kernel/errors.ts';
import { requireBinary } from '../../kernel/binaries.ts';
import type { Supervised, Supervisor } from '../../kernel/supervise.ts';

/**
 * Debian's postgres and rabbitmq-server on loopback, in a throw-away folder, in the foreground
 * under a Supervisor (postgres itself, not pg_ctl; epmd started by us, not as a daemon). Tests run
 * as root: the servers then run as the packages' `postgres` and `rabbitmq` users.
 *
 * Hooks for state handling (counts, truncation, queue depths) are at the end of the file.
 */

export interface Account {
  uid: number;
  gid: number;
  home: string;
}

/** A system user's ids, or ours when we are not root (the servers refuse to run as root). */
export async function serverAccount(name: string, debianPackage: string): Promise<Account | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = await readFile('/etc/passwd', 'utf8');
  const line = passwd.split('\n').find((entry) => entry.startsWith(`${name}:`));
  if (!line) throw new EnvironmentError(`no ${name} user: install the Debian package ${debianPackage} (it creates it), or run as a non-root user`);
  const [, , uid, gid, , home] = line.split(':');
  return { uid: Number(uid), gid: Number(gid), home: home ?? '/' };
}

async function own(path: string, account: Account | undefined): Promise<void> {
  if (account) await chown(path, account.uid, account.gid);
}

/** Runs a program and returns stdout; rejects with its stderr. */
export function capture(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; uid?: number; gid?: number; input?: string; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { env: options.env, uid: options.uid, gid: options.gid, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new EnvironmentError(`${file.split('/').pop()} ${args.slice(0, 3).join(' ')}…: ${stderr.trim() || error.message}`, { cause: error }));
        else resolve(stdout);
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

export function tcpAnswers(port: number, host = '127.0.0.1', hello?: Buffer): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let timer: NodeJS.Timeout | undefined;
    const done = (value: Buffer | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    timer = setTimeout(() => done(undefined), 2000);
    socket.once('error', () => done(undefined));
    socket.once('connect', () => {
      if (!hello) return done(Buffer.alloc(0));
      socket.write(hello);
    });
    socket.once('data', (data) => done(data));
  });
}

/** Polls until `check` gives a value; fails naming `what`, its log and whether the process died. */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined>,
  options: { timeoutMs: number; child?: Supervised; log?: string },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    const tail = async () =>
      options.log ? ` (last lines of ${options.log}: ${(await readFile(options.log, 'utf8').catch(() => '')).trim().split('\n').slice(-4).join(' | ')})` : '';
    if (options.child && !options.child.running) throw new EnvironmentError(`${what}: ${options.child.name} exited before it was ready${await tail()}`);
    if (Date.now() > deadline) throw new EnvironmentError(`${what}: not ready within ${options.timeoutMs / 1000} s${await tail()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// ---------------------------------------------------------------- postgres

/** The newest Debian postgres server's bin folder. */
export async function postgresBin(): Promise<string> {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? (await readdir(root)).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((v) => join(root, v, 'bin')).find((bin) => existsSync(join(bin, 'postgres')) && existsSync(join(bin, 'initdb')));
  if (!found) throw new EnvironmentError('postgres not found under /usr/lib/postgresql: install the Debian package postgresql (apt-get install -y postgresql)');
  return found;
}

export interface PostgresServer {
  port: number;
  password: string;
  user: 'postgres';
  database: 'postgres';
  socketDir: string;
  /** `postgres://…` (the migrations' PG_URL). */
  url: string;
  /** libpq key=value (the services' PG_DSN_URL). */
  dsn: string;
  child: Supervised;
  /** Runs SQL through psql on the server's socket; rows as arrays of strings. */
  query(sql: string): Promise<string[][]>;
}

export async function startPostgres(supervisor: Supervisor, dir: string, port: number): Promise<PostgresServer> {
  const bin = await postgresBin();
  const psql = requireBinary('psql', 'postgresql-client');
  const account = await serverAccount('postgres', 'postgresql');
  const data = join(dir, 'pgdata');
  const socketDir = join(dir, 'pgsock');
  const log = join(dir, 'postgres.log');
  await mkdir(socketDir, { recursive: true });
  await own(dir, account);
  await own(socketDir, account);
  const password = randomBytes(12).toString('hex');
  const pwfile = join(dir, 'pgpass.tmp');
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  await own(pwfile, account);
  const ids = account ? { uid: account.uid, gid: account.gid } : {};
  const env = { PATH: process.env.PATH, LANG: 'C.UTF-8', HOME: dir };
  await capture(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync'],
    { env, ...ids, timeoutMs: 120_000 },
  );
  const child = supervisor.start({
    name: 'postgres',
    command: join(bin, 'postgres'),
    args: ['-D', data, '-c', 'listen_addresses=127.0.0.1', '-c', `port=${port}`, '-c', `unix_socket_directories=${socketDir}`, '-c', 'max_connections=200'],
    env,
    ...ids,
    output: log,
    stopSignal: 'SIGINT',
    stopTimeoutMs: 10_000,
  });
  const query = async (sql: string): Promise<string[][]> => {
    const out = await capture(
      psql,
      ['-h', socketDir, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-X', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', sql],
      { env },
    );
    return out
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.split('\t'));
  };
  await waitUntil(`postgres on 127.0.0.1:${port}`, async () => ((await query('SELECT 1'))[0]?.[0] === '1' ? true : undefined), {
    timeoutMs: 30_000,
    child,
    log,
  });
  const encoded = encodeURIComponent(password);
  return {
    port,
    password,
    user: 'postgres',
    database: 'postgres',
    socketDir,
    child,
    query,
    url: `postgres://postgres:${encoded}@127.0.0.1:${port}/postgres`,
    dsn: `host=127.0.0.1 port=${port} user=postgres password=${password} dbname=postgres sslmode=disable`,
  };
}

// ---------------------------------------------------------------- rabbitmq

export interface RabbitmqServer {
  port: number;
  distPort: number;
  epmdPort: number;
  user: string;
  password: string;
  nodeName: string;
  /** `amqp://user:pass@127.0.0.1:port/` */
  url: string;
  child: Supervised;
  epmd: Supervised;
  /** rabbitmqctl against this node (an Erlang VM per call: about a second). */
  ctl(args: string[]): Promise<string>;
}

const AMQP_HELLO = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);

export async function startRabbitmq(
  supervisor: Supervisor,
  dir: string,
  ports: { amqp: number; dist: number; epmd: number },
  user = 'coffee',
): Promise<RabbitmqServer> {
  const server = '/usr/lib/rabbitmq/bin/rabbitmq-server';
  const rabbitmqctl = '/usr/lib/rabbitmq/bin/rabbitmqctl';
  if (!existsSync(server))
    throw new EnvironmentError('rabbitmq-server not found: install the Debian package rabbitmq-server (apt-get install -y rabbitmq-server)');
  const epmdBin = requireBinary('epmd', 'erlang-base');
  const account = await serverAccount('rabbitmq', 'rabbitmq-server');
  const ids = account ? { uid: account.uid, gid: account.gid } : {};
  const home = join(dir, 'rabbitmq');
  for (const sub of ['', 'mnesia', 'log']) {
    await mkdir(join(home, sub), { recursive: true });
    await own(join(home, sub), account);
  }
  const password = randomBytes(12).toString('hex');
  const nodeName = `rabbit-${ports.amqp}@localhost`;
  // default_user/default_pass create the account on first boot, as the official image's variables do.
  await writeFile(
    join(home, 'rabbitmq.conf'),
    [`default_user = ${user}`, `default_pass = ${password}`, 'loopback_users = none', `listeners.tcp.1 = 127.0.0.1:${ports.amqp}`, ''].join('\n'),
  );
  await writeFile(join(home, 'enabled_plugins'), '[].\n');
  await writeFile(join(home, 'rabbitmq-env.conf'), '');
  const cookie = join(home, '.erlang.cookie');
  await writeFile(cookie, randomBytes(20).toString('hex'), { mode: 0o400 });
  for (const file of ['rabbitmq.conf', 'enabled_plugins', 'rabbitmq-env.conf', '.erlang.cookie']) await own(join(home, file), account);
  const loopbackDist = '-kernel inet_dist_use_interface {127,0,0,1}';
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    HOME: home,
    ERL_EPMD_ADDRESS: '127.0.0.1',
    ERL_EPMD_PORT: String(ports.epmd),
    RABBITMQ_NODENAME: nodeName,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(ports.amqp),
    RABBITMQ_DIST_PORT: String(ports.dist),
    RABBITMQ_MNESIA_BASE: join(home, 'mnesia'),
    RABBITMQ_LOG_BASE: join(home, 'log'),
    RABBITMQ_CONFIG_FILE: join(home, 'rabbitmq.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(home, 'enabled_plugins'),
    RABBITMQ_CONF_ENV_FILE: join(home, 'rabbitmq-env.conf'),
    RABBITMQ_PID_FILE: join(home, 'rabbitmq.pid'),
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: loopbackDist,
    RABBITMQ_CTL_ERL_ARGS: loopbackDist,
  };
  const epmd = supervisor.start({
    name: 'epmd',
    command: epmdBin,
    args: ['-address', '127.0.0.1', '-port', String(ports.epmd)],
    env,
    ...ids,
    output: join(home, 'epmd.log'),
  });
  await waitUntil(`epmd on 127.0.0.1:${ports.epmd}`, async () => (await tcpAnswers(ports.epmd)) && true, {
    timeoutMs: 10_000,
    child: epmd,
    log: join(home, 'epmd.log'),
  });
  const log = join(home, 'server.log');
  const child = supervisor.start({ name: 'rabbitmq', command: server, env, ...ids, output: log, stopTimeoutMs: 15_000 });
  // Ready when AMQP answers the protocol header with connection.start (a method frame, type 1).
  await waitUntil(`rabbitmq on 127.0.0.1:${ports.amqp}`, async () => ((await tcpAnswers(ports.amqp, '127.0.0.1', AMQP_HELLO))?.[0] === 1 ? true : undefined), {
    timeoutMs: 60_000,
    child,
    log,
  });
  return {
    port: ports.amqp,
    distPort: ports.dist,
    epmdPort: ports.epmd,
    user,
    password,
    nodeName,
    child,
    epmd,
    url: `amqp://${user}:${password}@127.0.0.1:${ports.amqp}/`,
    ctl: (args) => capture(rabbitmqctl, ['-q', '-n', nodeName, ...args], { env, ...ids }),
  };
}

// ---------------------------------------------------------------- hooks for state: reset | drain

export interface OrderCounts {
  orders: number;
  fulfilled: number;
  inProgress: number;
}

/** Orders in the counter's table by status (upstream's enum: 0 placed, 1 in progress, 2 fulfilled). */
export async function orderCounts(postgres: Pick<PostgresServer, 'query'>): Promise<OrderCounts> {
  const rows = await postgres.query('SELECT count(*), count(*) FILTER (WHERE order_status = 2), count(*) FILTER (WHERE order_status <> 2) FROM "order".orders');
  const [orders, fulfilled, inProgress] = (rows[0] ?? ['0', '0', '0']).map(Number);
  return { orders: orders ?? 0, fulfilled: fulfilled ?? 0, inProgress: inProgress ?? 0 };
}

/** Empties every table the services write (orders, line items, barista and kitchen orders). */
export async function truncateOrders(postgres: Pick<PostgresServer, 'query'>): Promise<void> {
  await postgres.query('TRUNCATE "order".line_items, "order".orders, barista.barista_orders, kitchen.kitchen_orders');
}

export interface QueueState {
  name: string;
  /** Messages ready for delivery. */
  depth: number;
  unacked: number;
  consumers: number;
}

/** Every queue with its depth, unacknowledged messages and consumers. */
export async function queueStates(rabbitmq: Pick<RabbitmqServer, 'ctl'>): Promise<QueueState[]> {
  const out = await rabbitmq.ctl(['list_queues', 'name', 'messages_ready', 'messages_unacknowledged', 'consumers', '--formatter', 'json']);
  const rows = JSON.parse(out.trim() || '[]') as Array<{ name: string; messages_ready: number; messages_unacknowledged: number; consumers: number }>;
  return rows.map((row) => ({ name: row.name, depth: row.messages_ready, unacked: row.messages_unacknowledged, consumers: row.consumers }));
}

/** Drops every message waiting in every queue (consumers stay attached). Returns the queues purged. */
export async function purgeQueues(rabbitmq: Pick<RabbitmqServer, 'ctl'>): Promise<string[]> {
  const names = (await queueStates(rabbitmq)).map((queue) => queue.name);
  for (const name of names) await rabbitmq.ctl(['purge_queue', name]);
  return names;
}

/** Makes the folder and everything the servers write in it reachable by their users. */
export async function prepareRunDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755);
}
