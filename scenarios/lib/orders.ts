import { BARISTA_TYPES, COMMAND_TYPE, KITCHEN_TYPES, LOCATION, ORDER_SOURCE } from './catalog.ts';

/** The body of `POST /v1/api/orders`. */
export interface PlaceOrderBody {
  commandType: number;
  orderSource: number;
  location: number;
  loyaltyMemberId: string;
  baristaItems: { itemType: number }[];
  kitchenItems: { itemType: number }[];
  timestamp: string;
}

/** A source of uniform numbers in [0, 1); Math.random by default, seedable in tests. */
export type Random = () => number;

/** RFC 4122 version 4 UUID. k6 and Node both have crypto, but not the same API, so it is built here. */
export function uuidV4(random: Random = Math.random): string {
  const hex: string[] = [];
  for (let i = 0; i < 32; i++) hex.push(Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** A random subset of `from` with between `min` and `max` distinct members. */
function pickDistinct(from: readonly number[], min: number, max: number, random: Random): number[] {
  const pool = [...from];
  const count = min + Math.floor(random() * (max - min + 1));
  const out: number[] = [];
  for (let i = 0; i < count && pool.length > 0; i++) {
    const [picked] = pool.splice(Math.floor(random() * pool.length), 1);
    if (picked !== undefined) out.push(picked);
  }
  return out.sort((a, b) => a - b);
}

/**
 * A random valid order: distinct item types (upstream never fulfils an order that repeats a type, or
 * has no items), at least one item in all, and a fresh loyaltyMemberId unless one is given.
 */
export function randomOrder(options: { random?: Random; loyaltyMemberId?: string; now?: Date } = {}): PlaceOrderBody {
  const random = options.random ?? Math.random;
  let baristaItems = pickDistinct(BARISTA_TYPES, 0, 3, random);
  const kitchenItems = pickDistinct(KITCHEN_TYPES, 0, 2, random);
  if (baristaItems.length + kitchenItems.length === 0) baristaItems = pickDistinct(BARISTA_TYPES, 1, 1, random);
  return {
    commandType: COMMAND_TYPE.PLACE_ORDER,
    orderSource: ORDER_SOURCE.COUNTER,
    location: Math.floor(random() * 3) as (typeof LOCATION)[keyof typeof LOCATION],
    loyaltyMemberId: options.loyaltyMemberId ?? uuidV4(random),
    baristaItems: baristaItems.map((itemType) => ({ itemType })),
    kitchenItems: kitchenItems.map((itemType) => ({ itemType })),
    timestamp: (options.now ?? new Date()).toISOString(),
  };
}

/** The Locust test's fixed order: barista 5, 4, 0, 2, 3 and kitchen 8, 9, 6, 7. */
export function locustOrder(loyaltyMemberId: string, now: Date = new Date()): PlaceOrderBody {
  return {
    commandType: COMMAND_TYPE.PLACE_ORDER,
    orderSource: ORDER_SOURCE.COUNTER,
    location: LOCATION.ATLANTA,
    loyaltyMemberId,
    baristaItems: [5, 4, 0, 2, 3].map((itemType) => ({ itemType })),
    kitchenItems: [8, 9, 6, 7].map((itemType) => ({ itemType })),
    timestamp: now.toISOString(),
  };
}
