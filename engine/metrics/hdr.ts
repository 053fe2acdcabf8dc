/**
 * HDR histograms for Trend metrics (hdr-histogram-js): 3 significant digits, growing as needed.
 * Values are stored as integers of value × 1000, so a time trend (milliseconds) is kept in
 * microseconds. HDR cannot hold negative values: a custom trend's negatives go to a second
 * histogram of their magnitudes.
 */
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

export const VALUE_SCALE = 1000;

let wasmReady = false;

/**
 * The main thread's histograms live in WebAssembly memory and are freed explicitly (destroy()): the
 * ones decoded every interval would otherwise be garbage that V8 collects only after tens of MB of
 * external memory have piled up, and the RSS would swing by that much. Workers keep plain JS ones,
 * which they reset rather than reallocate.
 */
export function newHistogram(counts: 32 | 64 = 32, wasm = false): Histogram {
  if (wasm && !wasmReady) {
    hdr.initWebAssemblySync();
    wasmReady = true;
  }
  return hdr.build({
    bitBucketSize: counts,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: wasm,
  });
}

/**
 * Runs every histogram path once (build, record, encode, decode, add) before a test starts: the first
 * use initialises WebAssembly and compiles the codec (tens of ms), which would otherwise land in the
 * test's first interval and delay the iterations scheduled then (the main thread and the workers may
 * share a core).
 */
export function warmHistograms(wasm: boolean): void {
  const h = newHistogram(32, false);
  h.recordValue(1234);
  const back = decodeHistogram(encodeHistogram(h), wasm);
  const sum = newHistogram(64, wasm);
  sum.add(back);
  sum.getValueAtPercentile(99);
  if (wasm) {
    back.destroy();
    sum.destroy();
  }
}

export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(text: string, wasm = false): Histogram {
  if (wasm && !wasmReady) {
    hdr.initWebAssemblySync();
    wasmReady = true;
  }
  return hdr.decodeFromCompressedBase64(text, 64, wasm);
}

/** Value at percentile p (0–100) over a positive and an optional negative (magnitudes) histogram, unscaled. */
export function percentileOf(pos: Histogram, neg: Histogram | null, p: number): number {
  const negCount = neg ? neg.totalCount : 0;
  const total = pos.totalCount + negCount;
  if (total === 0) return 0;
  if (neg && negCount > 0) {
    const rank = (p / 100) * total;
    if (rank <= negCount) return -neg.getValueAtPercentile(Math.max(0, 100 * (1 - rank / negCount))) / VALUE_SCALE;
    return pos.getValueAtPercentile((100 * (rank - negCount)) / pos.totalCount) / VALUE_SCALE;
  }
  return pos.getValueAtPercentile(p) / VALUE_SCALE;
}
