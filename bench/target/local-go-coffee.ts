import { hostname } from 'node:os';
import type { Logger } from '../../kernel/log.ts';
import { planBuild } from '../../shop/gocoffee/build.ts';
import { LOCAL_SERVICES, startLocalShop, type LocalShop } from '../../shop/gocoffee/local.ts';
import type { BenchConfig } from '../config.ts';
import { localSnapshot } from '../manifest.ts';
import { startLocalSampler } from '../nodes/local.ts';
import type { Target } from './target.ts';

/**
 * The real Go coffee shop on this machine (shop/gocoffee/local.ts): started at the first point
 * (postgres, rabbitmq, product, counter, barista, kitchen and proxy on loopback, built from the
 * source when the cache has no binaries), scaled point by point by starting and stopping kitchen
 * and barista processes, stopped when the run ends. Every process runs under kernel/supervise.ts,
 * so Ctrl-C, SIGTERM and SIGKILL of the bench stop them too. State carries over from point to point
 * (the orders table grows, a backlog drains into the next point): a StateReset slot handles it.
 */
export function localGoCoffeeTarget(target: Extract<BenchConfig['target'], { kind: 'local-go-coffee' }>, logger: Logger): Target {
  const node = hostname();
  let shop: LocalShop | undefined;
  let starting: Promise<LocalShop> | undefined;
  let closed = false;
  return {
    async describe() {
      // Which build runs, by its key (source commit or hash, Go version, arch), without building.
      const plan = await planBuild({ arch: target.arch, src: target.src });
      return {
        cluster: localSnapshot(),
        images: LOCAL_SERVICES.map((service) => ({
          service,
          image: `go-coffee ${service} (local build ${plan.key}, ${target.arch}, ${plan.source})`,
          digest: null,
        })),
        inventory: null,
      };
    },
    async prepare(spec) {
      const replicas = { kitchen: spec.replicas.kitchen ?? 1, barista: spec.replicas.barista ?? 1 };
      if (!shop) {
        const started = performance.now();
        starting ??= startLocalShop({
          replicas,
          port: target.port,
          arch: target.arch,
          src: target.src,
          log: logger,
          readyTimeoutMs: target.readyTimeoutS * 1000,
        });
        shop = await starting;
        // A close() that came while it was starting stops it now.
        if (closed) await shop.stop();
        logger.info(`real go-coffee serving on ${shop.url} (kitchen ${replicas.kitchen}, barista ${replicas.barista}); its folder is ${shop.dir}`);
        return { baseUrls: [shop.url], convergenceMs: Math.round(performance.now() - started), release: async () => undefined };
      }
      const convergenceMs = await shop.scale(replicas);
      return { baseUrls: [shop.url], convergenceMs: Math.round(convergenceMs), release: async () => undefined };
    },
    startSampler: (onSample, onEvent) =>
      startLocalSampler({ node, onSample, onError: (error) => onEvent({ timeMs: Date.now(), pointId: null, type: 'error', node, message: error.message }) }),
    generators: () => [],
    nodeNames: () => [node],
    async close() {
      closed = true;
      const running = shop ?? (await starting?.catch(() => undefined));
      shop = undefined;
      await running?.stop();
    },
    shopState: () => (shop ? { kind: 'local-go-coffee', shop } : undefined),
  };
}
