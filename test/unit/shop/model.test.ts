import test from 'ava';
import { ORDER_STATUS } from '../../../scenarios/lib/catalog.ts';
import { randomOrder } from '../../../scenarios/lib/orders.ts';
import { ApiError, ShopModel, itemsByTypesBody } from '../../../shop/model.ts';
import { manualTimers } from '../../helpers/timers.ts';

const member = '6a2b6a6c-9c5f-4f7e-8f5b-2d2b1a7c9e11';

function orders(model: ShopModel) {
  return (JSON.parse(model.fulfillmentBody()) as { orders: { loyaltyMemberId: string; orderStatus: number; lineItems: { itemStatus: number }[] }[] }).orders;
}

test('an order starts IN_PROGRESS and is FULFILLED after its slowest item, scaled by the factor', (t) => {
  const clock = manualTimers();
  const model = new ShopModel({ prepFactor: 0.1, schedule: clock.schedule });
  // Cappuccino 10 s and cakepop 5 s upstream: 1 s and 0.5 s here.
  model.placeOrder({ loyaltyMemberId: member, baristaItems: [{ itemType: 0 }], kitchenItems: [{ itemType: 6 }] });
  t.is(orders(model)[0]?.orderStatus, ORDER_STATUS.IN_PROGRESS);
  clock.advance(500);
  t.deepEqual(
    orders(model)[0]?.lineItems.map((l) => l.itemStatus),
    [ORDER_STATUS.IN_PROGRESS, ORDER_STATUS.FULFILLED],
  );
  clock.advance(500);
  t.is(orders(model)[0]?.orderStatus, ORDER_STATUS.FULFILLED);
});

test('a station prepares at most its slots at once; the rest queue', (t) => {
  const clock = manualTimers();
  const model = new ShopModel({ prepFactor: 1, stationSlots: 1, schedule: clock.schedule });
  model.placeOrder({ loyaltyMemberId: member, baristaItems: [{ itemType: 5 }] }); // latte 3 s
  model.placeOrder({ loyaltyMemberId: member, baristaItems: [{ itemType: 5 }] });
  clock.advance(3000);
  t.deepEqual(
    orders(model).map((o) => o.orderStatus),
    [ORDER_STATUS.FULFILLED, ORDER_STATUS.IN_PROGRESS],
  );
  clock.advance(3000);
  t.deepEqual(
    orders(model).map((o) => o.orderStatus),
    [ORDER_STATUS.FULFILLED, ORDER_STATUS.FULFILLED],
  );
});

test('the list is unpaged and keeps every order', (t) => {
  const model = new ShopModel({ schedule: () => undefined });
  for (let i = 0; i < 250; i++) model.placeOrder(randomOrder());
  t.is(orders(model).length, 250);
});

test('errors as upstream: bad UUID → 500 code 2, bad item type → 400 (upstream crashes), no items never fulfil', (t) => {
  const model = new ShopModel({ schedule: (fn) => fn() });
  const bad = t.throws(() => model.placeOrder({ loyaltyMemberId: 'nope' }), { instanceOf: ApiError });
  t.is(bad?.httpStatus, 500);
  t.is(bad?.grpcCode, 2);
  t.is(t.throws(() => model.placeOrder({ loyaltyMemberId: member, kitchenItems: [{ itemType: 12 }] }), { instanceOf: ApiError })?.httpStatus, 400);
  model.placeOrder({ loyaltyMemberId: member });
  t.is(orders(model)[0]?.orderStatus, ORDER_STATUS.IN_PROGRESS);
});

test('items-by-types answers price and type of the names it knows', (t) => {
  t.deepEqual(itemsByTypesBody('LATTE,MUFFIN,NOPE'), {
    items: [
      { price: 4.5, type: 5 },
      { price: 3, type: 8 },
    ],
  });
});
