import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PUBLISHED_TABLES } from '../../schema/tables.js';
import {
  afterToday,
  browserHeaders,
  shopperAddress,
  startTestPipeline,
  type TestPipeline,
} from '../fixtures/pipeline.js';

/**
 * Invariant 3, audited through the real collector, queue, workers and release: random traffic
 * from known sets of visitors; afterwards every published row stands for at least K visitors, a
 * marker product seen by fewer than K visitors appears nowhere, and published rows add up to the
 * traffic (no differencing attack recovers a suppressed group).
 */
const K = 3;
const SITES = Array.from({ length: 300 }, (_, i) => `s${i}`);
const origin = (site: string) => `https://${site}.example`;

interface Traffic {
  markerVisitors: number;
  markerRepeats: number;
  fillers: { visitors: number; repeats: number }[];
  fillersAllLarge: boolean;
}

const traffic: fc.Arbitrary<Traffic> = fc.boolean().chain((fillersAllLarge) =>
  fc.record({
    markerVisitors: fc.integer({ min: 1, max: K + 2 }),
    markerRepeats: fc.integer({ min: 1, max: 6 }),
    fillers: fc.array(
      fc.record({
        visitors: fillersAllLarge ? fc.integer({ min: K, max: K + 4 }) : fc.integer({ min: 1, max: K + 4 }),
        repeats: fc.integer({ min: 1, max: 3 }),
      }),
      { minLength: 0, maxLength: 5 },
    ),
    fillersAllLarge: fc.constant(fillersAllLarge),
  }),
);

describe('invariant 3: k-anonymity of everything released', () => {
  let pipeline: TestPipeline;
  let siteIndex = 0;

  beforeAll(async () => {
    pipeline = await startTestPipeline({
      KANON_SITES: SITES.map((site) => `${site}=${origin(site)}`).join(';'),
      KANON_K: String(K),
      KANON_TRUST_PROXY: 'true',
    });
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  async function send(site: string, visitor: number, product: string, repeats: number) {
    const events = Array.from({ length: repeats }, () => ({
      type: 'product_view',
      url: `${origin(site)}/p/${product}`,
      product: { id: product, category: product === 'marker' ? 'rare' : 'common' },
    }));
    const headers = browserHeaders({
      origin: origin(site),
      'x-forwarded-for': shopperAddress(visitor, siteIndex),
    });
    const response = await pipeline.send({ site, events }, headers);
    expect(response.status).toBe(202);
  }

  async function publishedRows(site: string) {
    const rows: { table: string; row: Record<string, unknown> }[] = [];
    for (const table of PUBLISHED_TABLES) {
      const found = await pipeline.warehouse.query({
        name: 'audit',
        sql: `SELECT * FROM ${table} WHERE site = {site:String}`,
        params: { site },
        row: z.record(z.string(), z.unknown()),
      });
      for (const row of found) rows.push({ table, row });
    }
    return rows;
  }

  it('publishes only rows of at least K visitors and never a product seen by fewer', async () => {
    await fc.assert(
      fc.asyncProperty(traffic, async (t) => {
        const site = SITES[siteIndex]!;
        let totalViews = t.markerVisitors * t.markerRepeats;
        for (let v = 1; v <= t.markerVisitors; v += 1) await send(site, v, 'marker', t.markerRepeats);
        for (const [index, filler] of t.fillers.entries()) {
          totalViews += filler.visitors * filler.repeats;
          for (let v = 1; v <= filler.visitors; v += 1)
            await send(site, 100 + v, `filler${index}`, filler.repeats);
        }
        siteIndex += 1;
        await pipeline.drain();
        await pipeline.release(afterToday());

        const rows = await publishedRows(site);
        for (const { table, row } of rows) {
          expect(Number(row.visitors), `${table} ${JSON.stringify(row)}`).toBeGreaterThanOrEqual(K);
        }
        const markerNamed = rows.some(({ row }) => Object.values(row).includes('marker'));
        const allVisitors = t.markerVisitors + Math.max(0, ...t.fillers.map((f) => f.visitors));
        if (t.markerVisitors < K) expect(markerNamed).toBe(false);
        if (t.markerVisitors >= K && t.fillersAllLarge) expect(markerNamed).toBe(true);

        // Differencing: the day's product rows add up to every view sent, or nothing was published.
        const products = rows.filter(({ table }) => table === 'pub_products_by_day');
        const publishedViews = products.reduce((sum, { row }) => sum + Number(row.views), 0);
        if (products.length > 0) expect(publishedViews).toBe(totalViews);
        const overview = rows.find(({ table }) => table === 'pub_overview_by_day');
        if (overview) expect(Number(overview.row.product_views)).toBe(publishedViews);
        if (allVisitors < K) expect(rows).toEqual([]);
      }),
      { numRuns: 30, seed: 42 },
    );
  }, 240_000);
});
