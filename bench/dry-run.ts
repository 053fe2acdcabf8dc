import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BenchConfig } from './config.ts';
import type { LoadGenerator } from './load/generator.ts';
import type { Logger } from '../kernel/log.ts';
import { runBench, type BenchOutcome } from './pipeline.ts';
import type { NodeSample } from '../rundir/types.ts';
import type { Target } from './target/target.ts';

/**
 * `--dry-run`: the whole pipeline (plan, run directory, every stage of every point, events, persist,
 * report) against fakes, in seconds and with no cluster, no shop and no load: a check of the config
 * and of the harness itself before a long run on the phones.
 */

/** A node sample with every field, all zero: the dry run's, and a test's starting point. */
export function fakeSample(node: string): NodeSample {
  const now = Date.now();
  return {
    node,
    timeMs: now,
    nodeTimeMs: now,
    clockOffsetMs: 0,
    pointId: null,
    cpuPct: 0,
    cores: [{ core: 0, online: true, cpuPct: 0, freqKHz: null, maxFreqKHz: null }],
    load1: 0,
    memTotalKB: 1,
    memAvailableKB: 1,
    thermal: [],
    batteryTempC: null,
    throttled: false,
  };
}

export function fakeTarget(config: BenchConfig): Target {
  const nodes = config.target.kind === 'swarm' ? ['dry-node1', 'dry-node2', 'dry-node3'] : ['dry-host'];
  return {
    describe: async () => ({
      cluster: {
        nodes: nodes.map((name, i) => ({ name, role: i === 0 ? 'manager' : 'worker', leader: i === 0, arch: 'dry-run', engineVersion: null, labels: {} })),
      },
      images: [],
      inventory: null,
    }),
    prepare: async () => ({ baseUrls: ['http://dry-run.invalid:5000'], convergenceMs: 0, release: async () => undefined }),
    async startSampler(onSample) {
      const tick = () => {
        for (const node of nodes) onSample(fakeSample(node));
      };
      tick();
      const timer = setInterval(tick, 100);
      return { stop: async () => clearInterval(timer) };
    },
    generators: () => [],
    nodeNames: () => nodes,
    close: async () => undefined,
  };
}

export const fakeGenerator: LoadGenerator = {
  info: { name: 'engine', version: 'dry-run', path: '(dry run: no load)' },
  async run(options) {
    if (options.summaryPath)
      await writeFile(options.summaryPath, `${JSON.stringify({ metrics: { http_reqs: { count: 0, rate: 0 } }, state: { testRunDurationMs: 0 } })}\n`);
    if (options.samplesPath) await writeFile(options.samplesPath, gzipSync(''));
    return { exitCode: 0, thresholdsPassed: true, interrupted: false, durationMs: 0 };
  },
};

export async function dryRun(config: BenchConfig, logger: Logger, signal: AbortSignal): Promise<BenchOutcome> {
  const resultsRoot = await mkdtemp(join(tmpdir(), 'cloudlet-bench-dry-run-'));
  return runBench(
    { ...config, pauseS: 0 },
    { generator: fakeGenerator, target: fakeTarget(config), resultsRoot, logger, signal, commandLine: process.argv.slice(1), targetHealth: false },
  );
}
