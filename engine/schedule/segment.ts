/**
 * Execution segments: which share of a test's VUs and iterations this process runs.
 *
 * Item i (a VU slot, an arrival, a shared iteration) belongs to the segment holding the point
 * frac(i·φ) (φ = the golden ratio's fraction). Every process computes the same points, so segments
 * of any sequence are disjoint and cover the whole test without coordination, each gets its share to
 * within a couple of items, and its items are spread over the test rather than bunched. Because the
 * mapping does not depend on the sequence, `--execution-segment-sequence` is only checked, not needed.
 */

export interface Segment {
  from: number;
  to: number;
}

export const FULL_SEGMENT: Segment = { from: 0, to: 1 };

const PHI_FRACTION = 0.6180339887498949;

export function itemPoint(i: number, shift = 0): number {
  const x = i * PHI_FRACTION + shift;
  return x - Math.floor(x);
}

/**
 * Where the k-th scenario's items start on the circle: frac(k·√2). Without it every scenario's item
 * 0 lands at 0, in the first segment, and a test of several small scenarios leans towards it (three
 * scenarios of 14 arrivals split 24/18 between two halves; shifted, 21/21).
 */
export function scenarioShift(k: number): number {
  const x = k * 0.41421356237309515;
  return x - Math.floor(x);
}

export function ownsItem(segment: Segment, i: number, shift = 0): boolean {
  if (segment.from === 0 && segment.to === 1) return true;
  const p = itemPoint(i, shift);
  return p >= segment.from && (p < segment.to || segment.to === 1);
}

/** How many of the items 0..n-1 the segment owns. */
export function ownedCount(segment: Segment, n: number): number {
  if (segment.from === 0 && segment.to === 1) return n;
  let count = 0;
  for (let i = 0; i < n; i++) if (ownsItem(segment, i)) count++;
  return count;
}

/** The global index of the segment's k-th item (0-based). */
export function nthOwned(segment: Segment, k: number): number {
  if (segment.from === 0 && segment.to === 1) return k;
  let seen = -1;
  for (let i = 0; ; i++) if (ownsItem(segment, i) && ++seen === k) return i;
}

/** "1/4:3/4", "0.25:0.75", "25%:75%", or one value "1/2" meaning 0:1/2. */
export function parseSegment(text: string): Segment {
  const parts = text.split(':');
  if (parts.length > 2) throw new Error(`"${text}" is not an execution segment (e.g. 0:1/2, 1/2:1, 25%:50%)`);
  const [fromText, toText] = parts.length === 1 ? ['0', parts[0] ?? ''] : [parts[0] ?? '', parts[1] ?? ''];
  const from = parseFraction(fromText);
  const to = parseFraction(toText);
  if (from === null || to === null || from >= to || from < 0 || to > 1) {
    throw new Error(`"${text}" is not an execution segment: expected FROM:TO with 0 ≤ FROM < TO ≤ 1 (e.g. 0:1/2, 1/2:1, 25%:50%)`);
  }
  return { from, to };
}

/** "0,1/4,1/2,1" → boundaries, checked to start at 0, end at 1 and increase. */
export function parseSequence(text: string): number[] {
  const points = text.split(',').map((t) => parseFraction(t));
  if (points.some((p) => p === null) || points.length < 2) throw new Error(`"${text}" is not an execution segment sequence (e.g. 0,1/3,2/3,1)`);
  const values = points as number[];
  for (let i = 1; i < values.length; i++) if ((values[i] ?? 0) <= (values[i - 1] ?? 0)) throw new Error(`"${text}": the values must increase`);
  if (values[0] !== 0 || values[values.length - 1] !== 1) throw new Error(`"${text}": the values must start at 0 and end at 1 (e.g. 0,1/3,2/3,1)`);
  return values;
}

/** The segment must be one of the sequence's (k6 requires it). */
export function checkSegmentInSequence(segment: Segment, sequence: number[]): string | null {
  for (let i = 1; i < sequence.length; i++) {
    if (Math.abs((sequence[i - 1] ?? -1) - segment.from) < 1e-12 && Math.abs((sequence[i] ?? -1) - segment.to) < 1e-12) return null;
  }
  return 'the execution segment is not one of the execution segment sequence';
}

function parseFraction(text: string): number | null {
  const t = text.trim();
  let m = /^(\d+)\/(\d+)$/.exec(t);
  if (m) return Number(m[2]) === 0 ? null : Number(m[1]) / Number(m[2]);
  m = /^(\d+(?:\.\d+)?)%$/.exec(t);
  if (m) return Number(m[1]) / 100;
  m = /^\d+(?:\.\d+)?$/.exec(t);
  return m ? Number(t) : null;
}

export function formatSegment(segment: Segment): string {
  return `${segment.from}:${segment.to}`;
}
