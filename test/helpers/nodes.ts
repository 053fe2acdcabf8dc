import { readFileSync } from 'node:fs';
import type { NodeSample } from '../../rundir/types.ts';
import { createSampleStream } from '../../bench/nodes/stream.ts';
import { fixturePath } from './fixtures.ts';

/** Feeds a recorded sampler transcript through the real parser, in chunks of `chunkSize` chars. */
export function samplesFromTranscript(name: string, chunkSize = 17): NodeSample[] {
  const text = readFileSync(fixturePath('nodes', name), 'utf8');
  const samples: NodeSample[] = [];
  let clock = 1_000;
  const stream = createSampleStream({ node: 'pixel', onSample: (s) => samples.push(s), now: () => (clock += 1000) });
  for (let i = 0; i < text.length; i += chunkSize) stream.push(text.slice(i, i + chunkSize));
  return samples;
}
