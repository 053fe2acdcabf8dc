/**
 * A mergeable log-linear histogram in the spirit of HdrHistogram, small enough to read in one go.
 *
 * Values are stored as integer micro-units (value × 1000, so a latency in ms is kept in µs). Below
 * SUB_BUCKETS micro-units every integer has its own bucket (exact); above, each power of two is
 * split into SUB_BUCKETS equal buckets, so a bucket is at most 1/256 of its value wide and the value
 * we report (the bucket midpoint, clamped to the observed min and max) is within 0.2 % of any value
 * in it. Counts are float64 so merged histograms of billions of samples stay exact. Values at or
 * above 2^32 micro-units (about 71 minutes in ms) are clamped into the top bucket; min/max stay exact.
 */

const SUB_BITS = 8;
const SUB_BUCKETS = 1 << SUB_BITS;
const MAGNITUDES = 32 - SUB_BITS;
export const BUCKET_COUNT = SUB_BUCKETS + MAGNITUDES * SUB_BUCKETS;
const SCALE = 1000;
const MAX_UNITS = 2 ** 32 - 1;

/** Bucket index of a value in micro-units (non-negative integer < 2^32). */
function indexOfUnits(units: number): number {
  if (units < SUB_BUCKETS) return units;
  const exponent = 31 - Math.clz32(units);
  const shift = exponent - SUB_BITS;
  return SUB_BUCKETS + shift * SUB_BUCKETS + ((units >>> shift) - SUB_BUCKETS);
}

/** Lowest micro-unit value of a bucket, and its width. */
function bucketBounds(index: number): { lowUnits: number; widthUnits: number } {
  if (index < SUB_BUCKETS) return { lowUnits: index, widthUnits: 1 };
  const shift = Math.floor((index - SUB_BUCKETS) / SUB_BUCKETS);
  const sub = (index - SUB_BUCKETS) % SUB_BUCKETS;
  const widthUnits = 2 ** shift;
  return { lowUnits: (SUB_BUCKETS + sub) * widthUnits, widthUnits };
}

function bucketMidpoint(index: number): number {
  const { lowUnits, widthUnits } = bucketBounds(index);
  return (lowUnits + (widthUnits - 1) / 2) / SCALE;
}

export interface HistogramJson {
  /** Bucket index → count, only non-empty buckets. */
  buckets: [number, number][];
  count: number;
  min: number;
  max: number;
  sum: number;
}

export class Histogram {
  readonly counts = new Float64Array(BUCKET_COUNT);
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  /** Records a value (negative and NaN values are ignored: a latency cannot be either). */
  record(value: number, times = 1): void {
    if (!(value >= 0)) return;
    let units = Math.round(value * SCALE);
    if (units > MAX_UNITS) units = MAX_UNITS;
    this.counts[indexOfUnits(units)]! += times;
    this.count += times;
    this.sum += value * times;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** Adds every count of `other` into this histogram (histograms merge exactly). */
  merge(other: Histogram): this {
    const counts = this.counts;
    const from = other.counts;
    for (let i = 0; i < BUCKET_COUNT; i++) counts[i]! += from[i]!;
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    return this;
  }

  mean(): number | null {
    return this.count > 0 ? this.sum / this.count : null;
  }

  /** Representative value of a bucket: its midpoint, clamped to the observed range. */
  bucketValue(index: number): number {
    return Math.min(this.max, Math.max(this.min, bucketMidpoint(index)));
  }

  /** Value of the sample at a 1-based rank in sorted order; null when empty. */
  valueAtRank(rank: number): number | null {
    if (this.count === 0) return null;
    const target = Math.min(this.count, Math.max(1, rank));
    let seen = 0;
    const counts = this.counts;
    for (let i = 0; i < BUCKET_COUNT; i++) {
      seen += counts[i]!;
      if (seen >= target) return this.bucketValue(i);
    }
    return this.max;
  }

  /** Nearest-rank quantile, q in [0, 1]; null when empty. */
  quantile(q: number): number | null {
    return this.valueAtRank(Math.ceil(q * this.count));
  }

  /**
   * Distribution-free confidence interval of a quantile: the ranks n·q ± z·√(n·q·(1−q)) of the
   * order statistics (normal approximation to the binomial), read from the histogram.
   */
  quantileInterval(q: number, z = 1.959964): { low: number; high: number } | null {
    const n = this.count;
    if (n === 0) return null;
    const spread = z * Math.sqrt(n * q * (1 - q));
    const low = this.valueAtRank(Math.floor(n * q - spread));
    const high = this.valueAtRank(Math.ceil(n * q + spread) + 1);
    return low === null || high === null ? null : { low, high };
  }

  /**
   * Non-empty buckets in value order as [midpoint, count], for rank statistics. Unclamped, so the
   * same bucket of two histograms has the same value and counts as a tie between them.
   */
  *weightedValues(): Generator<[number, number]> {
    const counts = this.counts;
    for (let i = 0; i < BUCKET_COUNT; i++) if (counts[i]! > 0) yield [bucketMidpoint(i), counts[i]!];
  }

  toJSON(): HistogramJson {
    const buckets: [number, number][] = [];
    const counts = this.counts;
    for (let i = 0; i < BUCKET_COUNT; i++) if (counts[i]! > 0) buckets.push([i, counts[i]!]);
    return { buckets, count: this.count, min: this.min, max: this.max, sum: this.sum };
  }

  static fromJSON(json: HistogramJson): Histogram {
    const histogram = new Histogram();
    for (const [index, count] of json.buckets) histogram.counts[index] = count;
    histogram.count = json.count;
    histogram.min = json.count > 0 ? json.min : Number.POSITIVE_INFINITY;
    histogram.max = json.count > 0 ? json.max : Number.NEGATIVE_INFINITY;
    histogram.sum = json.sum;
    return histogram;
  }
}
