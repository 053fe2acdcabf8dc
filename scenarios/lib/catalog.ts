/**
 * The Go coffee shop's catalogue and enums, as upstream's Go code defines them. Pure: imported by the
 * k6 scenarios, the built-in generator and the reference shop alike, so it must not touch k6 or Node.
 */

export interface CatalogItem {
  type: number;
  name: string;
  price: number;
  /** Which worker prepares it upstream: barista (drinks, 0–5) or kitchen (food, 6–9). */
  station: 'barista' | 'kitchen';
  /** Upstream preparation time before the factor is applied. */
  prepMs: number;
}

export const CATALOG: readonly CatalogItem[] = [
  { type: 0, name: 'CAPPUCCINO', price: 4.5, station: 'barista', prepMs: 10_000 },
  { type: 1, name: 'COFFEE_BLACK', price: 3, station: 'barista', prepMs: 5_000 },
  { type: 2, name: 'COFFEE_WITH_ROOM', price: 3, station: 'barista', prepMs: 5_000 },
  { type: 3, name: 'ESPRESSO', price: 3.5, station: 'barista', prepMs: 7_000 },
  { type: 4, name: 'ESPRESSO_DOUBLE', price: 4.5, station: 'barista', prepMs: 7_000 },
  { type: 5, name: 'LATTE', price: 4.5, station: 'barista', prepMs: 3_000 },
  { type: 6, name: 'CAKEPOP', price: 2.5, station: 'kitchen', prepMs: 5_000 },
  { type: 7, name: 'CROISSANT', price: 3.25, station: 'kitchen', prepMs: 7_000 },
  { type: 8, name: 'MUFFIN', price: 3, station: 'kitchen', prepMs: 7_000 },
  { type: 9, name: 'CROISSANT_CHOCOLATE', price: 3.5, station: 'kitchen', prepMs: 7_000 },
];

export const BARISTA_TYPES: readonly number[] = CATALOG.filter((i) => i.station === 'barista').map((i) => i.type);
export const KITCHEN_TYPES: readonly number[] = CATALOG.filter((i) => i.station === 'kitchen').map((i) => i.type);

export const ORDER_STATUS = { PLACED: 0, IN_PROGRESS: 1, FULFILLED: 2 } as const;
export const ORDER_SOURCE = { COUNTER: 0, WEB: 1 } as const;
export const LOCATION = { ATLANTA: 0, CHARLOTTE: 1, RALEIGH: 2 } as const;
export const COMMAND_TYPE = { PLACE_ORDER: 0 } as const;

export function itemByType(type: number): CatalogItem | undefined {
  return CATALOG[type]?.type === type ? CATALOG[type] : CATALOG.find((i) => i.type === type);
}

export function itemByName(name: string): CatalogItem | undefined {
  return CATALOG.find((i) => i.name === name);
}

/** The endpoints, each with the fixed `name` tag used for metrics (never the raw URL). */
export const ENDPOINTS = {
  itemTypes: { name: 'item-types', method: 'GET', path: '/v1/api/item-types' },
  itemsByTypes: { name: 'items-by-types', method: 'GET', path: '/v1/api/items-by-types/' },
  placeOrder: { name: 'place-order', method: 'POST', path: '/v1/api/orders' },
  fulfillmentOrders: { name: 'fulfillment-orders', method: 'GET', path: '/v1/fulfillment-orders' },
  reverseProxyUrl: { name: 'reverse-proxy-url', method: 'GET', path: '/reverse-proxy-url' },
} as const;
