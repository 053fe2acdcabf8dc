// An arrival-rate scenario whose iterations are async but send no request: 2,000 arrivals/s for 1 s
// (arrivals 0.5 ms apart, so the engine waits for each precisely). Every arrival runs: k6 documents
// rate × duration iterations, none dropped with VUs enough, and these iterations take microseconds.
import { Counter } from 'k6/metrics';
import type { Options } from 'k6/options';

const ran = new Counter('ran');

export const options: Options = {
  scenarios: {
    main: { executor: 'constant-arrival-rate', rate: 2000, timeUnit: '1s', duration: '1s', preAllocatedVUs: 500, maxVUs: 500 },
  },
};

export default async function (): Promise<void> {
  await Promise.resolve();
  ran.add(1);
}
