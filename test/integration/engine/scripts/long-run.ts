// A long open-model run for interruption: SIGINT stops scheduling, in-flight iterations finish, and
// the summary and samples are still written (k6: exit code 105).
import http from 'k6/http';

const base = __ENV.BASE_URL ?? 'http://127.0.0.1:1';

export const options = {
  scenarios: {
    main: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV.RATE ?? 50),
      timeUnit: '1s',
      duration: __ENV.DURATION ?? '60s',
      preAllocatedVUs: 10,
      gracefulStop: '2s',
    },
  },
};

export default async function (): Promise<void> {
  await http.asyncRequest('GET', `${base}/delay?ms=${__ENV.DELAY ?? '5'}`);
}
