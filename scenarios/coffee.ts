/**
 * The coffee-ordering flow of the Locust test, as an ordinary k6 script: it runs unchanged in this
 * project's engine (`npm run engine -- run scenarios/coffee.ts`) and in a k6 of your own.
 *   npm run engine -- run scenarios/coffee.ts -e BASE_URL=http://127.0.0.1:5000 -e PROFILE=load -e RATE=20
 * Variables: `env` below (scenarios/lib/env.ts). Each task is an exported function with its weight in
 * the open-model mix and its thresholds beside it; the profile turns them into scenarios
 * (scenarios/lib/profiles.ts). Requests are asynchronous, so many VUs share a thread in the engine.
 */
import { check } from 'k6';
import http from 'k6/http';
import { Counter, Trend } from 'k6/metrics';
import { setTimeout } from 'k6/timers';
import { ENDPOINTS } from './lib/catalog.ts';
import { findOrder, isFulfilled, isFulfillmentBody, isItemTypesBody, isPlaceOrderBody, parseJson } from './lib/checks.ts';
import { parseScenarioEnv, VARIABLES } from './lib/env.ts';
import { randomOrder, uuidV4 } from './lib/orders.ts';
import { k6Options, task } from './lib/profiles.ts';

/** The variables this script reads: the engine checks every `-e` against them (k6 ignores the export). */
export const env = VARIABLES;

/** Custom metrics and which way is better (the engine records it for reports; k6 ignores the export). */
const orderFulfilled = new Trend('order_fulfilled_ms', true);
const probeTimeouts = new Counter('probe_timeouts');
export const metricsInfo = { order_fulfilled_ms: { better: 'lower' }, probe_timeouts: { better: 'lower' } };

const JSON_HEADERS = { 'Content-Type': 'application/json' };

async function request(method: 'GET' | 'POST', url: string, body: string | null, name: string): Promise<{ status: number; body: string | null }> {
  const res = await http.asyncRequest(method, url, body, { tags: { name }, headers: JSON_HEADERS, responseType: 'text' });
  return { status: res.status, body: typeof res.body === 'string' ? res.body : null };
}

function sleep(seconds: number): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, seconds * 1000);
  });
}

/** One of the gateways, at random, for the main load. */
function gateway(): string {
  return config.baseUrls[Math.floor(Math.random() * config.baseUrls.length)] ?? config.baseUrl;
}

/** GET the item types: the catalogue's ten items. */
export const browse = task({ weight: 1, thresholds: { [`http_req_duration{name:${ENDPOINTS.itemTypes.name}}`]: ['max>=0'] } }, async () => {
  const res = await request('GET', gateway() + ENDPOINTS.itemTypes.path, null, ENDPOINTS.itemTypes.name);
  const body = parseJson(res.body);
  check(
    res,
    { 'item-types status 200': (r) => r.status === 200, 'item-types body has 10 items': () => isItemTypesBody(body) },
    { name: ENDPOINTS.itemTypes.name },
  );
});

/** POST an order of random items. */
export const order = task({ weight: 1, thresholds: { [`http_req_duration{name:${ENDPOINTS.placeOrder.name}}`]: ['max>=0'] } }, async () => {
  const res = await request('POST', gateway() + ENDPOINTS.placeOrder.path, JSON.stringify(randomOrder()), ENDPOINTS.placeOrder.name);
  const body = parseJson(res.body);
  check(
    res,
    { 'place-order status 200': (r) => r.status === 200, 'place-order body is {}': () => isPlaceOrderBody(body) },
    { name: ENDPOINTS.placeOrder.name },
  );
});

/** GET the fulfilment list. */
export const list = task({ weight: 1, thresholds: { [`http_req_duration{name:${ENDPOINTS.fulfillmentOrders.name}}`]: ['max>=0'] } }, async () => {
  const res = await request('GET', gateway() + ENDPOINTS.fulfillmentOrders.path, null, ENDPOINTS.fulfillmentOrders.name);
  const body = parseJson(res.body);
  check(
    res,
    { 'fulfillment-orders status 200': (r) => r.status === 200, 'fulfillment-orders body has orders': () => isFulfillmentBody(body) },
    { name: ENDPOINTS.fulfillmentOrders.name },
  );
});

const MIX = { browse, order, list };

/**
 * Places one order with a fresh loyaltyMemberId, then polls the fulfilment list until that order is
 * FULFILLED: the placed-to-fulfilled time is the `order_fulfilled_ms` trend. It stays on the first
 * gateway, whose list has its order even when every gateway keeps its own state. Its requests carry the
 * `probe-` name prefix so they do not mix with the main load's latency. Not in the mix: it has its own
 * arrival rate (PROBE_INTERVAL).
 */
export async function probe(): Promise<void> {
  const loyaltyMemberId = uuidV4();
  const startedMs = Date.now();
  const placed = await request(
    'POST',
    config.baseUrl + ENDPOINTS.placeOrder.path,
    JSON.stringify(randomOrder({ loyaltyMemberId })),
    `probe-${ENDPOINTS.placeOrder.name}`,
  );
  if (!check(placed, { 'probe order placed': (r) => r.status === 200 }, { name: 'probe' })) return;
  const deadlineMs = startedMs + config.probeTimeoutS * 1000;
  while (Date.now() < deadlineMs) {
    await sleep(config.probePollS);
    const res = await request('GET', config.baseUrl + ENDPOINTS.fulfillmentOrders.path, null, `probe-${ENDPOINTS.fulfillmentOrders.name}`);
    if (res.status !== 200) continue;
    if (isFulfilled(findOrder(parseJson(res.body), loyaltyMemberId))) {
      orderFulfilled.add(Date.now() - startedMs);
      check(true, { 'probe order fulfilled': (ok) => ok }, { name: 'probe' });
      return;
    }
  }
  probeTimeouts.add(1);
  check(false, { 'probe order fulfilled': (ok) => ok }, { name: 'probe' });
}

/** The closed model of the Locust test (PROFILE=locust): one task of the mix at random, then 1–3 s of think time. */
export async function locust(): Promise<void> {
  const tasks = Object.values(MIX);
  const next = tasks[Math.floor(Math.random() * tasks.length)] ?? browse;
  await next();
  await sleep(config.thinkMinS + Math.random() * (config.thinkMaxS - config.thinkMinS));
}

const config = parseScenarioEnv(__ENV, Object.keys(MIX));
export const options = k6Options(config, MIX, { probe: 'probe', closed: 'locust' });

// k6 needs a default export only when no scenario names an exec; one for `k6 run` without options.
export default async function (): Promise<void> {
  await browse();
}
