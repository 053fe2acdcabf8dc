// SharedArray: built once by its function in the init context, read-only in every VU; open() reads
// a file relative to the script. 8 iterations over 4 VUs each read the user of their iteration.
import { check } from 'k6';
import { SharedArray } from 'k6/data';
import exec from 'k6/execution';

const users = new SharedArray('users', () => JSON.parse(open('./data/users.json')) as { name: string; id: number }[]);

export const options = { vus: 4, iterations: 8 };

export default function (): void {
  const i = exec.scenario.iterationInTest;
  const user = users[i % users.length];
  check(user, { 'user read': (u) => u !== undefined && u.id === (i % users.length) + 1 });
  let threw = false;
  try {
    (users as unknown as { push(x: unknown): void }).push({ name: 'x', id: 0 });
  } catch {
    threw = true;
  }
  check(threw, { 'read-only': (t) => t });
  check(users.length, { 'length 3': (n) => n === 3 });
}
