// A memo that cannot grow past a number of entries nor a total size: the oldest entries go first (a Map keeps
// insertion order). Hits do not reorder, so a lookup costs one Map.get; an evicted entry that is still wanted is
// simply made again.
export class BoundedCache<V> {
  private readonly entries = new Map<string, { value: V; size: number }>();
  private total = 0;

  /** `maxSize` is in the unit the caller gives each entry (characters of the key and the value, for example). */
  constructor(
    readonly maxEntries: number,
    readonly maxSize: number,
  ) {}

  get(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  /** Keeps value under key unless it alone is larger than the bound; evicts the oldest entries to make room. */
  set(key: string, value: V, size: number): void {
    this.delete(key);
    if (size > this.maxSize) return;
    this.entries.set(key, { value, size });
    this.total += size;
    for (const [oldest] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.total <= this.maxSize) break;
      this.delete(oldest);
    }
  }

  get count(): number {
    return this.entries.size;
  }

  /** The sum of the sizes of the entries kept. */
  get size(): number {
    return this.total;
  }

  private delete(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.entries.delete(key);
    this.total -= old.size;
  }
}
