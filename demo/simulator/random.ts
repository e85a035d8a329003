/**
 * A small seeded random source (sfc32), so the same seed always yields the same traffic. Streams
 * are derived from the seed and a label (`visitor:17`, `session:17:2`), so one visitor's traffic
 * does not shift when another's changes, and days can be generated in any order.
 */

/** FNV-1a over the text, then a 32-bit finaliser: a good enough seed mixer, not a cryptographic hash. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, label = '') {
    this.a = hash32(`a:${seed}:${label}`);
    this.b = hash32(`b:${seed}:${label}`);
    this.c = hash32(`c:${seed}:${label}`);
    this.d = hash32(`d:${seed}:${label}`) | 1;
    for (let i = 0; i < 12; i += 1) this.next();
  }

  /** A float in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4_294_967_296;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** An index chosen by weight; weights are relative and need not sum to 1. */
  weightedIndex(weights: readonly number[]): number {
    if (weights.length === 0) throw new Error('weighted pick from an empty list');
    let total = 0;
    for (const weight of weights) total += weight;
    let target = this.next() * total;
    for (const [index, weight] of weights.entries()) {
      target -= weight;
      if (target < 0) return index;
    }
    return weights.length - 1;
  }

  weighted<T>(items: readonly T[], weight: (item: T, index: number) => number): T {
    return items[this.weightedIndex(items.map(weight))] as T;
  }

  /** Zipf-like: the item at rank r (0-based) is chosen with weight 1 / (r + 1)^s. */
  zipf<T>(ranked: readonly T[], s = 1): T {
    return this.weighted(ranked, (_item, rank) => 1 / (rank + 1) ** s);
  }

  /** Log-normal with the given median, for dwell times and the like. */
  logNormal(median: number, sigma: number): number {
    const u = Math.max(this.next(), 1e-12);
    const v = this.next();
    const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return median * Math.exp(sigma * normal);
  }
}
