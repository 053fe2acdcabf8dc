/** Sampler output → NodeSamples: the part the local and the SSH runner share. */
import type { NodeSample } from '../../rundir/types.ts';
import { createFramer, parseRecord, type Hello } from './parse.ts';
import { createSampleBuilder, type SampleOptions } from './sample.ts';

export interface SampleStreamOptions extends SampleOptions {
  node: string;
  onSample: (sample: NodeSample) => void;
  onHello?: (hello: Hello) => void;
  /** harness − node clock, read at each record so a re-estimate applies at once; default 0. */
  clockOffsetMs?: () => number;
  /** Harness clock; default Date.now. */
  now?: () => number;
}

export function createSampleStream(options: SampleStreamOptions): { push(chunk: string): void } {
  const builder = createSampleBuilder(options.node, options);
  const now = options.now ?? Date.now;
  return createFramer({
    onHello: options.onHello,
    onRecord(lines, seq) {
      const at = { timeMs: now(), clockOffsetMs: options.clockOffsetMs?.() ?? 0 };
      options.onSample(builder.next(parseRecord(lines, seq), at));
    },
  });
}
