/** http.batch on the I/O thread: the requests run concurrently, at most `batch` at once and `batchPerHost` per host. */
import type { RequestSpec, ResponseInit } from '../http/types.ts';
import type { RequestPerformer, VuIo } from '../http/perform.ts';
import { parseTarget } from '../http/url.ts';

export function runBatch(
  performer: RequestPerformer,
  io: VuIo,
  specs: RequestSpec[],
  limits: { batch: number; batchPerHost: number },
  done: (results: ResponseInit[]) => void,
): void {
  const results: ResponseInit[] = new Array(specs.length);
  let running = 0;
  let finished = 0;
  const perHost = new Map<string, number>();
  const hostOf = (spec: RequestSpec) => parseTarget(spec.url)?.origin ?? spec.url;
  const waiting: number[] = specs.map((_, i) => i);
  const pump = () => {
    for (let i = 0; i < waiting.length && running < Math.max(1, limits.batch); ) {
      const index = waiting[i] ?? 0;
      const spec = specs[index];
      if (!spec) break;
      const host = hostOf(spec);
      const busy = perHost.get(host) ?? 0;
      if (limits.batchPerHost > 0 && busy >= limits.batchPerHost) {
        i++;
        continue;
      }
      waiting.splice(i, 1);
      running++;
      perHost.set(host, busy + 1);
      performer.perform(io, spec, (res) => {
        results[index] = res;
        running--;
        perHost.set(host, (perHost.get(host) ?? 1) - 1);
        if (++finished === specs.length) done(results);
        else pump();
      });
    }
  };
  if (specs.length === 0) done([]);
  else pump();
}
