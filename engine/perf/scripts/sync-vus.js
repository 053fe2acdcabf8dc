// Memory per VU in thread mode: VUS VUs, each a blocking GET then a blocking sleep, for DURATION.
import http from 'k6/http';
import { sleep } from 'k6';

export const options = { vus: Number(__ENV.VUS || 50), duration: __ENV.DURATION || '10s' };

export default function () {
  http.get(__ENV.URL);
  sleep(1);
}
