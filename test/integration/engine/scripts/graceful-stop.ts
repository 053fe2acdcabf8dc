// gracefulStop: when a scenario's time is up, iterations still running get gracefulStop to finish,
// then are interrupted (k6: they do not count in `iterations`); their requests are aborted and still
// recorded, as failed requests.
import http from 'k6/http';

const base = __ENV.BASE_URL ?? 'http://127.0.0.1:1';

export const options = {
  scenarios: {
    slow: { executor: 'constant-vus', vus: 3, duration: '500ms', gracefulStop: '300ms', exec: 'slow' },
    quick: { executor: 'constant-arrival-rate', rate: 10, timeUnit: '1s', duration: '1s', preAllocatedVUs: 10, gracefulStop: '5s', exec: 'quick' },
  },
};

export async function slow(): Promise<void> {
  await http.asyncRequest('GET', `${base}/delay?ms=5000`, null, { tags: { name: 'slow' } });
}

export async function quick(): Promise<void> {
  await http.asyncRequest('GET', `${base}/delay?ms=700`, null, { tags: { name: 'quick' } });
}
