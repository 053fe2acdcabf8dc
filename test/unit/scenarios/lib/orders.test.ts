import test from 'ava';
import { BARISTA_TYPES, KITCHEN_TYPES } from '../../../../scenarios/lib/catalog.ts';
import { findOrder, isFulfillmentBody, isItemTypesBody, isPlaceOrderBody } from '../../../../scenarios/lib/checks.ts';
import { locustOrder, randomOrder, uuidV4 } from '../../../../scenarios/lib/orders.ts';
import { itemTypesBody } from '../../../../shop/model.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('random orders are valid: distinct types of the right station, at least one item, fresh member ids', (t) => {
  const ids = new Set<string>();
  for (let i = 0; i < 500; i++) {
    const order = randomOrder();
    const barista = order.baristaItems.map((x) => x.itemType);
    const kitchen = order.kitchenItems.map((x) => x.itemType);
    t.true(barista.length + kitchen.length >= 1);
    t.is(new Set(barista).size, barista.length);
    t.is(new Set(kitchen).size, kitchen.length);
    t.true(barista.every((x) => BARISTA_TYPES.includes(x)));
    t.true(kitchen.every((x) => KITCHEN_TYPES.includes(x)));
    t.regex(order.loyaltyMemberId, UUID);
    ids.add(order.loyaltyMemberId);
    t.false(Number.isNaN(Date.parse(order.timestamp)));
  }
  t.is(ids.size, 500);
});

test('uuidV4 is a version 4 UUID', (t) => {
  t.regex(uuidV4(), UUID);
  t.regex(
    uuidV4(() => 0.999999),
    UUID,
  );
});

test("the Locust order is the old test's fixed basket", (t) => {
  const order = locustOrder('6a2b6a6c-9c5f-4f7e-8f5b-2d2b1a7c9e11');
  t.deepEqual(
    order.baristaItems.map((x) => x.itemType),
    [5, 4, 0, 2, 3],
  );
  t.deepEqual(
    order.kitchenItems.map((x) => x.itemType),
    [8, 9, 6, 7],
  );
});

test("body checks accept the shop's shapes and reject others", (t) => {
  t.true(isItemTypesBody(itemTypesBody()));
  t.false(isItemTypesBody({ itemTypes: [] }));
  t.true(isPlaceOrderBody({}));
  t.false(isPlaceOrderBody({ id: 'x' }));
  const orders = {
    orders: [
      { id: 'a', loyaltyMemberId: 'm1', orderStatus: 1, lineItems: [] },
      { id: 'b', loyaltyMemberId: 'm2', orderStatus: 2, lineItems: [] },
    ],
  };
  t.true(isFulfillmentBody(orders));
  t.false(isFulfillmentBody({ orders: [{ id: 1 }] }));
  t.is(findOrder(orders, 'm2')?.id, 'b');
  t.is(findOrder(orders, 'm3'), undefined);
});
