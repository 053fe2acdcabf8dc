// An arrival-rate scenario whose code blocks (sleep): its VUs are threads, added as arrivals need
// them (up to maxVUs), and every arrival is started or dropped: 10/s for 2 s = 20.
import http from 'k6/http';
import { sleep } from 'k6';

const base = __ENV.BASE_URL ?? 'http://127.0.0.1:1';

export const options = {
  scenarios: { main: { executor: 'constant-arrival-rate', rate: 10, timeUnit: '1s', duration: '2s', preAllocatedVUs: 2, maxVUs: 6 } },
};

export default function (): void {
  http.get(`${base}/ok`);
  sleep(0.3);
}
