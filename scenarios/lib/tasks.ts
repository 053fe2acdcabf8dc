import { ENDPOINTS } from './catalog.ts';
import { findOrder, isFulfilled, isFulfillmentBody, isItemTypesBody, isPlaceOrderBody, parseJson } from './checks.ts';
import type { ScenarioConfig } from './env.ts';
import { randomOrder, uuidV4 } from './orders.ts';

/**
 * The coffee-ordering behaviour of the Locust test, written once against a small runtime so that a
 * real k6 (scenarios/coffee.ts) and the built-in generator (bench/load/builtin/) run the same code.
 */

export interface HttpResult {
  status: number;
  body: string | null;
}

export interface Runtime {
  request(method: 'GET' | 'POST', url: string, body: string | null, name: string): Promise<HttpResult>;
  /** Records one check per entry (k6's `checks` metric); returns true when all hold. */
  check(results: Record<string, boolean>, name: string): boolean;
  /** A sample of a custom trend metric (milliseconds). */
  trend(metric: 'order_fulfilled_ms', valueMs: number): void;
  /** A custom counter. */
  count(metric: 'probe_timeouts', value: number): void;
  sleep(seconds: number): Promise<void>;
  nowMs(): number;
  random(): number;
}

export const CUSTOM_METRICS = {
  orderFulfilledMs: 'order_fulfilled_ms',
  probeTimeouts: 'probe_timeouts',
} as const;

/** One of the gateways, at random, for the main load. */
function gateway(rt: Runtime, config: ScenarioConfig): string {
  return config.baseUrls[Math.floor(rt.random() * config.baseUrls.length)] ?? config.baseUrl;
}

export async function browse(rt: Runtime, config: ScenarioConfig): Promise<void> {
  const res = await rt.request('GET', gateway(rt, config) + ENDPOINTS.itemTypes.path, null, ENDPOINTS.itemTypes.name);
  rt.check({ 'item-types status 200': res.status === 200, 'item-types body has 10 items': isItemTypesBody(parseJson(res.body)) }, ENDPOINTS.itemTypes.name);
}

export async function order(rt: Runtime, config: ScenarioConfig): Promise<void> {
  const body = JSON.stringify(randomOrder({ random: () => rt.random() }));
  const res = await rt.request('POST', gateway(rt, config) + ENDPOINTS.placeOrder.path, body, ENDPOINTS.placeOrder.name);
  rt.check({ 'place-order status 200': res.status === 200, 'place-order body is {}': isPlaceOrderBody(parseJson(res.body)) }, ENDPOINTS.placeOrder.name);
}

export async function list(rt: Runtime, config: ScenarioConfig): Promise<void> {
  const res = await rt.request('GET', gateway(rt, config) + ENDPOINTS.fulfillmentOrders.path, null, ENDPOINTS.fulfillmentOrders.name);
  rt.check(
    { 'fulfillment-orders status 200': res.status === 200, 'fulfillment-orders body has orders': isFulfillmentBody(parseJson(res.body)) },
    ENDPOINTS.fulfillmentOrders.name,
  );
}

/**
 * Places one order with a fresh loyaltyMemberId, then polls the fulfilment list until that order is
 * FULFILLED: the placed-to-fulfilled time is the `order_fulfilled_ms` trend. It stays on the first
 * gateway, whose list has its order even when every gateway keeps its own state. Its requests carry the
 * `probe-` name prefix so they do not mix with the main load's latency.
 */
export async function probe(rt: Runtime, config: ScenarioConfig): Promise<void> {
  const loyaltyMemberId = uuidV4(() => rt.random());
  const body = JSON.stringify(randomOrder({ random: () => rt.random(), loyaltyMemberId }));
  const startedMs = rt.nowMs();
  const placed = await rt.request('POST', config.baseUrl + ENDPOINTS.placeOrder.path, body, `probe-${ENDPOINTS.placeOrder.name}`);
  if (!rt.check({ 'probe order placed': placed.status === 200 }, 'probe')) return;
  const deadlineMs = startedMs + config.probeTimeoutS * 1000;
  while (rt.nowMs() < deadlineMs) {
    await rt.sleep(config.probePollS);
    const res = await rt.request('GET', config.baseUrl + ENDPOINTS.fulfillmentOrders.path, null, `probe-${ENDPOINTS.fulfillmentOrders.name}`);
    if (res.status !== 200) continue;
    if (isFulfilled(findOrder(parseJson(res.body), loyaltyMemberId))) {
      rt.trend(CUSTOM_METRICS.orderFulfilledMs, rt.nowMs() - startedMs);
      rt.check({ 'probe order fulfilled': true }, 'probe');
      return;
    }
  }
  rt.count(CUSTOM_METRICS.probeTimeouts, 1);
  rt.check({ 'probe order fulfilled': false }, 'probe');
}

/** The closed model of the Locust test: one of the three tasks at random, then 1–3 s of think time. */
export async function locust(rt: Runtime, config: ScenarioConfig): Promise<void> {
  const tasks = [browse, order, list];
  const task = tasks[Math.floor(rt.random() * tasks.length)] ?? browse;
  await task(rt, config);
  await rt.sleep(config.thinkMinS + rt.random() * (config.thinkMaxS - config.thinkMinS));
}

export const TASKS = { browse, order, list, probe, locust } as const;
