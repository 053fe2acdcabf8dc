// Each VU has its own cookie jar: a cookie a response sets is sent on the VU's next requests;
// jar.set() adds one by hand; params.cookies adds one to a single request. k6 empties the jar
// before every iteration (options.noCookiesReset keeps it).
import { check } from 'k6';
import http from 'k6/http';

const base = __ENV.BASE_URL ?? 'http://127.0.0.1:1';

export const options = { vus: 2, iterations: 4 };

export default function (): void {
  const fresh = http.get(`${base}/echo`);
  check(String(fresh.json('cookie')), { 'jar empty at the start of an iteration': (c) => c === '' });
  http.get(`${base}/set-cookie?session=s1&left=over`);
  const jar = http.cookieJar();
  jar.set(base, 'manual', 'm1');
  const echoed = http.get(`${base}/echo`, { cookies: { extra: 'e1' } });
  const cookie = String(echoed.json('cookie'));
  check(cookie, {
    'response cookie sent': (c) => c.includes('session=s1'),
    'jar cookie sent': (c) => c.includes('manual=m1'),
    'param cookie sent': (c) => c.includes('extra=e1'),
  });
  check(jar.cookiesForURL(base), { 'jar lists it': (c) => c.session?.[0] === 's1' });
  jar.delete(base, 'manual');
  check(String(http.get(`${base}/echo`).json('cookie')), { 'deleted one': (c) => !c.includes('manual') && c.includes('session=s1') });
  jar.clear(base);
  check(String(http.get(`${base}/echo`).json('cookie')), { cleared: (c) => c === '' });
  http.get(`${base}/set-cookie?left=over`);
}
