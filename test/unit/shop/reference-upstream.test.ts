import test from 'ava';
import { createServer } from 'node:http';
import { ORDER_STATUS } from '../../../scenarios/lib/catalog.ts';
import { createApiHandler } from '../../../shop/api.ts';
import { ShopModel, spacedJson, upstreamKitchenDelayMs } from '../../../shop/model.ts';
import { manualTimers } from '../../helpers/timers.ts';

// Unit (Node only): the reference shop's `upstream` behaviour, on a manual clock.

const member = (i: number) => `6a2b6a6c-9c5f-4f7e-8f5b-2d2b1a7c9e${String(i).padStart(2, '0')}`;
type Listed = { loyaltyMemberId: string; orderStatus: number; lineItems: { itemStatus: number; isBaristaOrder: boolean }[] };
const list = (model: ShopModel) => (JSON.parse(model.fulfillmentBody()) as { orders: Listed[] }).orders;

test("upstream: every item goes to the kitchen, 5 at a time, with the kitchen's delays (about 1.2 items/s)", (t) => {
  const clock = manualTimers();
  const model = new ShopModel({ behaviour: 'upstream', schedule: clock.schedule, random: () => 0.999 });
  // Six orders of one latte each: upstream's kitchen makes a drink in 3 s, 5 at a time.
  for (let i = 0; i < 6; i++) model.placeOrder({ loyaltyMemberId: member(i), baristaItems: [{ itemType: 5 }] });
  clock.advance(2999);
  t.is(list(model).filter((o) => o.orderStatus === ORDER_STATUS.FULFILLED).length, 0);
  clock.advance(1);
  t.is(list(model).filter((o) => o.orderStatus === ORDER_STATUS.FULFILLED).length, 5, 'five at once: the barista never takes them');
  clock.advance(3000);
  t.is(list(model).filter((o) => o.orderStatus === ORDER_STATUS.FULFILLED).length, 6);
  t.true(list(model)[0]!.lineItems[0]!.isBaristaOrder, 'the line item still says barista, as upstream stores it');
  t.deepEqual([0, 5, 6, 7, 8, 9].map(upstreamKitchenDelayMs), [3000, 3000, 5000, 7000, 7000, 7000]);
});

test('reference: drinks go to the barista, so a kitchen item does not wait behind them', (t) => {
  const clock = manualTimers();
  const model = new ShopModel({ schedule: clock.schedule, prepFactor: 1 });
  for (let i = 0; i < 5; i++) model.placeOrder({ loyaltyMemberId: member(i), baristaItems: [{ itemType: 5 }] });
  model.placeOrder({ loyaltyMemberId: member(9), kitchenItems: [{ itemType: 6 }] });
  clock.advance(5000);
  t.is(list(model).find((o) => o.loyaltyMemberId === member(9))?.orderStatus, ORDER_STATUS.FULFILLED);
});

test('upstream: a new order can land anywhere in the list, not only at its end', (t) => {
  const draws = [0.999, 0.999, 0, 0.5];
  const model = new ShopModel({ behaviour: 'upstream', schedule: () => undefined, random: () => draws.shift() ?? 0 });
  for (let i = 1; i <= 4; i++) model.placeOrder({ loyaltyMemberId: member(i), kitchenItems: [{ itemType: 6 }] });
  t.deepEqual(
    list(model).map((o) => o.loyaltyMemberId),
    [member(3), member(1), member(4), member(2)],
  );
});

test("spacedJson writes upstream's spacing and parses back to the same value", (t) => {
  const value = { orders: [{ id: 'a', n: 1.5, ok: true, none: null, list: [1, 2] }], empty: {} };
  t.is(spacedJson(value), '{"orders": [{"id": "a", "n": 1.5, "ok": true, "none": null, "list": [1, 2]}], "empty": {}}');
  t.deepEqual(JSON.parse(spacedJson(value)), value);
});

test('upstream responses: spaced JSON, the Grpc-Metadata-Content-Type header, item types in random order, 501 for a wrong method', async (t) => {
  const model = new ShopModel({ behaviour: 'upstream', schedule: () => undefined });
  const server = createServer(
    createApiHandler({
      upstream: true,
      cpuMs: 0,
      reverseProxyUrl: 'http://x',
      store: { placeOrder: async (b) => model.placeOrder(b), fulfillmentBody: async () => model.fulfillmentBody() },
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const orders = new Set<string>();
  for (let i = 0; i < 8; i++) {
    const response = await fetch(`${url}/v1/api/item-types`);
    t.is(response.headers.get('grpc-metadata-content-type'), 'application/grpc');
    const text = await response.text();
    t.true(text.startsWith('{"itemTypes": [{"name": '), text.slice(0, 40));
    orders.add((JSON.parse(text) as { itemTypes: { type: number }[] }).itemTypes.map((i) => i.type).join(','));
  }
  t.true(orders.size > 1, 'the order changes between requests');
  t.is((await fetch(`${url}/v1/api/orders`)).status, 501);
});
