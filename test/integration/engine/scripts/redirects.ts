// Redirects are followed (k6: maxRedirects 10 by default), each hop is a request of its own in
// http_reqs, and res.url is the final URL; params.redirects limits them (the 3xx comes back).
import { check } from 'k6';
import http from 'k6/http';

const base = __ENV.BASE_URL ?? 'http://127.0.0.1:1';

export const options = { iterations: 2 };

export default function (): void {
  const followed = http.get(`${base}/redirect/3`);
  check(followed, { 'followed to /ok': (r) => r.status === 200 && r.url === `${base}/ok` && r.body === 'ok' });
  const stopped = http.get(`${base}/redirect/3`, { redirects: 1 });
  check(stopped, { 'stopped after one': (r) => r.status === 302 && r.url === `${base}/redirect/2` });
}
