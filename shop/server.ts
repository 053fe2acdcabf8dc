import cluster, { type Worker } from 'node:cluster';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { EnvironmentError } from '../kernel/errors.ts';
import { createApiHandler, type OrderStore } from './api.ts';
import { ApiError, ShopModel, type Behaviour } from './model.ts';

/**
 * Runs the reference shop as local processes: N worker processes behind one port (node:cluster,
 * round-robin), N being its "replica" count. Orders live in the primary, as in upstream's shared
 * postgres; workers reach it over IPC. With one replica everything runs in one process.
 */

export interface ShopOptions {
  port: number;
  host: string;
  replicas: number;
  cpuMs: number;
  prepFactor: number;
  stationSlots: number;
  /** Defaults to this shop's own URL. */
  reverseProxyUrl?: string;
  /** `reference` (default) or `upstream`: imitate the real shop's behaviour under load (model.ts). */
  behaviour?: Behaviour;
}

export const SHOP_DEFAULTS: ShopOptions = { port: 5000, host: '127.0.0.1', replicas: 1, cpuMs: 1, prepFactor: 1, stationSlots: 5 };

type Request = { op: 'place'; body: unknown } | { op: 'list' };
type ToPrimary = Request & { id: number };
type ToWorker = { id: number; ok: true; value?: string } | { id: number; ok: false; status: number; code: number; message: string };

/** Fails early with one line when the port is taken, instead of N workers failing one by one. */
export async function assertPortFree(host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE')
        reject(new EnvironmentError(`port ${port} on ${host} is in use: stop what listens there or choose another with --port`, { cause: error }));
      else if (error.code === 'EACCES')
        reject(new EnvironmentError(`port ${port} on ${host} needs privileges: choose a port above 1023 with --port`, { cause: error }));
      else reject(error);
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function modelFor(options: ShopOptions): ShopModel {
  return new ShopModel({ prepFactor: options.prepFactor, stationSlots: options.stationSlots, behaviour: options.behaviour });
}

/** One replica: HTTP and the order store in this process. Resolves once listening. */
export async function startSingle(options: ShopOptions): Promise<{ url: string; close(): Promise<void> }> {
  const model = modelFor(options);
  const store: OrderStore = {
    placeOrder: async (body) => model.placeOrder(body),
    fulfillmentBody: async () => model.fulfillmentBody(),
  };
  let url = '';
  const server = createServer(
    createApiHandler({
      store,
      cpuMs: options.cpuMs,
      upstream: options.behaviour === 'upstream',
      get reverseProxyUrl() {
        return options.reverseProxyUrl ?? url;
      },
    }),
  );
  server.keepAliveTimeout = 65_000;
  const port = await listen(server, options.host, options.port);
  url = `http://${options.host}:${port}`;
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Primary of a multi-replica shop: owns the model, forks the workers, answers their IPC. */
export async function startPrimary(options: ShopOptions, workerEntry: string, execArgv: string[]): Promise<{ url: string; close(): Promise<void> }> {
  await assertPortFree(options.host, options.port);
  const model = modelFor(options);
  // Port 0: workers share the one free port the primary's round-robin handle gets; read it back.
  let url = `http://${options.host}:${options.port}`;
  cluster.once('listening', (_worker, address) => {
    url = `http://${options.host}:${address.port}`;
  });
  cluster.setupPrimary({ exec: workerEntry, execArgv, silent: false });
  const env = { SHOP_WORKER_OPTIONS: JSON.stringify({ ...options, reverseProxyUrl: options.reverseProxyUrl ?? '' }) };
  const workers: Worker[] = [];
  let closing = false;
  const onMessage = (worker: Worker) => (message: ToPrimary) => {
    let reply: ToWorker;
    try {
      if (message.op === 'place') {
        model.placeOrder(message.body);
        reply = { id: message.id, ok: true };
      } else reply = { id: message.id, ok: true, value: model.fulfillmentBody() };
    } catch (error) {
      reply =
        error instanceof ApiError
          ? { id: message.id, ok: false, status: error.httpStatus, code: error.grpcCode, message: error.message }
          : { id: message.id, ok: false, status: 500, code: 13, message: String(error) };
    }
    worker.send(reply);
  };
  const fork = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork(env);
      workers.push(worker);
      worker.on('message', onMessage(worker));
      worker.once('listening', () => resolve());
      worker.once('exit', (code) => {
        if (!closing) reject(new Error(`shop worker exited with code ${code} before listening`));
      });
    });
  await Promise.all(Array.from({ length: options.replicas }, fork));
  // A worker that dies under load is replaced, like a swarm task.
  cluster.on('exit', (worker) => {
    if (closing) return;
    const index = workers.indexOf(worker);
    if (index >= 0) workers.splice(index, 1);
    void fork().catch(() => undefined);
  });
  return {
    url,
    close: async () => {
      closing = true;
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve) => {
              if (w.isDead()) return resolve();
              w.once('exit', () => resolve());
              w.kill();
            }),
        ),
      );
    },
  };
}

/** Worker side of a multi-replica shop: HTTP here, orders in the primary. */
export async function startWorker(): Promise<void> {
  const options = JSON.parse(process.env.SHOP_WORKER_OPTIONS ?? '{}') as ShopOptions & { reverseProxyUrl: string };
  let nextId = 0;
  const pending = new Map<number, { resolve(value: string | undefined): void; reject(error: Error): void }>();
  process.on('message', (message: ToWorker) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.ok) waiter.resolve(message.value);
    else waiter.reject(new ApiError(message.status, message.code, message.message));
  });
  const call = (message: Request): Promise<string | undefined> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      process.send?.({ ...message, id });
    });
  const store: OrderStore = {
    placeOrder: async (body) => void (await call({ op: 'place', body })),
    fulfillmentBody: async () => (await call({ op: 'list' })) ?? '{"orders":[]}',
  };
  let reverseProxyUrl = options.reverseProxyUrl;
  const server = createServer(
    createApiHandler({
      store,
      cpuMs: options.cpuMs,
      upstream: options.behaviour === 'upstream',
      get reverseProxyUrl() {
        return reverseProxyUrl;
      },
    }),
  );
  server.keepAliveTimeout = 65_000;
  const port = await listen(server, options.host, options.port);
  reverseProxyUrl ||= `http://${options.host}:${port}`;
  process.on('disconnect', () => process.exit(0));
}
