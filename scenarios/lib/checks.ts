import { CATALOG, ORDER_STATUS } from './catalog.ts';

/** Body-shape checks, pure so both generators apply the same ones. Each returns true when the shape holds. */

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseJson(body: string | null): unknown {
  if (body === null) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** `{"itemTypes":[{"name","type","price","image"}]}` with the ten catalogue items, in any order. */
export function isItemTypesBody(value: unknown): boolean {
  if (!isObject(value) || !Array.isArray(value.itemTypes) || value.itemTypes.length !== CATALOG.length) return false;
  return value.itemTypes.every(
    (item) =>
      isObject(item) && typeof item.name === 'string' && typeof item.type === 'number' && typeof item.price === 'number' && typeof item.image === 'string',
  );
}

/** `{}`: the gateway returns an empty PlaceOrderResponse, no order id. */
export function isPlaceOrderBody(value: unknown): boolean {
  return isObject(value) && Object.keys(value).length === 0;
}

export interface FulfillmentOrder {
  id: string;
  loyaltyMemberId: string;
  orderStatus: number;
  lineItems: unknown[];
}

function isOrder(value: unknown): value is FulfillmentOrder {
  return (
    isObject(value) &&
    typeof value.id === 'string' &&
    typeof value.loyaltyMemberId === 'string' &&
    typeof value.orderStatus === 'number' &&
    Array.isArray(value.lineItems)
  );
}

/**
 * `{"orders":[...]}`. The list is unpaged and grows through a test, so only the first and last few
 * orders are checked; a full scan per request would make the generator the bottleneck.
 */
export function isFulfillmentBody(value: unknown): boolean {
  if (!isObject(value) || !Array.isArray(value.orders)) return false;
  const orders = value.orders;
  const sample = orders.length <= 6 ? orders : [...orders.slice(0, 3), ...orders.slice(-3)];
  return sample.every(isOrder);
}

/** The probe's order, found by its loyaltyMemberId (the API returns no order id). */
export function findOrder(value: unknown, loyaltyMemberId: string): FulfillmentOrder | undefined {
  if (!isObject(value) || !Array.isArray(value.orders)) return undefined;
  // Newest orders are at the end; search backwards.
  for (let i = value.orders.length - 1; i >= 0; i--) {
    const order: unknown = value.orders[i];
    if (isOrder(order) && order.loyaltyMemberId === loyaltyMemberId) return order;
  }
  return undefined;
}

export function isFulfilled(order: FulfillmentOrder | undefined): boolean {
  return order?.orderStatus === ORDER_STATUS.FULFILLED;
}
