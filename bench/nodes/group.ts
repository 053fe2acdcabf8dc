/** Starting every node's sampler at once, all or nothing. */
import type { SamplerHandle } from './local.ts';

/**
 * Starts the samplers in parallel. If any fails to start, the ones that did are stopped again and
 * the first failure is thrown (its typed error intact, e.g. SshHostKeyChangedError), so preflight
 * reports the node that is wrong. stop() stops them all.
 */
export async function startSamplers(starters: (() => Promise<SamplerHandle>)[]): Promise<SamplerHandle> {
  const results = await Promise.allSettled(starters.map((start) => start()));
  const handles = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const stopAll = async () => {
    await Promise.allSettled(handles.map((h) => h.stop()));
  };
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await stopAll();
    throw failed.reason;
  }
  return { stop: stopAll };
}
