import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OTHER, REPORTS } from '../../schema/reports.js';
import { dimsAtLevel, releaseReport, type StagedCell } from '../../workers/release/generalise.js';

const products = REPORTS.products;
const slots = REPORTS.slots;
const visitors = (from: number, count: number) => Array.from({ length: count }, (_, i) => String(from + i));
const cell = (dims: string[], who: string[], views = who.length): StagedCell => ({
  dims,
  measures: { views },
  visitors: who,
});

describe('releaseReport', () => {
  it('publishes a product seen by K visitors exactly, at level 0', () => {
    const release = releaseReport(products, [cell(['p1', 'shoes'], visitors(0, 5))], 5);
    expect(release.rows).toEqual([
      { dims: ['p1', 'shoes'], level: 0, measures: { views: 5 }, visitors: 5, cells: [0] },
    ]);
  });

  it('moves products below K into their category row when the category reaches K', () => {
    const release = releaseReport(
      products,
      [
        cell(['p1', 'shoes'], visitors(0, 3)),
        cell(['p2', 'shoes'], visitors(3, 3)),
        cell(['p3', 'hats'], visitors(10, 6)),
      ],
      5,
    );
    expect(release.rows.map((row) => [row.dims, row.level, row.visitors])).toEqual([
      [['p3', 'hats'], 0, 6],
      [[OTHER, 'shoes'], 1, 6],
    ]);
    expect(release.generalised).toBe(1);
    expect(release.cellsSuppressed).toBe(0);
  });

  it('counts a visitor once when a generalised group unites cells they were both in', () => {
    const release = releaseReport(
      products,
      [
        cell(['p1', 'shoes'], ['a', 'b', 'c']),
        cell(['p2', 'shoes'], ['a', 'b', 'c']),
        cell(['p9', 'hats'], visitors(0, 5)),
      ],
      5,
    );
    // The shoes group has 3 distinct visitors, not 6: it cannot stand alone and is merged away.
    expect(release.rows.every((row) => row.visitors >= 5)).toBe(true);
    expect(release.rows.some((row) => row.dims[1] === 'shoes')).toBe(false);
  });

  it('folds the smallest published row into a small (other) row so no subtraction reveals it', () => {
    const release = releaseReport(
      products,
      [
        cell(['big', 'a'], visitors(0, 20)),
        cell(['mid', 'b'], visitors(100, 6)),
        cell(['tiny', 'c'], ['x', 'y']),
      ],
      5,
    );
    expect(release.rows.map((row) => [row.dims, row.visitors])).toEqual([
      [['big', 'a'], 20],
      [[OTHER, OTHER], 8],
    ]);
    const published = release.rows.reduce((sum, row) => sum + (row.measures.views ?? 0), 0);
    expect(published).toBe(28);
  });

  it('publishes nothing of a report whose visitors are fewer than K in total', () => {
    const release = releaseReport(products, [cell(['p1', 'a'], ['x', 'y']), cell(['p2', 'b'], ['z'])], 5);
    expect(release.rows).toEqual([]);
    expect(release.cellsSuppressed).toBe(2);
  });

  it('keeps the scope dimension of slots and suppresses a page type below K on its own', () => {
    const release = releaseReport(
      slots,
      [
        cell(['home', 'hero', '1'], visitors(0, 6)),
        cell(['home', 'hero', '2'], visitors(10, 2)),
        cell(['cart', 'upsell', '1'], ['q']),
      ],
      5,
    );
    expect(release.rows.map((row) => row.dims)).toEqual([['home', OTHER, OTHER]]);
    expect(release.cellsSuppressed).toBe(1);
  });

  it('refuses K below 2', () => {
    expect(() => releaseReport(products, [], 1)).toThrow(/at least 2/);
  });
});

/** Random products with random audiences from a small pool of visitors, so groups overlap. */
const stagedCells = fc.array(
  fc.record({
    product: fc.integer({ min: 1, max: 8 }),
    audience: fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 12 }),
    views: fc.integer({ min: 1, max: 50 }),
  }),
  { maxLength: 24 },
);

const CATEGORIES = ['shoes', 'hats', 'bags'];

function toCells(raw: { product: number; audience: number[]; views: number }[]): StagedCell[] {
  const byKey = new Map<string, StagedCell>();
  for (const entry of raw) {
    const key = `p${entry.product}`;
    if (byKey.has(key)) continue; // staging holds one row per key; a product has one category
    byKey.set(key, cell([key, CATEGORIES[entry.product % 3]!], entry.audience.map(String), entry.views));
  }
  return [...byKey.values()];
}

describe('releaseReport properties (invariant 3)', () => {
  it('gives every published row at least K distinct visitors, counted from its cells', () => {
    fc.assert(
      fc.property(stagedCells, fc.integer({ min: 2, max: 8 }), (raw, k) => {
        const cells = toCells(raw);
        for (const row of releaseReport(products, cells, k).rows) {
          const union = new Set(row.cells.flatMap((index) => cells[index]!.visitors));
          expect(union.size).toBe(row.visitors);
          expect(row.visitors).toBeGreaterThanOrEqual(k);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('never names a product seen by fewer than K visitors', () => {
    fc.assert(
      fc.property(stagedCells, fc.integer({ min: 2, max: 8 }), (raw, k) => {
        const cells = toCells(raw);
        const small = new Set(cells.filter((c) => c.visitors.length < k).map((c) => c.dims[0]));
        for (const row of releaseReport(products, cells, k).rows) {
          expect(small.has(row.dims[0]!)).toBe(false);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('publishes rows that add up to the whole report, or nothing at all (no differencing)', () => {
    fc.assert(
      fc.property(stagedCells, fc.integer({ min: 2, max: 8 }), (raw, k) => {
        const cells = toCells(raw);
        const release = releaseReport(products, cells, k);
        const used = release.rows.flatMap((row) => row.cells);
        expect(new Set(used).size).toBe(used.length); // each cell in one row at most
        const published = release.rows.reduce((sum, row) => sum + (row.measures.views ?? 0), 0);
        const total = cells.reduce((sum, c) => sum + (c.measures.views ?? 0), 0);
        if (release.rows.length > 0) expect(published).toBe(total);
        else expect(new Set(cells.flatMap((c) => c.visitors)).size).toBeLessThan(k);
      }),
      { numRuns: 400 },
    );
  });

  it('gives the same rows for the same cells in any order', () => {
    fc.assert(
      fc.property(stagedCells, fc.integer({ min: 2, max: 6 }), (raw, k) => {
        const cells = toCells(raw);
        const strip = (rows: ReturnType<typeof releaseReport>['rows'], order: StagedCell[]) =>
          rows.map((row) => ({ ...row, cells: row.cells.map((i) => order[i]!.dims.join('|')).sort() }));
        const reversed = [...cells].reverse();
        expect(strip(releaseReport(products, reversed, k).rows, reversed)).toEqual(
          strip(releaseReport(products, cells, k).rows, cells),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('needs the tokens of cells below K only, and names the cells whose tokens it needs besides', () => {
    fc.assert(
      fc.property(stagedCells, fc.integer({ min: 2, max: 8 }), (raw, k) => {
        const cells = toCells(raw);
        const full = releaseReport(products, cells, k);
        expect(full.unread).toEqual([]);
        // As the release reads them: a cell of K or more comes with its count and no tokens.
        const counted = cells.map((c) =>
          c.visitors.length >= k ? { ...c, visitors: [], visitorCount: c.visitors.length } : c,
        );
        const first = releaseReport(products, counted, k);
        expect(first.rows.map((row) => [row.dims, row.level, row.cells])).toEqual(
          full.rows.map((row) => [row.dims, row.level, row.cells]),
        );
        for (const index of first.unread) expect(counted[index]!.visitorCount).toBeGreaterThanOrEqual(k);
        // Rows whose count could be off are exactly those holding an unread cell among others.
        for (const [at, row] of first.rows.entries()) {
          const inexact = row.cells.length > 1 && row.cells.some((index) => first.unread.includes(index));
          if (!inexact) expect(row.visitors).toBe(full.rows[at]!.visitors);
        }
        for (const index of first.unread) counted[index] = cells[index]!;
        expect(releaseReport(products, counted, k)).toEqual(full);
      }),
      { numRuns: 400 },
    );
  });

  it('labels every generalised dimension (other) and keeps the kept ones', () => {
    expect(dimsAtLevel(products, ['p1', 'shoes'], 1)).toEqual([OTHER, 'shoes']);
    expect(dimsAtLevel(products, ['p1', 'shoes'], 2)).toEqual([OTHER, OTHER]);
  });
});
