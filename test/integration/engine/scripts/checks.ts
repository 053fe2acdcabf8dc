// check(): one `checks` sample per condition; the summary counts passes and fails per check
// (10 iterations: "always" passes 10, "never" fails 10, "even" passes 5 and fails 5).
import { check } from 'k6';
import exec from 'k6/execution';

export const options = { iterations: 10, vus: 1 };

export default function (): void {
  const i = exec.scenario.iterationInTest;
  check(i, {
    always: () => true,
    never: () => false,
    even: (n) => n % 2 === 0,
  });
}
