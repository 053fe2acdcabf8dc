import { poll } from '../../kernel/poll.ts';

/**
 * Waits until a gateway answers `GET /v1/api/item-types` with 200: a process (or a swarm task) that
 * has started is not yet one that serves.
 */
export async function waitUntilAnswering(url: string, timeoutMs: number, what = 'the gateway'): Promise<void> {
  await poll(
    `${what} at ${url} answering GET /v1/api/item-types`,
    timeoutMs,
    async () => {
      const res = await fetch(`${url}/v1/api/item-types`, { signal: AbortSignal.timeout(2000) });
      return res.ok ? true : undefined;
    },
    50,
  );
}
