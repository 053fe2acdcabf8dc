/**
 * Interned tag sets. Every sample refers to one TagSet; identical tags share it, so a series
 * (metric × tag set) is found by an array index and the encoded forms (JSON, line protocol) are
 * built once per tag set, not per sample.
 */

export class TagSet {
  /** Series of this tag set, by the registry's metric index. */
  readonly series: unknown[] = [];
  private extensions: Map<string, TagSet> | null = null;
  /** JSON encoder's cache of the tags' part of a line (UTF-8). */
  jsonCache: Uint8Array | null = null;
  influxCache: string | null = null;

  constructor(
    readonly id: number,
    readonly key: string,
    readonly tags: Readonly<Record<string, string>>,
  ) {}

  /** The tag set with more tags, found by a caller-built key for the extra part (no key sorting per call). */
  extend(interner: TagInterner, extraKey: string, extra: () => Record<string, string>): TagSet {
    if (!this.extensions) this.extensions = new Map();
    let found = this.extensions.get(extraKey);
    if (!found) {
      found = interner.intern({ ...this.tags, ...extra() });
      if (this.extensions.size < MAX_EXTENSIONS) this.extensions.set(extraKey, found);
    }
    return found;
  }
}

const MAX_EXTENSIONS = 10_000;

/**
 * Tag sets one thread may make. Every tag set costs a series per metric (HDR histograms for trends),
 * so a script that tags requests with raw URLs full of ids would grow memory without bound; past this
 * many, new combinations share one `overflow` tag set and the run says so once.
 */
export const MAX_TAG_SETS = 20_000;

export class TagInterner {
  private readonly byKey = new Map<string, TagSet>();
  readonly list: TagSet[] = [];
  /** Tag sets made since the last call of takeNew(), to announce to the main thread. */
  private fresh: TagSet[] = [];
  readonly empty: TagSet;
  private overflow: TagSet | null = null;

  constructor(private readonly onOverflow: () => void = () => {}) {
    this.empty = this.intern({});
  }

  intern(tags: Record<string, string>): TagSet {
    const key = canonicalKey(tags);
    let set = this.byKey.get(key);
    if (!set) {
      if (this.list.length >= MAX_TAG_SETS) {
        if (!this.overflow) {
          this.overflow = this.make('overflow\u0001true\u0002', { overflow: 'true' });
          this.onOverflow();
        }
        return this.overflow;
      }
      const sorted: Record<string, string> = {};
      for (const k of Object.keys(tags).sort()) sorted[k] = tags[k] ?? '';
      set = this.make(key, sorted);
    }
    return set;
  }

  private make(key: string, sorted: Record<string, string>): TagSet {
    const set = new TagSet(this.list.length, key, Object.freeze(sorted));
    this.byKey.set(key, set);
    this.list.push(set);
    this.fresh.push(set);
    return set;
  }

  get size(): number {
    return this.list.length;
  }

  takeNew(): TagSet[] {
    const out = this.fresh;
    this.fresh = [];
    return out;
  }
}

export function canonicalKey(tags: Record<string, string>): string {
  const keys = Object.keys(tags).sort();
  let key = '';
  for (const k of keys) key += `${k}\u0001${tags[k]}\u0002`;
  return key;
}
