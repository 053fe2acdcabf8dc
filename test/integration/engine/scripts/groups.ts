// group(): nested groups appear in the summary's root_group with their checks, samples carry the
// group tag ("::outer::inner"), and group_duration is recorded per group (3 iterations).
import { check, group } from 'k6';
import http from 'k6/http';

const base = __ENV.BASE_URL ?? 'http://127.0.0.1:1';

export const options = { iterations: 3, thresholds: { 'http_reqs{group:::outer::inner}': ['count==3'] } };

export default function (): void {
  check(1, { 'top level': () => true });
  group('outer', () => {
    check(1, { 'in outer': () => true });
    group('inner', () => {
      http.get(`${base}/ok`);
      check(1, { 'in inner': () => false });
    });
  });
}
