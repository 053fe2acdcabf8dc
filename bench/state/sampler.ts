import { errorMessage } from '../../kernel/errors.ts';
import { sleep } from '../../kernel/sleep.ts';
import { pointFilePath } from '../../rundir/layout.ts';
import { openNdjsonWriter } from '../../rundir/ndjson.ts';
import type { ShopSample } from '../../rundir/types.ts';
import { shopSamplePoints } from '../influx/points.ts';
import type { InfluxSink } from '../influx/sink.ts';
import type { SamplerHandle } from '../nodes/local.ts';
import type { PointSampler } from '../point/slots.ts';
import type { Target } from '../target/target.ts';
import { readShop, shopAccess } from './access.ts';

/**
 * The shop's own metrics beside the node samples (bench/point/slots.ts PointSampler): about once a
 * second, each queue's depth, unacknowledged messages and consumers (rabbitmqctl) and the orders
 * placed, fulfilled and in progress (SQL counts), read inside the shop's database and broker
 * (bench/state/access.ts), never through its HTTP API. Into the point's shop.ndjson and, with
 * --influx-url, InfluxDB (shop_orders, shop_queue). A read that takes longer than a second (an
 * Erlang VM starts for each rabbitmqctl) delays the next; no two overlap. A target that does not
 * know where its state lives (the reference shop, a URL not told) writes no file.
 */
export function shopMetricsSampler(target: Pick<Target, 'shopState'>, sink?: InfluxSink | null, options: { intervalMs?: number } = {}): PointSampler {
  const intervalMs = options.intervalMs ?? 1000;
  return {
    name: 'shop-metrics',
    async start(point): Promise<SamplerHandle> {
      const state = target.shopState?.();
      if (!state) return { stop: async () => undefined };
      const access = shopAccess(state);
      const writer = await openNdjsonWriter<ShopSample>(pointFilePath(point.dir, 'shop'));
      const stopping = new AbortController();
      const reported = new Set<string>();
      const loop = (async () => {
        while (!stopping.signal.aborted) {
          const started = Date.now();
          const { sample, errors } = await readShop(access);
          const record: ShopSample = { ...sample, pointId: point.pointId };
          writer.append(record);
          sink?.addPoints(shopSamplePoints(point.runId, record));
          for (const message of errors) {
            // Once per distinct problem: a broker that is down would otherwise log every second.
            if (reported.has(message)) continue;
            reported.add(message);
            point.event({ type: 'error', message: `shop metrics: ${message}` });
          }
          await sleep(intervalMs - (Date.now() - started), stopping.signal);
        }
      })().catch((error: unknown) => point.event({ type: 'error', message: `shop metrics stopped: ${errorMessage(error)}` }));
      return {
        async stop() {
          stopping.abort();
          await loop;
          await writer.close();
        },
      };
    },
  };
}
