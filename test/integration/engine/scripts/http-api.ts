// k6/http's functions and params: methods, headers, JSON bodies, forms, res.json() selectors, batch,
// responseType, timeout (error_code 1050), expectedStatuses and the http_req_failed it drives.
import { check } from 'k6';
import http from 'k6/http';

const base = __ENV.BASE_URL ?? 'http://127.0.0.1:1';

export const options = { iterations: 1 };

http.setResponseCallback(http.expectedStatuses(200, { min: 404, max: 404 }));

export default function (): void {
  const json = http.get(`${base}/json`);
  check(json, {
    'json selector': (r) => r.json('name') === 'engine' && r.json('items.#') === 3 && r.json('items.1.id') === 2,
    'json ids': (r) => JSON.stringify(r.json('items.#.id')) === '[1,2,3]',
    headers: (r) => r.headers['Content-Type'] === 'application/json',
    timings: (r) => r.timings.duration >= 0 && r.timings.waiting >= 0,
  });
  const posted = http.post(`${base}/echo`, JSON.stringify({ a: 1 }), { headers: { 'Content-Type': 'application/json', 'X-Test': 'yes' } });
  check(posted, { 'post body and headers': (r) => r.json('body') === '{"a":1}' && r.json('headers.x-test') === 'yes' && r.json('method') === 'POST' });
  const form = http.post(`${base}/echo`, { a: '1', b: 'two words' });
  check(form, { 'form body': (r) => r.json('body') === 'a=1&b=two%20words' });
  for (const [fn, method] of [
    [http.put, 'PUT'],
    [http.patch, 'PATCH'],
    [http.del, 'DELETE'],
    [http.options, 'OPTIONS'],
  ] as const) {
    check(fn(`${base}/echo`, 'x'), { [`${method} method`]: (r) => r.json('method') === method });
  }
  check(http.head(`${base}/ok`), { 'head has no body': (r) => r.status === 200 && r.body === '' });
  check(http.request('GET', `${base}/status/404`), { '404 expected': (r) => r.status === 404 && r.error_code === 1404 });
  check(http.get(`${base}/status/503`), { '503': (r) => r.status === 503 });
  const responses = http.batch([['GET', `${base}/ok`], { method: 'GET', url: `${base}/json` }, `${base}/status/201`]);
  check(responses, { batch: (r) => r[0]?.body === 'ok' && r[1]?.status === 200 && r[2]?.status === 201 });
  const binary = http.get(`${base}/bytes?n=5`, { responseType: 'binary' });
  check(binary, { 'binary body': (r) => r.body instanceof ArrayBuffer && (r.body as ArrayBuffer).byteLength === 5 });
  check(http.get(`${base}/bytes?n=5`, { responseType: 'none' }), { 'no body': (r) => r.body === null });
  const slow = http.get(`${base}/delay?ms=2000`, { timeout: '200ms' });
  check(slow, { timeout: (r) => r.status === 0 && r.error_code === 1050 });
  const templated = http.get(http.url`${base}/echo?id=${42}`);
  check(templated, { 'http.url': (r) => r.json('query.id') === '42' });
}
