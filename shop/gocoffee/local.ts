import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { freePort } from '../../kernel/ports.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError, errorMessage } from '../../kernel/errors.ts';
import { requireBinary } from '../../kernel/binaries.ts';
import { silentLogger, type Logger } from '../../kernel/log.ts';
import { Supervisor, type Supervised } from '../../kernel/supervise.ts';
import { buildBinaries, type BuiltBinaries } from './build.ts';
import {
  lostOrders,
  orderCounts,
  prepareRunDir,
  purgeQueues,
  queueStates,
  startPostgres,
  startRabbitmq,
  tcpAnswers,
  truncateOrders,
  waitUntil,
  type OrderCounts,
  type PostgresServer,
  type QueueState,
  type RabbitmqServer,
} from './servers.ts';
import type { Arch, Service } from './source.ts';

/**
 * The real Go coffee shop on one machine, on loopback only: Debian postgres and rabbitmq-server in
 * a throw-away folder, then product, counter, N barista, N kitchen and proxy, all under one
 * Supervisor (they stop on stop(), on Ctrl-C of a command using it, and with the parent even on
 * SIGKILL). The web service is left out: it binds every interface and the API does not need it.
 */

/** Services that scale by starting more processes (consumers of their queues). */
export const SCALABLE: readonly Service[] = ['barista', 'kitchen'];
/** The services the local shop runs, in start order. */
export const LOCAL_SERVICES: readonly Service[] = ['product', 'counter', 'barista', 'kitchen', 'proxy'];

export interface LocalShopOptions {
  /** Processes per consumer service; default 1 each. */
  replicas?: Partial<Record<Service, number>>;
  /** Proxy (API) port; 0 or unset picks a free one. */
  port?: number;
  arch?: Arch;
  /** Prebuilt binaries; else they are built (or taken from the cache) from `src`. */
  binaries?: BuiltBinaries;
  src?: string;
  log?: Logger;
  /** Keep the throw-away folder (logs, data) after stop(). */
  keepDir?: boolean;
  /** How long the shop may take to serve. Default 90 s (arm/v7 under emulation is slower). */
  readyTimeoutMs?: number;
}

export interface LocalShop {
  /** The proxy's base URL, http://127.0.0.1:PORT */
  url: string;
  dir: string;
  postgres: PostgresServer;
  rabbitmq: RabbitmqServer;
  processes: Array<{ service: Service; index: number; child: Supervised; log: string }>;
  /** Orders by status, from the counter's table. */
  counts(): Promise<OrderCounts>;
  /** Orders never to be fulfilled: every item made, the order not fulfilled (the counter's lost updates). */
  lost(): Promise<number>;
  /** Queue depth, unacknowledged messages and consumers per queue. */
  queues(): Promise<QueueState[]>;
  /** Empties the orders and the barista/kitchen tables. */
  truncate(): Promise<void>;
  /** Drops the messages waiting in every queue; returns the queue names. */
  purge(): Promise<string[]>;
  /**
   * Starts or stops kitchen and barista processes until each runs `replicas` (unnamed ones keep
   * their count) and every one consumes its queue; resolves with the time that took, in ms.
   */
  scale(replicas: Partial<Record<string, number>>): Promise<number>;
  /**
   * Stops every kitchen and barista process (their unacknowledged messages go back to the queues),
   * for a state reset; the function it resolves with starts as many again and waits until each
   * consumes its queue.
   */
  pauseConsumers(): Promise<() => Promise<void>>;
  stop(): Promise<void>;
}

async function distinctPorts(count: number, taken: number[] = []): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await freePort();
    if (!ports.includes(port) && !taken.includes(port)) ports.push(port);
  }
  return ports;
}

export function validateReplicas(replicas: Partial<Record<string, number>>): void {
  for (const [service, count] of Object.entries(replicas)) {
    if (!SCALABLE.includes(service as Service)) {
      throw new EnvironmentError(
        `replicas.${service}: the local Go coffee shop scales ${SCALABLE.join(' and ')} only (more processes per consumer); ${service} runs once`,
      );
    }
    if (!Number.isInteger(count) || (count ?? 0) < 1 || (count ?? 0) > 32)
      throw new EnvironmentError(`replicas.${service}: expected an integer 1–32, got ${count}`);
  }
}

async function getStatus(url: string): Promise<number | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return undefined;
  }
}

export async function startLocalShop(options: LocalShopOptions = {}): Promise<LocalShop> {
  const log = options.log ?? silentLogger;
  const replicas = { barista: 1, kitchen: 1, ...options.replicas };
  validateReplicas(options.replicas ?? {});
  const arch = options.arch ?? options.binaries?.arch ?? 'amd64';
  const qemu = arch === 'arm/v7' && process.arch !== 'arm' ? requireBinary('qemu-arm-static', 'qemu-user-static') : undefined;
  const binaries = options.binaries ?? (await buildBinaries({ arch, src: options.src }, log));
  const dir = await mkdtemp(join(tmpdir(), 'go-coffee-local-'));
  await prepareRunDir(dir);
  const supervisor = new Supervisor({
    onUnexpectedExit: (child, code, signal) => log.warn(`${child.name} exited (${signal ?? `code ${code}`}); its log is in ${dir}`),
  });
  const stop = async () => {
    await supervisor.stop();
    if (!options.keepDir) await rm(dir, { recursive: true, force: true });
  };
  try {
    const [pgPort, amqp, dist, epmd, product, counter, ...more] = await distinctPorts(
      6 + replicas.barista + replicas.kitchen + (options.port ? 0 : 1),
      options.port ? [options.port] : [],
    );
    const proxyPort = options.port || more.pop()!;
    log.info(`local go-coffee (${arch}) in ${dir}`);
    log.progress('starting postgres');
    const postgres = await startPostgres(supervisor, dir, pgPort!);
    log.progress('starting rabbitmq');
    const rabbitmq = await startRabbitmq(supervisor, dir, { amqp: amqp!, dist: dist!, epmd: epmd! });
    const logs = join(dir, 'logs');
    const tmp = join(dir, 'tmp');
    await mkdir(logs, { recursive: true });
    await mkdir(tmp, { recursive: true });
    const common = {
      PATH: process.env.PATH,
      // glog writes its files to TMPDIR: keep them in the throw-away folder.
      TMPDIR: tmp,
      IN_DOCKER: 'false',
      HTTP_HOST: '127.0.0.1',
      PG_URL: postgres.url,
      PG_DSN_URL: postgres.dsn,
      RABBITMQ_URL: rabbitmq.url,
      PRODUCT_CLIENT_URL: `127.0.0.1:${product}`,
      GRPC_PRODUCT_HOST: '127.0.0.1',
      GRPC_PRODUCT_PORT: String(product),
      GRPC_COUNTER_HOST: '127.0.0.1',
      GRPC_COUNTER_PORT: String(counter),
      LOG_LEVEL: 'info',
    };
    const consumerPorts = [...more];
    const processes: LocalShop['processes'] = [];
    const lastIndex = { barista: replicas.barista, kitchen: replicas.kitchen };
    const launch = (service: Service, index: number, port: number) => {
      const file = join(logs, `${service}-${index}.log`);
      const command = qemu ?? binaries.binaries[service];
      const child = supervisor.start({
        name: `${service}-${index}`,
        command,
        args: qemu ? [binaries.binaries[service]] : [],
        cwd: binaries.workdirs[service],
        env: { ...common, APP_NAME: `${service}-service`, HTTP_PORT: String(port) },
        output: file,
      });
      processes.push({ service, index, child, log: file });
    };
    log.progress('starting the Go services');
    launch('product', 1, product!);
    await waitUntil(`product on 127.0.0.1:${product}`, async () => (await tcpAnswers(product!)) && true, {
      timeoutMs: 30_000,
      child: processes[0]!.child,
      log: processes[0]!.log,
    });
    launch('counter', 1, counter!);
    await waitUntil(`counter on 127.0.0.1:${counter}`, async () => (await tcpAnswers(counter!)) && true, {
      timeoutMs: options.readyTimeoutMs ?? 90_000,
      child: processes[1]!.child,
      log: processes[1]!.log,
    });
    for (const service of ['barista', 'kitchen'] as const) {
      for (let index = 1; index <= replicas[service]; index++) launch(service, index, consumerPorts.shift()!);
    }
    launch('proxy', 1, proxyPort);
    const url = `http://127.0.0.1:${proxyPort}`;
    const proxy = processes.at(-1)!;
    await waitUntil(`the API at ${url}`, async () => ((await getStatus(`${url}/v1/api/item-types`)) === 200 ? true : undefined), {
      timeoutMs: options.readyTimeoutMs ?? 90_000,
      child: proxy.child,
      log: proxy.log,
    });
    // Messages published before a consumer declares its queue are dropped: wait for every consumer.
    const consumersReady = async (wanted: Record<'barista' | 'kitchen', number>) => {
      const consumers = wanted.barista + wanted.kitchen;
      await waitUntil(
        `${consumers} barista/kitchen consumers on their queues`,
        async () => {
          const queues = await queueStates(rabbitmq);
          // One consumer per process on each service's queue (upstream's consumer tag).
          const count = (prefix: string) => queues.filter((q) => q.name.startsWith(prefix)).reduce((sum, q) => sum + q.consumers, 0);
          return count('barista') === wanted.barista && count('kitchen') === wanted.kitchen ? true : undefined;
        },
        { timeoutMs: options.readyTimeoutMs ?? 90_000 },
      );
      const dead = processes.find((p) => !p.child.running);
      if (dead) throw new EnvironmentError(`${dead.child.name} exited; log: ${dead.log}`);
    };
    await consumersReady(replicas);
    log.done();
    const setConsumers = async (next: Record<'barista' | 'kitchen', number>): Promise<void> => {
      for (const service of ['barista', 'kitchen'] as const) {
        const running = processes.filter((p) => p.service === service);
        for (const extra of running.slice(next[service])) {
          await supervisor.stopChild(extra.child);
          processes.splice(processes.indexOf(extra), 1);
        }
        const ports = await distinctPorts(Math.max(0, next[service] - running.length));
        // A new process gets an index never used, so its log never mixes with a stopped one's.
        for (const port of ports) launch(service, ++lastIndex[service], port);
      }
      await consumersReady(next);
    };
    const scale = async (wanted: Partial<Record<string, number>>): Promise<number> => {
      validateReplicas(wanted);
      const started = performance.now();
      const next = { ...replicas, ...wanted } as Record<'barista' | 'kitchen', number>;
      await setConsumers(next);
      Object.assign(replicas, next);
      return performance.now() - started;
    };
    const pauseConsumers = async (): Promise<() => Promise<void>> => {
      const running = { barista: replicas.barista, kitchen: replicas.kitchen };
      await setConsumers({ barista: 0, kitchen: 0 });
      return () => setConsumers(running);
    };
    return {
      url,
      dir,
      postgres,
      rabbitmq,
      processes,
      counts: () => orderCounts(postgres),
      lost: () => lostOrders(postgres),
      queues: () => queueStates(rabbitmq),
      truncate: () => truncateOrders(postgres),
      purge: () => purgeQueues(rabbitmq),
      scale,
      pauseConsumers,
      stop,
    };
  } catch (error) {
    log.done();
    const keep = options.keepDir;
    await supervisor.stop();
    if (!keep) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    throw error instanceof EnvironmentError ? error : new EnvironmentError(`local go-coffee did not start: ${errorMessage(error)}`, { cause: error });
  }
}
