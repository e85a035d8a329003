import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LruCache } from '../../core/lru-cache.js';

/**
 * The shared LRU, against a model: whatever the sequence of gets and sets, the `capacity` most
 * recently used keys are always held with their latest values, nothing is held that was not set,
 * and it never holds more than twice its capacity.
 */
describe('LruCache', () => {
  it('keeps the most recently used keys with their latest values, within twice its capacity', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 20 }), fc.integer()), { maxLength: 200 }),
        (capacity, operations) => {
          const cache = new LruCache<number, number>(capacity);
          const latest = new Map<number, number>();
          const used: number[] = [];
          for (const [isSet, key, value] of operations) {
            if (isSet) {
              cache.set(key, value);
              latest.set(key, value);
            } else {
              const got = cache.get(key);
              if (got !== undefined) expect(got).toBe(latest.get(key));
              if (got === undefined) continue;
            }
            used.splice(used.indexOf(key) >>> 0, used.includes(key) ? 1 : 0);
            used.push(key);
            for (const recent of used.slice(-capacity)) expect(cache.get(recent)).toBe(latest.get(recent));
            expect(cache.size).toBeLessThanOrEqual(2 * capacity);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('evicts what has not been used for longer than twice its capacity', () => {
    const cache = new LruCache<string, number>(3);
    cache.set('old', 1);
    for (let n = 0; n < 6; n++) cache.set(`k${n}`, n);
    expect(cache.get('old')).toBeUndefined();
    expect(cache.size).toBeLessThanOrEqual(6);
  });
});
