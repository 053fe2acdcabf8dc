import { EnvironmentError } from '../errors.ts';
import { sleep } from '../sleep.ts';

/**
 * Waits until a gateway answers `GET /v1/api/item-types` with 200: a process (or a swarm task) that
 * has started is not yet one that serves.
 */
export async function waitUntilAnswering(url: string, timeoutMs: number, what = 'the gateway'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(`${url}/v1/api/item-types`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new EnvironmentError(`${what} at ${url} did not answer within ${timeoutMs / 1000} s`);
    await sleep(50);
  }
}
