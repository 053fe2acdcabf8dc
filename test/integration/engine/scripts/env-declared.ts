// A script may declare the __ENV variables it reads (k6 ignores the export); the engine checks -e
// against it: unknown keys and bad values are one error line each (exit code 104).
import http from 'k6/http';

export const env = {
  BASE_URL: { type: 'url', help: 'the server under test' },
  RATE: { type: 'number', min: 1, default: 5, help: 'arrivals per second' },
  MODE: { type: 'enum', values: ['fast', 'slow'], default: 'fast' },
};

export const options = {
  scenarios: { main: { executor: 'constant-arrival-rate', rate: Number(__ENV.RATE ?? 5), timeUnit: '1s', duration: '1s', preAllocatedVUs: 2 } },
};

export default async function (): Promise<void> {
  await http.asyncRequest('GET', `${__ENV.BASE_URL ?? 'http://127.0.0.1:1'}/ok`);
}
