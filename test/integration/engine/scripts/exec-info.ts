// k6/execution and the VU globals: __VU is 1…vus, __ITER counts each VU's iterations from 0,
// exec.vu.idInTest is unique, exec.scenario names the scenario, __ENV has -e values and the
// scenario's env, and each VU has its own module state.
import { check } from 'k6';
import exec from 'k6/execution';

let mine = 0;

export const options = { scenarios: { only: { executor: 'per-vu-iterations', vus: 3, iterations: 2, env: { FROM_SCENARIO: 'yes' }, tags: { team: 'a' } } } };

export default function (): void {
  mine++;
  check(null, {
    'vu range': () => __VU >= 1 && __VU <= 3 && exec.vu.idInTest === __VU,
    'iter counts per VU': () => __ITER === mine - 1 && exec.vu.iterationInScenario === __ITER,
    scenario: () => exec.scenario.name === 'only' && exec.scenario.executor === 'per-vu-iterations',
    env: () => __ENV.FROM_CLI === 'cli' && __ENV.FROM_SCENARIO === 'yes',
    options: () => exec.test.options.scenarios !== undefined,
  });
}
