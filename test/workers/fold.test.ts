import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prefillBatches } from '../../bench/lib/prefill.js';
import { toClickHouseDateTime, windowStartOf } from '../../core/time.js';
import type { AnonymousEvent } from '../../schema/event.js';
import { STAGED_REPORTS } from '../../schema/reports.js';
import { foldBatch } from '../../workers/fold.js';

/**
 * The fold (events → staging cells) against a reference written the plain way: one JSON key per
 * cell. Same rows, in the same order, whatever the events' order, and values that would run
 * together if key parts were simply joined (`ab` + `c` against `a` + `bc`) stay separate cells.
 */
function referenceFold(events: readonly AnonymousEvent[], windowSeconds: number, stagedAtMs: number) {
  const cells = new Map<string, { key: string[]; measures: Record<string, number>; visitors: Set<string> }>();
  for (const event of events) {
    const windowStart = toClickHouseDateTime(windowStartOf(event.ts, windowSeconds));
    for (const report of STAGED_REPORTS) {
      for (const cell of report.cells(event)) {
        const key = [
          event.site,
          windowStart,
          report.name,
          cell.dims[0] ?? '',
          cell.dims[1] ?? '',
          cell.dims[2] ?? '',
        ];
        const id = JSON.stringify(key);
        const found = cells.get(id) ?? { key, measures: {}, visitors: new Set<string>() };
        cells.set(id, found);
        for (const [name, value] of Object.entries(cell.measures))
          found.measures[name] = (found.measures[name] ?? 0) + value;
        found.visitors.add(event.visitor);
      }
    }
  }
  const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...cells.values()]
    .sort((a, b) => a.key.reduce((order, part, index) => order || text(part, b.key[index]!), 0))
    .map(({ key, measures, visitors }) => ({
      site: key[0],
      window_start: key[1],
      report: key[2],
      d1: key[3],
      d2: key[4],
      d3: key[5],
      measures,
      staged_at: toClickHouseDateTime(Math.floor(stagedAtMs / 1000)),
      visitors: `[${[...visitors].sort().join(',')}]`,
    }));
}

const now = Date.UTC(2026, 10, 30, 12);
const pool = prefillBatches({ events: 400, batchEvents: 400, seed: 5, now, idPrefix: 'fold' }).flatMap(
  (batch) => batch.events,
);
/** Path, product and category values whose parts would run together in a naive key. */
const tricky = fc.constantFrom(
  'a',
  'ab',
  'bc',
  'c',
  'a:1',
  '1:a',
  '1',
  '',
  ':',
  '2:ab',
  '(none)',
  '|',
  '/p|q',
);

describe('foldBatch', () => {
  it('gives the reference rows, in order, for shuffled and altered events', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(pool, { minLength: 1, maxLength: 120 }),
        fc.array(fc.tuple(fc.nat(), tricky, tricky), { maxLength: 30 }),
        fc.constantFrom(60, 3600),
        (picked, changes, windowSeconds) => {
          const events = picked.map((event) => ({ ...event }));
          for (const [at, path, product] of changes) {
            const event = events[at % events.length]!;
            event.path = `/${path}`;
            if (event.product_id !== undefined) event.product_id = product;
            if (event.category !== undefined) event.category = path;
          }
          expect(foldBatch(events, windowSeconds, now)).toEqual(referenceFold(events, windowSeconds, now));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps cells apart whose parts would join into the same text', () => {
    const base = pool.find((event) => event.type === 'product_view')!;
    const events = [
      { ...base, product_id: 'ab', category: 'c' },
      { ...base, product_id: 'a', category: 'bc' },
    ];
    const products = foldBatch(events, 3600, now).filter((row) => row.report === 'products');
    expect(products.map((row) => [row.d1, row.d2]).filter(([d1]) => d1 === 'a' || d1 === 'ab')).toEqual([
      ['a', 'bc'],
      ['ab', 'c'],
    ]);
    expect(foldBatch(events, 3600, now)).toEqual(referenceFold(events, 3600, now));
  });
});
