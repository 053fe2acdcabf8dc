// abortOnFail: the test stops as soon as the threshold is crossed (k6: exit code 99), long before
// its 60 s duration. delayAbortEval keeps it from being checked during the first second.
import http from 'k6/http';

const base = __ENV.BASE_URL ?? 'http://127.0.0.1:1';

export const options = {
  scenarios: { main: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '60s', preAllocatedVUs: 5 } },
  thresholds: { http_req_failed: [{ threshold: 'rate<0.5', abortOnFail: true, delayAbortEval: '1s' }] },
};

export default async function (): Promise<void> {
  await http.asyncRequest('GET', `${base}/status/500`);
}
