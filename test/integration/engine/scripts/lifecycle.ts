// setup() runs once before the VUs and its return value is every iteration's argument; teardown()
// runs once after them with the same data (k6's test lifecycle). setup may block: it runs on a thread
// of its own. 6 iterations see the data; teardown counts once.
import http from 'k6/http';
import { check } from 'k6';
import { Counter } from 'k6/metrics';

const teardowns = new Counter('teardown_calls');
const base = __ENV.BASE_URL ?? 'http://127.0.0.1:1';

export const options = { vus: 2, iterations: 6 };

export function setup(): { token: string; items: number } {
  const res = http.get(`${base}/json`);
  return { token: 'abc', items: (res.json('items.#') as number) ?? 0 };
}

export default function (data: { token: string; items: number }): void {
  check(data, { 'setup data arrived': (d) => d.token === 'abc' && d.items === 3 });
}

export function teardown(data: { token: string }): void {
  if (data.token === 'abc') teardowns.add(1);
}
