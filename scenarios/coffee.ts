/**
 * The coffee-ordering scenario for a real k6 (k6 runs TypeScript natively; it strips the types).
 *   k6 run -e BASE_URL=http://127.0.0.1:5000 -e PROFILE=load -e RATE=20 scenarios/coffee.ts
 * Knobs: scenarios/lib/env.ts (ENV_DOC). The built-in generator runs the same tasks and options.
 */
import { check, sleep as k6Sleep } from 'k6';
import http from 'k6/http';
import { Counter, Trend } from 'k6/metrics';
import { setTimeout } from 'k6/timers';
import { parseScenarioEnv } from './lib/env.ts';
import { k6Options } from './lib/profiles.ts';
import * as tasks from './lib/tasks.ts';
import type { Runtime } from './lib/tasks.ts';

const config = parseScenarioEnv(__ENV);
export const options = k6Options(config);

const fulfilled = new Trend(tasks.CUSTOM_METRICS.orderFulfilledMs, true);
const probeTimeouts = new Counter(tasks.CUSTOM_METRICS.probeTimeouts);

const runtime: Runtime = {
  async request(method, url, body, name) {
    const params = { tags: { name }, headers: { 'Content-Type': 'application/json' }, responseType: 'text' as const };
    const res = await http.asyncRequest(method, url, body, params);
    return { status: res.status, body: typeof res.body === 'string' ? res.body : null };
  },
  check(results, name) {
    const checks: Record<string, () => boolean> = {};
    for (const [label, ok] of Object.entries(results)) checks[label] = () => ok;
    return check(null, checks, { name });
  },
  trend(_metric, valueMs) {
    fulfilled.add(valueMs);
  },
  count(_metric, value) {
    probeTimeouts.add(value);
  },
  sleep(seconds) {
    return new Promise((resolve) => {
      setTimeout(resolve, seconds * 1000);
    });
  },
  nowMs: () => Date.now(),
  random: () => Math.random(),
};

export const browse = () => tasks.browse(runtime, config);
export const order = () => tasks.order(runtime, config);
export const list = () => tasks.list(runtime, config);
export const probe = () => tasks.probe(runtime, config);
export const locust = () => tasks.locust(runtime, config);
// k6 needs a default export only when no scenario names an exec; keep one for `k6 run` without options.
export default function (): void {
  k6Sleep(0);
}
