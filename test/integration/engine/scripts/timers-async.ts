// An async script: asyncRequest and k6/timers keep VUs in shared threads (no blocking call); the
// iteration ends only when its timers have run (k6 waits for the VU's event loop).
import { check } from 'k6';
import http from 'k6/http';
import { setTimeout } from 'k6/timers';

const base = __ENV.BASE_URL ?? 'http://127.0.0.1:1';

export const options = { vus: 2, iterations: 6 };

export default async function (): Promise<void> {
  const [a, b] = await Promise.all([http.asyncRequest('GET', `${base}/ok`), http.asyncRequest('GET', `${base}/json`)]);
  check([a, b], { 'both answered': (r) => r[0]?.status === 200 && r[1]?.status === 200 });
  setTimeout(() => {
    void http.asyncRequest('GET', `${base}/delay?ms=20`);
  }, 30);
}
