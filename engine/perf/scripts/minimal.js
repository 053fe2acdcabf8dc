// The benchmark's minimal async k6 script: one GET per iteration at a constant arrival rate.
//   RATE (iterations/s), DURATION, URL, PRE_VUS, MAX_VUS
import http from 'k6/http';

export const options = {
  scenarios: {
    main: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV.RATE || 1000),
      timeUnit: '1s',
      duration: __ENV.DURATION || '10s',
      preAllocatedVUs: Number(__ENV.PRE_VUS || 20),
      maxVUs: Number(__ENV.MAX_VUS || 2000),
      gracefulStop: '5s',
    },
  },
};

export default async function () {
  await http.asyncRequest('GET', __ENV.URL);
}
