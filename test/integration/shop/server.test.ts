import { createServer } from 'node:net';
import test from 'ava';
import { isOneLineError, REPO_ROOT, runEntry } from '../../helpers/cli.ts';
import { waitFor } from '../../helpers/poll.ts';
import { startLocalShop, type RunningShop } from '../../../bench/target/local-shop.ts';
import { MAX_JSON_DEPTH } from '../../../shop/api.ts';
import { MAX_ORDER_ITEMS } from '../../../shop/model.ts';

const member = '6a2b6a6c-9c5f-4f7e-8f5b-2d2b1a7c9e11';

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.json() };
}

for (const replicas of [1, 3]) {
  test.serial(`the API over HTTP with ${replicas} replica(s): item types, orders, asynchronous fulfilment, errors`, async (t) => {
    const shop: RunningShop = await startLocalShop({ replicas, port: 0, cpuMs: 0, prepFactor: 0.01, stationSlots: 5 });
    t.teardown(() => shop.stop());
    const types = await json(`${shop.url}/v1/api/item-types`);
    t.is(types.status, 200);
    t.is((types.body as { itemTypes: unknown[] }).itemTypes.length, 10);
    t.deepEqual((await json(`${shop.url}/v1/api/items-by-types/LATTE,CAKEPOP`)).body, {
      items: [
        { price: 4.5, type: 5 },
        { price: 2.5, type: 6 },
      ],
    });
    // Orders placed through different workers all land in the one list.
    for (let i = 0; i < 6; i++) {
      const placed = await json(`${shop.url}/v1/api/orders`, {
        method: 'POST',
        body: JSON.stringify({
          commandType: 0,
          orderSource: 0,
          location: 0,
          loyaltyMemberId: member,
          baristaItems: [{ itemType: 5 }],
          kitchenItems: [{ itemType: 8 }],
          timestamp: new Date().toISOString(),
        }),
      });
      t.deepEqual(placed, { status: 200, body: {} });
    }
    const fulfilled = await waitFor('every order fulfilled', async () => {
      const { body } = await json(`${shop.url}/v1/fulfillment-orders`);
      const orders = (body as { orders: { orderStatus: number; localtion: number; lineItems: { name: string; isBaristaOrder: boolean }[] }[] }).orders;
      return orders.length === 6 && orders.every((o) => o.orderStatus === 2) ? orders : undefined;
    });
    t.deepEqual(
      fulfilled[0]?.lineItems.map((l) => [l.name, l.isBaristaOrder]),
      [
        ['LATTE', true],
        ['MUFFIN', false],
      ],
    );
    t.is(fulfilled[0]?.localtion, 0);
    t.deepEqual(await json(`${shop.url}/v1/api/orders`, { method: 'POST', body: '{"loyaltyMemberId":"x"}' }), {
      status: 500,
      body: { code: 2, message: 'invalid UUID length: 1', details: [] },
    });
    t.is((await json(`${shop.url}/v1/api/orders`, { method: 'POST', body: 'not json' })).status, 400);
    t.is((await json(`${shop.url}/nowhere`)).status, 404);
    t.is((await json(`${shop.url}/v1/api/orders`)).status, 405);
    t.deepEqual((await json(`${shop.url}/reverse-proxy-url`)).body, { url: shop.url });
  });
}

for (const replicas of [1, 2]) {
  test.serial(`bad input gets 400 with ${replicas} replica(s): bad percent-encoding, deeply nested JSON, an absurd item count`, async (t) => {
    const shop = await startLocalShop({ replicas, port: 0, cpuMs: 0, prepFactor: 0.01, stationSlots: 5 });
    t.teardown(() => shop.stop());
    const badEncoding = await json(`${shop.url}/v1/api/items-by-types/LATTE,%E0%A4%A`);
    t.is(badEncoding.status, 400);
    t.regex((badEncoding.body as { message: string }).message, /bad percent-encoding/);
    const deep = await json(`${shop.url}/v1/api/orders`, { method: 'POST', body: `${'['.repeat(100_000)}${']'.repeat(100_000)}` });
    t.is(deep.status, 400);
    t.regex((deep.body as { message: string }).message, new RegExp(`nested deeper than ${MAX_JSON_DEPTH} levels`));
    const order = (items: number) => ({
      commandType: 0,
      orderSource: 0,
      location: 0,
      loyaltyMemberId: member,
      baristaItems: Array.from({ length: items }, () => ({ itemType: 5 })),
      kitchenItems: [],
    });
    const huge = await json(`${shop.url}/v1/api/orders`, { method: 'POST', body: JSON.stringify(order(60_000)) });
    t.is(huge.status, 400);
    t.regex((huge.body as { message: string }).message, new RegExp(`60000 items; an order holds at most ${MAX_ORDER_ITEMS}`));
    t.is((await json(`${shop.url}/v1/api/orders`, { method: 'POST', body: JSON.stringify(order(MAX_ORDER_ITEMS)) })).status, 200);
    // The shop still serves afterwards.
    t.is((await json(`${shop.url}/v1/api/item-types`)).status, 200);
  });
}

test('a port in use is a one-line error and exit code 2', async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const result = await runEntry(`${REPO_ROOT}shop/cli.ts`, ['serve', '--port', String(port)]);
  t.is(result.code, 2);
  t.true(isOneLineError(result.stderr), result.stderr);
  t.regex(result.stderr, new RegExp(`port ${port} .* is in use`));
});

test('shop --help and bad options', async (t) => {
  const help = await runEntry(`${REPO_ROOT}shop/cli.ts`, ['serve', '--help']);
  t.is(help.code, 0);
  t.regex(help.stdout, /--replicas <n>/);
  const bad = await runEntry(`${REPO_ROOT}shop/cli.ts`, ['serve', '--replicas', 'many']);
  t.is(bad.code, 2);
  t.true(isOneLineError(bad.stderr), bad.stderr);
});
