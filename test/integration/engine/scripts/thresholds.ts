// Thresholds on metrics and submetrics (k6: exit code 99 when one is crossed). LIMIT sets the
// p(95) threshold on http_req_duration{name:slow}; the /delay?ms=50 requests take ≥ 50 ms.
import http from 'k6/http';
import { Counter } from 'k6/metrics';

const tagged = new Counter('tagged');
const base = __ENV.BASE_URL ?? 'http://127.0.0.1:1';

export const options = {
  iterations: 4,
  thresholds: {
    'http_req_duration{name:slow}': [`p(95)<${__ENV.LIMIT ?? '10000'}`],
    'http_req_duration{name:fast}': ['max>=0'],
    'tagged{kind:a}': ['count==4'],
    tagged: ['count==8'],
    http_req_failed: ['rate==0'],
  },
};

export default async function (): Promise<void> {
  await http.asyncRequest('GET', `${base}/delay?ms=50`, null, { tags: { name: 'slow' } });
  await http.asyncRequest('GET', `${base}/ok`, null, { tags: { name: 'fast' } });
  tagged.add(1, { kind: 'a' });
  tagged.add(1, { kind: 'b' });
}
