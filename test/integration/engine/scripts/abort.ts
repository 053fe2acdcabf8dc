// exec.test.abort() stops the whole test (k6: exit code 108); the summary is still written.
import exec from 'k6/execution';
import http from 'k6/http';

const base = __ENV.BASE_URL ?? 'http://127.0.0.1:1';

export const options = { scenarios: { main: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '60s', preAllocatedVUs: 4 } } };

export default async function (): Promise<void> {
  await http.asyncRequest('GET', `${base}/ok`);
  if (exec.scenario.iterationInTest === 5) exec.test.abort('enough');
}
