import { hostname } from 'node:os';
import type { BenchConfig } from '../config.ts';
import { startLocalSampler } from '../nodes/local.ts';
import { localSnapshot } from '../manifest.ts';
import { startLocalShop } from './local-shop.ts';
import type { Target } from './target.ts';

/** The embedded default: each point starts the reference shop with N workers and stops it after. */
export function localTarget(target: Extract<BenchConfig['target'], { kind: 'local-shop' }>): Target {
  const node = hostname();
  return {
    describe: async () => ({ cluster: localSnapshot(), images: [], inventory: null }),
    async prepare(spec) {
      const shop = await startLocalShop({ ...target, replicas: spec.replicas.shop ?? 1 });
      return { baseUrls: [shop.url], convergenceMs: Math.round(shop.readyMs), release: () => shop.stop() };
    },
    startSampler: (onSample, onEvent) =>
      startLocalSampler({ node, onSample, onError: (error) => onEvent({ timeMs: Date.now(), pointId: null, type: 'error', node, message: error.message }) }),
    generators: () => [],
    nodeNames: () => [node],
    close: async () => undefined,
  };
}
