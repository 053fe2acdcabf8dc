// Memory per VU in async mode: VUS VUs, each an async GET then a one-second timer, for DURATION.
import http from 'k6/http';
import { setTimeout } from 'k6/timers';

export const options = { vus: Number(__ENV.VUS || 1000), duration: __ENV.DURATION || '10s' };

export default async function () {
  await http.asyncRequest('GET', __ENV.URL);
  await new Promise((resolve) => setTimeout(resolve, 1000));
}
