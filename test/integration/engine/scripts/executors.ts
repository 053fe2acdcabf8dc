// Each executor's iteration count, as k6 documents it (https://grafana.com/docs/k6/latest/using-k6/scenarios/executors/):
//   shared-iterations: exactly `iterations` in total (23);
//   per-vu-iterations: vus × iterations (3 × 4 = 12);
//   constant-arrival-rate: rate × duration / timeUnit (20/s × 2 s = 40), none dropped with VUs enough;
//   ramping-arrival-rate: the area under the rate curve (0 → 30/s over 2 s = 30);
//   constant-vus and ramping-vus: each VU loops until the end (counted by the VUs' own counters);
//   startTime: a scenario starts that long after the test (its iteration runs then, not before).
import http from 'k6/http';
import exec from 'k6/execution';
import { Counter, Gauge } from 'k6/metrics';
import type { Options } from 'k6/options';

const perScenario = new Counter('iterations_seen');
const startOffset = new Gauge('start_offset_ms');
const startedAt = new Gauge('late_scenario_start_ms');
const testStart = new Gauge('shared_scenario_start_ms');
const base = __ENV.BASE_URL ?? 'http://127.0.0.1:1';

export const options: Options = {
  scenarios: {
    shared: { executor: 'shared-iterations', vus: 5, iterations: 23, exec: 'work' },
    perVu: { executor: 'per-vu-iterations', vus: 3, iterations: 4, exec: 'work' },
    constant: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '2s', preAllocatedVUs: 40, exec: 'work' },
    ramping: { executor: 'ramping-arrival-rate', startRate: 0, timeUnit: '1s', stages: [{ duration: '2s', target: 30 }], preAllocatedVUs: 40, exec: 'work' },
    vus: { executor: 'constant-vus', vus: 2, duration: '1s', exec: 'paced' },
    ramp: {
      executor: 'ramping-vus',
      startVUs: 1,
      stages: [
        { duration: '1s', target: 3 },
        { duration: '500ms', target: 0 },
      ],
      gracefulRampDown: '0s',
      exec: 'paced',
    },
    late: { executor: 'per-vu-iterations', vus: 1, iterations: 1, startTime: '1500ms', exec: 'stamp' },
  },
};

export async function work(): Promise<void> {
  if (exec.scenario.name === 'shared') testStart.add(exec.scenario.startTime);
  const res = await http.asyncRequest('GET', `${base}/ok`);
  perScenario.add(res.status === 200 ? 1 : 0, { scenario_name: exec.scenario.name });
}

export async function paced(): Promise<void> {
  await http.asyncRequest('GET', `${base}/delay?ms=100`);
  perScenario.add(1, { scenario_name: exec.scenario.name });
}

/** When the late scenario's iteration ran, against when its scenario was due, and when that was. */
export function stamp(): void {
  startOffset.add(Date.now() - exec.scenario.startTime);
  startedAt.add(exec.scenario.startTime);
}
