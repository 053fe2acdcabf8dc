import { CATALOG, ORDER_STATUS, itemByName, itemByType } from '../scenarios/lib/catalog.ts';

/**
 * The reference shop's state: orders and their fulfilment, as the Go coffee shop's counter, barista and
 * kitchen services keep it in postgres. Timers and clock are injected so tests run without waiting.
 */

export interface LineItem {
  id: string;
  itemType: number;
  name: string;
  price: number;
  itemStatus: number;
  isBaristaOrder: boolean;
}

export interface Order {
  id: string;
  orderSource: number;
  loyaltyMemberId: string;
  orderStatus: number;
  /** Spelled so in the upstream API. */
  localtion: number;
  lineItems: LineItem[];
}

/** A gRPC-gateway style error: HTTP status and `{"code","message","details"}`. */
export class ApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly grpcCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `reference`: our imitation as it was (drinks to the barista, catalogue prep times, insertion order).
 * `upstream`: what the real shop does under load (../shared/reference/go-coffee-real.md): the counter
 * sends every item to the kitchen, whose delays are 3 s (drinks), 5 s (cakepop), 7 s (croissants,
 * muffin), 5 at a time per kitchen, so one kitchen makes about 1.2 items/s; a new order lands
 * anywhere in the fulfilment list, not at its end.
 */
export type Behaviour = 'reference' | 'upstream';
export const BEHAVIOURS: readonly Behaviour[] = ['reference', 'upstream'];

/** Upstream's kitchen delay per item type (internal/kitchen/domain/order.go calculateDelay). */
export function upstreamKitchenDelayMs(type: number): number {
  if (type === 7 || type === 8 || type === 9) return 7000;
  if (type === 6) return 5000;
  return 3000;
}

export interface ModelOptions {
  /** Default `reference`. */
  behaviour?: Behaviour;
  /** Random numbers in [0, 1) for the upstream list position; default Math.random. */
  random?: () => number;
  /** Multiplies the upstream preparation times (10 s cappuccino …); 0 fulfils at once. Default 1. */
  prepFactor?: number;
  /** Items prepared at once per station (upstream: prefetch 5 per barista/kitchen replica). Default 5. */
  stationSlots?: number;
  schedule?: (fn: () => void, delayMs: number) => void;
  newId?: () => string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * JSON with a space after every `:` and `,` between tokens, as upstream's gateway writes it on the
 * cloudlet (protojson adds such spaces at random per build, so clients must not rely on either).
 */
export function spacedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(spacedJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}: ${spacedJson(v)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function itemTypesBody(): { itemTypes: { name: string; type: number; price: number; image: string }[] } {
  return { itemTypes: CATALOG.map((i) => ({ name: i.name, type: i.type, price: i.price, image: `img/${i.name}.png` })) };
}

export function itemsByTypesBody(names: string): { items: { price: number; type: number }[] } {
  const items: { price: number; type: number }[] = [];
  for (const name of names.split(',')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(name);
    } catch {
      throw new ApiError(400, 3, `item type names: bad percent-encoding in ${JSON.stringify(name.slice(0, 100))}`);
    }
    const item = itemByName(decoded.trim());
    if (item) items.push({ price: item.price, type: item.type });
  }
  return { items };
}

function intField(body: Record<string, unknown>, key: string, max: number): number {
  const value = body[key] ?? 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new ApiError(400, 3, `invalid value for enum field ${key}: ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * The most items one order may hold. Upstream has no limit (a 60,000-item order ties up its kitchen
 * for hours); ours answers 400 beyond this, which no real basket reaches (the scenario's hold 1–6).
 */
export const MAX_ORDER_ITEMS = 100;

function itemTypes(body: Record<string, unknown>, key: string): number[] {
  const list = body[key] ?? [];
  if (!Array.isArray(list)) throw new ApiError(400, 3, `${key}: expected a list of {itemType}`);
  if (list.length > MAX_ORDER_ITEMS) throw new ApiError(400, 3, `${key}: ${list.length} items; an order holds at most ${MAX_ORDER_ITEMS}`);
  return list.map((entry: unknown) => {
    const type = typeof entry === 'object' && entry !== null ? ((entry as Record<string, unknown>).itemType ?? 0) : undefined;
    // Upstream's counter crashes on a type outside 0–9; ours answers 400 instead (documented difference).
    if (typeof type !== 'number' || !itemByType(type)) throw new ApiError(400, 3, `${key}: unknown itemType ${JSON.stringify(type)}`);
    return type;
  });
}

export class ShopModel {
  private readonly orders: Order[] = [];
  private listCache: string | null = null;
  private readonly prepFactor: number;
  private readonly slots: number;
  private readonly schedule: (fn: () => void, delayMs: number) => void;
  private readonly newId: () => string;
  private readonly queues = { barista: [] as (() => void)[], kitchen: [] as (() => void)[] };
  private readonly busy = { barista: 0, kitchen: 0 };
  private readonly behaviour: Behaviour;
  private readonly random: () => number;

  constructor(options: ModelOptions = {}) {
    this.behaviour = options.behaviour ?? 'reference';
    this.random = options.random ?? Math.random;
    this.prepFactor = options.prepFactor ?? 1;
    this.slots = options.stationSlots ?? 5;
    this.schedule = options.schedule ?? ((fn, ms) => void setTimeout(fn, ms).unref());
    this.newId = options.newId ?? (() => globalThis.crypto.randomUUID());
  }

  get orderCount(): number {
    return this.orders.length;
  }

  /** Validates like the gateway and counter, stores the order IN_PROGRESS and queues its items. */
  placeOrder(input: unknown): void {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ApiError(400, 3, 'request body must be a JSON object');
    const body = input as Record<string, unknown>;
    intField(body, 'commandType', 0);
    const orderSource = intField(body, 'orderSource', 1);
    const location = intField(body, 'location', 2);
    const loyaltyMemberId = body.loyaltyMemberId;
    if (typeof loyaltyMemberId !== 'string' || !UUID.test(loyaltyMemberId)) {
      // Upstream parses it with uuid.Parse inside the counter and returns gRPC Unknown → HTTP 500.
      throw new ApiError(500, 2, `invalid UUID length: ${typeof loyaltyMemberId === 'string' ? loyaltyMemberId.length : 0}`);
    }
    const barista = itemTypes(body, 'baristaItems');
    const kitchen = itemTypes(body, 'kitchenItems');
    if (barista.length + kitchen.length > MAX_ORDER_ITEMS)
      throw new ApiError(400, 3, `${barista.length + kitchen.length} items in all; an order holds at most ${MAX_ORDER_ITEMS}`);
    const lineItems: LineItem[] = [...barista.map((t) => [t, true] as const), ...kitchen.map((t) => [t, false] as const)].map(([type, isBaristaOrder]) => {
      const item = itemByType(type)!;
      return { id: this.newId(), itemType: type, name: item.name, price: item.price, itemStatus: ORDER_STATUS.IN_PROGRESS, isBaristaOrder };
    });
    const order: Order = { id: this.newId(), orderSource, loyaltyMemberId, orderStatus: ORDER_STATUS.IN_PROGRESS, localtion: location, lineItems };
    // Upstream's list is a sequential scan of a table whose rows move on update: a new order can
    // appear anywhere. The probe must search the whole list either way.
    if (this.behaviour === 'upstream') this.orders.splice(Math.floor(this.random() * (this.orders.length + 1)), 0, order);
    else this.orders.push(order);
    this.listCache = null;
    for (const line of lineItems) this.enqueue(order, line);
  }

  /** The whole list, unpaged, as upstream; serialised once per change. */
  fulfillmentBody(): string {
    this.listCache ??= (this.behaviour === 'upstream' ? spacedJson : JSON.stringify)({ orders: this.orders });
    return this.listCache;
  }

  private enqueue(order: Order, line: LineItem): void {
    const upstream = this.behaviour === 'upstream';
    const station = line.isBaristaOrder && !upstream ? 'barista' : 'kitchen';
    const prepMs = (upstream ? upstreamKitchenDelayMs(line.itemType) : (itemByType(line.itemType)?.prepMs ?? 3000)) * this.prepFactor;
    const start = () => {
      this.busy[station]++;
      this.schedule(() => {
        this.busy[station]--;
        line.itemStatus = ORDER_STATUS.FULFILLED;
        if (order.lineItems.every((l) => l.itemStatus === ORDER_STATUS.FULFILLED)) order.orderStatus = ORDER_STATUS.FULFILLED;
        this.listCache = null;
        this.queues[station].shift()?.();
      }, prepMs);
    };
    if (this.busy[station] < this.slots) start();
    else this.queues[station].push(start);
  }
}
