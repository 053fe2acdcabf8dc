// The state reset and drain, in the order the issue asks for, against a fake shop with the local
// shop's hooks: consumers stopped before anything is emptied (their unacknowledged messages back in
// the queues), tables and queues emptied, consumers restored; a drain that times out, and a reset
// that leaves something, flag the point state-not-reset.
import test from 'ava';
import type { PointSlotContext } from '../../../../bench/point/slots.ts';
import { stateResetFor } from '../../../../bench/state/reset.ts';
import type { Target } from '../../../../bench/target/target.ts';
import { silentLogger } from '../../../../kernel/log.ts';
import type { RunEventBody } from '../../../../rundir/events.ts';

interface FakeShop {
  orders: number;
  fulfilled: number;
  ready: number;
  unacked: number;
  consumers: number;
  calls: string[];
  /** Truncate leaves this many orders behind (a broken reset). */
  stubborn?: number;
  /** Each read, the kitchen takes this many messages off the queue. */
  drainPerRead?: number;
}

function fakeTarget(shop: FakeShop): Pick<Target, 'shopState'> {
  return {
    shopState: () => ({
      kind: 'local-go-coffee',
      shop: {
        url: 'http://127.0.0.1:1',
        counts: async () => ({ orders: shop.orders, fulfilled: shop.fulfilled, inProgress: shop.orders - shop.fulfilled }),
        lost: async () => 0,
        queues: async () => {
          const taken = Math.min(shop.ready, shop.consumers > 0 ? (shop.drainPerRead ?? 0) : 0);
          shop.ready -= taken;
          return [{ name: 'kitchen-order', depth: shop.ready, unacked: shop.unacked, consumers: shop.consumers }];
        },
        truncate: async () => {
          shop.calls.push(`truncate (consumers ${shop.consumers}, unacked ${shop.unacked})`);
          shop.orders = shop.stubborn ?? 0;
          shop.fulfilled = 0;
        },
        purge: async () => {
          shop.calls.push('purge');
          shop.ready = 0;
          return ['kitchen-order'];
        },
        pauseConsumers: async () => {
          shop.calls.push('pause');
          const was = shop.consumers;
          shop.consumers = 0;
          shop.ready += shop.unacked;
          shop.unacked = 0;
          return async () => {
            shop.calls.push('resume');
            shop.consumers = was;
          };
        },
      },
    }),
  };
}

function slot(): { ctx: PointSlotContext; events: RunEventBody[]; flags: string[] } {
  const events: RunEventBody[] = [];
  const flags: string[] = [];
  return {
    events,
    flags,
    ctx: {
      runId: 'r',
      pointId: 'p01',
      dir: '/nonexistent',
      baseUrls: [],
      logger: silentLogger,
      signal: new AbortController().signal,
      event: (body) => events.push(body),
      flag: (code, message) => flags.push(`${code}: ${message}`),
    },
  };
}

test('reset: consumers stopped first, tables and queues emptied, consumers back; the point starts empty', async (t) => {
  const shop: FakeShop = { orders: 40, fulfilled: 30, ready: 25, unacked: 5, consumers: 2, calls: [] };
  const { ctx, events, flags } = slot();
  const start = await stateResetFor(fakeTarget(shop), { mode: 'reset', drainTimeoutS: 10 }).reset(ctx);
  t.deepEqual(shop.calls, ['pause', 'truncate (consumers 0, unacked 0)', 'purge', 'resume']);
  t.like(start, { orders: 0, inProgress: 0, queued: 0, unacked: 0 });
  t.deepEqual(flags, []);
  const event = events.find((e) => e.type === 'state');
  t.like(event, { type: 'state', mode: 'reset', timedOut: false, before: { orders: 40, inProgress: 10, queued: 25, unacked: 5 }, after: { orders: 0 } });
  t.is(shop.consumers, 2, 'consumers restored');
});

test('reset that leaves orders behind is flagged state-not-reset', async (t) => {
  const shop: FakeShop = { orders: 4, fulfilled: 4, ready: 0, unacked: 0, consumers: 1, calls: [], stubborn: 3 };
  const { ctx, flags } = slot();
  await stateResetFor(fakeTarget(shop), { mode: 'reset', drainTimeoutS: 10 }).reset(ctx);
  t.is(flags.length, 1);
  t.regex(flags[0]!, /^state-not-reset: after the reset the shop still held 3 orders/);
});

test('drain: waits until nothing is queued or unacknowledged; orders left in progress do not hold it', async (t) => {
  const shop: FakeShop = { orders: 10, fulfilled: 7, ready: 6, unacked: 0, consumers: 1, calls: [], drainPerRead: 2 };
  const { ctx, events, flags } = slot();
  const start = await stateResetFor(fakeTarget(shop), { mode: 'drain', drainTimeoutS: 10, pollMs: 1 }).reset(ctx);
  t.like(start, { queued: 0, unacked: 0, inProgress: 3 });
  t.deepEqual(flags, []);
  t.like(
    events.find((e) => e.type === 'state'),
    { mode: 'drain', timedOut: false },
  );
  t.deepEqual(shop.calls, [], 'a drain changes nothing');
});

test('drain that times out is flagged, with the backlog it left', async (t) => {
  const shop: FakeShop = { orders: 10, fulfilled: 0, ready: 50, unacked: 5, consumers: 1, calls: [] };
  const { ctx, events, flags } = slot();
  await stateResetFor(fakeTarget(shop), { mode: 'drain', drainTimeoutS: 0.05, pollMs: 10 }).reset(ctx);
  t.like(
    events.find((e) => e.type === 'state'),
    { mode: 'drain', timedOut: true },
  );
  t.regex(flags[0] ?? '', /^state-not-reset: the shop had not drained after 0.05 s: 10 orders \(10 not fulfilled\), 50 messages queued, 5 unacknowledged/);
});

test('none records the state without touching it; a target that does not know its state gives null', async (t) => {
  const shop: FakeShop = { orders: 3, fulfilled: 1, ready: 1, unacked: 0, consumers: 1, calls: [] };
  const { ctx, events, flags } = slot();
  t.like(await stateResetFor(fakeTarget(shop), { mode: 'none', drainTimeoutS: 1 }).reset(ctx), { orders: 3, inProgress: 2, queued: 1 });
  t.deepEqual([shop.calls, events, flags], [[], [], []]);
  t.is(await stateResetFor({}, { mode: 'none', drainTimeoutS: 1 }).reset(ctx), null);
  // The reference shop starts afresh for each point: that is its reset.
  t.is(await stateResetFor({}, { mode: 'reset', drainTimeoutS: 1, restartsEachPoint: true }).reset(ctx), null);
  t.like(events.at(-1), { type: 'state', method: 'the shop starts afresh for each point' });
  t.deepEqual(flags, []);
});
