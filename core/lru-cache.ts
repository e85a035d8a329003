/**
 * A small least-recently-used cache. The collector parses each distinct user agent once and keeps
 * the coarse result (never the string's owner), and keeps canonical pages by URL hash: the
 * performance budget of docs/architecture.md.
 *
 * Two generations (the hashlru algorithm, as in quick-lru): new and used entries go into `recent`;
 * when it holds `capacity` entries it becomes `older` and the previous `older` is dropped whole. So
 * it keeps at least the `capacity` most recently used entries and at most twice as many, and no
 * operation walks the map. The single-Map version deleted the oldest key on every insert once full;
 * finding it with `keys().next()` walks past the deleted slots at the front of the table, which
 * made a miss cost ~9 µs at 10,000 entries (a hit cost 0.2).
 */
export class LruCache<K, V> {
  private recent = new Map<K, V>();
  private older = new Map<K, V>();

  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const value = this.recent.get(key);
    if (value !== undefined) return value;
    const old = this.older.get(key);
    if (old !== undefined) {
      this.older.delete(key);
      this.addRecent(key, old);
    }
    return old;
  }

  set(key: K, value: V): void {
    if (this.recent.has(key)) {
      this.recent.set(key, value);
      return;
    }
    this.older.delete(key);
    this.addRecent(key, value);
  }

  /** Entries held: between `capacity` and twice as many once full. */
  get size(): number {
    return this.recent.size + this.older.size;
  }

  private addRecent(key: K, value: V): void {
    this.recent.set(key, value);
    if (this.recent.size >= this.capacity) {
      this.older = this.recent;
      this.recent = new Map();
    }
  }
}
