import { LruCache } from '../../core/lru-cache.js';
import type { QuerySpec, Warehouse } from '../../core/warehouse/warehouse.js';

/**
 * Remembers presenters' query results for a few seconds. One page load asks for the same figures
 * several times (a product table, its categories, its movers; the privacy note of one report under
 * several cards); released tables change only when a window is released, so a short memory is
 * invisible to people and halves the work. Concurrent identical queries share one run; failures
 * are not remembered. Only `query` is wrapped: presenters never write.
 */
export function cachedReads(
  warehouse: Warehouse,
  options: { ttlMs: number; maxEntries?: number; clock?: () => number },
): Warehouse {
  if (options.ttlMs <= 0) return warehouse;
  const clock = options.clock ?? Date.now;
  const cache = new LruCache<string, { at: number; rows: Promise<unknown[]> }>(options.maxEntries ?? 500);
  const reads: Warehouse = Object.create(warehouse);
  reads.query = <T>(spec: QuerySpec<T>): Promise<T[]> => {
    const key = JSON.stringify([spec.sql, spec.params ?? null]);
    const hit = cache.get(key);
    if (hit && clock() - hit.at < options.ttlMs) return hit.rows as Promise<T[]>;
    const rows = warehouse.query(spec);
    cache.set(key, { at: clock(), rows });
    rows.catch(() => cache.set(key, { at: Number.NEGATIVE_INFINITY, rows }));
    return rows;
  };
  return reads;
}
