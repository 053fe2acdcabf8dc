import type { ExecOptions } from '../../cluster/engine/exec.ts';
import { EnvironmentError } from '../../kernel/errors.ts';
import { poll } from '../../kernel/poll.ts';
import { queueTotals } from '../../rundir/shop-sample.ts';
import type { ShopSample, ShopStateSnapshot } from '../../rundir/types.ts';
import { lostOrders, type OrderCounts, orderCounts, purgeQueues, type QueueState, queueStates, truncateOrders } from '../../shop/gocoffee/servers.ts';
import type { ShopState } from '../target/target.ts';

/**
 * The shop's state as the bench reads and resets it, whatever the target: SQL in its postgres and
 * rabbitmqctl in its rabbitmq, through the local servers' hooks (shop/gocoffee/servers.ts) or,
 * on a swarm, through the Engine API's exec in their tasks (cluster/control.ts `exec`). Never the
 * shop's own HTTP API: listing 10k orders there takes seconds and loads the system being measured.
 */
export interface ShopAccess {
  /** How it is reached, for events and messages. */
  readonly method: string;
  counts(): Promise<OrderCounts>;
  /** Orders never to be fulfilled (every item made, the order not fulfilled): a heavier query, for snapshots. */
  lost(): Promise<number>;
  queues(): Promise<QueueState[]>;
  /** Empties the order, line-item, barista and kitchen tables. */
  truncate(): Promise<void>;
  /** Drops every message ready in every queue. */
  purge(): Promise<void>;
  /**
   * Stops every consumer (barista, kitchen), so no message is held unacknowledged; resolves with
   * the function that starts them again and waits until each consumes its queue.
   */
  pauseConsumers(): Promise<() => Promise<void>>;
}

/** The Go coffee shop's shop access for a target's ShopState. */
export function shopAccess(state: ShopState): ShopAccess {
  if (state.kind === 'local-go-coffee') {
    const shop = state.shop;
    return {
      method: 'the local postgres and rabbitmq',
      counts: () => shop.counts(),
      lost: () => shop.lost(),
      queues: () => shop.queues(),
      truncate: () => shop.truncate(),
      purge: async () => {
        await shop.purge();
      },
      pauseConsumers: () => shop.pauseConsumers(),
    };
  }
  return swarmAccess(state);
}

/** psql's rows: tab-separated, one a line (`-A -t -F '\t'`). */
export function parseRows(out: string): string[][] {
  return out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t'));
}

function swarmAccess(state: Extract<ShopState, { kind: 'swarm' }>): ShopAccess {
  const { control } = state;
  const need = (service: string | undefined, what: string): string => {
    if (!service)
      throw new EnvironmentError(
        `${state.stack ? `stack ${state.stack}` : 'the target'} has no ${what} service (found by its image): its state cannot be read or reset`,
      );
    return service;
  };
  const run = async (service: string, command: string[], options: ExecOptions): Promise<string> => {
    const result = await control.exec(service, command, options);
    if (result.exitCode !== 0)
      throw new EnvironmentError(
        `${command[0]} in ${service} exited with ${result.exitCode}: ${(result.stderr || result.stdout).trim().split('\n').slice(-2).join(' ')}`,
      );
    return result.stdout;
  };
  const postgres = {
    // The images' own client on the local socket, as the server's user (trusted locally in the official image and ours).
    query: async (sql: string) =>
      parseRows(
        await run(
          need(state.postgres, 'postgres'),
          ['psql', '-U', 'postgres', '-d', 'postgres', '-X', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', sql],
          {
            user: 'postgres',
            timeoutMs: 30_000,
          },
        ),
      ),
  };
  const rabbitmq = {
    // rabbitmqctl needs the server's Erlang cookie: run it as the server's user, with its home.
    ctl: (args: string[]) =>
      run(need(state.rabbitmq, 'rabbitmq'), ['rabbitmqctl', '-q', ...args], { user: 'rabbitmq', env: ['HOME=/var/lib/rabbitmq'], timeoutMs: 60_000 }),
  };
  return {
    method: `exec in ${[state.postgres, state.rabbitmq].filter(Boolean).join(' and ')} on the swarm`,
    counts: () => orderCounts(postgres),
    lost: () => lostOrders(postgres),
    queues: () => queueStates(rabbitmq),
    truncate: () => truncateOrders(postgres),
    purge: async () => {
      await purgeQueues(rabbitmq);
    },
    async pauseConsumers() {
      if (state.consumers.length === 0) return async () => undefined;
      const scaled = await control.scale(state.consumers.map((service) => ({ service, replicas: 0 })));
      return async () => {
        await control.scale(scaled.services.map((service) => ({ service: service.name, replicas: service.from })));
        // A consumer declares its queue and starts consuming a few seconds after its task runs.
        const expected = scaled.services.map((service) => ({ prefix: service.name.split('_').pop() ?? service.name, count: service.from }));
        await poll(
          'the consumers back on their queues',
          120_000,
          async () => {
            const queues = await queueStates(rabbitmq);
            return expected.every(({ prefix, count }) => consumersOf(queues, prefix) === count) ? true : undefined;
          },
          1000,
        );
      };
    },
  };
}

/** Consumers on the queues named after a service (upstream names them barista-…, kitchen-…). */
export function consumersOf(queues: readonly QueueState[], prefix: string): number {
  return queues.filter((queue) => queue.name.startsWith(prefix)).reduce((sum, queue) => sum + queue.consumers, 0);
}

/** One reading of everything (counts and queues at once); a part that fails is null, with its error. */
export async function readShop(access: ShopAccess): Promise<{ sample: Omit<ShopSample, 'pointId'>; errors: string[] }> {
  const started = Date.now();
  const [counts, queues] = await Promise.allSettled([access.counts(), access.queues()]);
  const errors = [counts, queues].flatMap((r) => (r.status === 'rejected' ? [r.reason instanceof Error ? r.reason.message : String(r.reason)] : []));
  const c = counts.status === 'fulfilled' ? counts.value : null;
  return {
    sample: {
      timeMs: Math.round((started + Date.now()) / 2),
      orders: c?.orders ?? null,
      fulfilled: c?.fulfilled ?? null,
      inProgress: c?.inProgress ?? null,
      queues: queues.status === 'fulfilled' ? queues.value : null,
    },
    errors,
  };
}

/** A snapshot of the shop now; throws when either part cannot be read. */
export async function snapshotShop(access: ShopAccess): Promise<ShopStateSnapshot> {
  const [counts, queues, lost] = await Promise.all([access.counts(), access.queues(), access.lost().catch(() => null)]);
  return { timeMs: Date.now(), ...counts, ...queueTotals(queues), ...(lost === null ? {} : { neverFulfilled: lost }) };
}
