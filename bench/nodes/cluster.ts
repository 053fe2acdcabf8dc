/** Every node of an inventory sampled over SSH, as one SamplerHandle for the pipeline. */
import { startSamplers } from './group.ts';
import type { SamplerHandle } from './local.ts';
import type { NodeSample } from '../../rundir/types.ts';
import type { SamplerEvent } from '../../rundir/events.ts';
import type { SshTarget } from '../../kernel/ssh/connect.ts';
import { startRemoteSampler } from './remote.ts';

export interface SampledNode {
  name: string;
  ssh: SshTarget;
  /** Shell words on the node; default ['sh']. */
  shell?: string[];
}

export interface ClusterSamplerOptions {
  nodes: SampledNode[];
  /** Default 1000. */
  intervalMs?: number;
  onSample: (sample: NodeSample) => void;
  /** `node-lost` / `node-back` events (pointId null: the pipeline knows the point), and `error`s while reconnecting. */
  onEvent?: (event: SamplerEvent) => void;
}

/** Starts one sampler per node; fails as a whole, with that node's typed SSH error, if any node cannot start. */
export function startClusterSampler(options: ClusterSamplerOptions): Promise<SamplerHandle> {
  const emit = options.onEvent ?? (() => {});
  return startSamplers(
    options.nodes.map(
      (node) => () =>
        startRemoteSampler({
          node: node.name,
          target: node.ssh,
          shell: node.shell,
          intervalMs: options.intervalMs,
          onSample: options.onSample,
          onConnection: (event) =>
            emit(
              event.type === 'lost'
                ? { timeMs: event.timeMs, pointId: null, type: 'node-lost', node: node.name, reason: event.error?.message ?? 'connection lost' }
                : { timeMs: event.timeMs, pointId: null, type: 'node-back', node: node.name },
            ),
          onError: (error) => emit({ timeMs: Date.now(), pointId: null, type: 'error', node: node.name, message: error.message }),
        }),
    ),
  );
}
