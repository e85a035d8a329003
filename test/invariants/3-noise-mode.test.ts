import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DAY_SECONDS } from '../../core/time.js';
import { REPORT_LIST, type ReportName } from '../../schema/reports.js';
import { PUBLISHED_TABLES, publishedTable, RELEASES_TABLE } from '../../schema/tables.js';
import type { StagedCell } from '../../workers/release/generalise.js';
import { readBoundedCells } from '../../workers/release/noise/bounded-cells.js';
import { linkedReportViolations, type PublishedScope } from '../fixtures/linked-release-check.js';
import {
  afterToday,
  browserHeaders,
  SHOP_ORIGIN,
  shopperAddress,
  startTestPipeline,
  type TestPipeline,
} from '../fixtures/pipeline.js';

/**
 * Noise mode (KANON_EPSILON), through the real collector, queue, workers and day release: a
 * visitor's contribution is bounded (one with thousands of events moves no cell by more than the
 * clamp, and counts in at most KANON_NOISE_ROWS cells of a report), the day's noisy reports still
 * add up to its overview, windows publish nothing, the manifest states ε and each figure's noise
 * scale, and the fake-visitor attack is never released (the thresholds apply on top of the noise).
 */
const K = 5;
const ROWS = 3;
const CLAMP = 2;
const Row = z.record(z.string(), z.unknown());

describe('noise mode', () => {
  let pipeline: TestPipeline;
  const today = Math.floor(Date.now() / 1000 / DAY_SECONDS) * DAY_SECONDS;

  async function send(site: string, address: string, userAgent: string, events: object[]) {
    const origin = site === 'shop' ? SHOP_ORIGIN : 'https://other.example';
    for (let from = 0; from < events.length; from += 50) {
      const response = await pipeline.send(
        { site, events: events.slice(from, from + 50) },
        browserHeaders({ origin, 'x-forwarded-for': address, 'user-agent': userAgent }),
      );
      expect(response.status).toBe(202);
    }
  }
  const shopper = (site: string, _shopperNumber: number, product: string, views = 2) => {
    const origin = site === 'shop' ? SHOP_ORIGIN : 'https://other.example';
    return [
      { type: 'pageview', url: `${origin}/p/${product}` },
      ...Array.from({ length: views }, () => ({
        type: 'product_view',
        url: `${origin}/p/${product}`,
        product: { id: product, category: 'tea' },
      })),
    ];
  };
  const ua = (n: number) =>
    `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/13${n % 10}.0.0.0 Safari/537.36`;

  beforeAll(async () => {
    pipeline = await startTestPipeline({
      KANON_K: String(K),
      KANON_TRUST_PROXY: '1',
      KANON_EPSILON: '2',
      KANON_NOISE_ROWS: String(ROWS),
      KANON_NOISE_CLAMP: String(CLAMP),
    });
    // Two sites with the same twelve shoppers; "other" also has one visitor with 2,000 events.
    for (const site of ['shop', 'other']) {
      for (let n = 0; n < 12; n += 1)
        await send(site, shopperAddress(n, site === 'shop' ? 1 : 2), ua(n), shopper(site, n, `p${n % 3}`));
    }
    const heavy = Array.from({ length: 40 }, (_, n) => shopper('other', 99, `p${n % 8}`, 49)).flat();
    await send('other', shopperAddress(99, 2), ua(1), heavy);
    // The attack of issue 27: one address, K user agents, one rare term.
    for (let n = 0; n < K; n += 1)
      await send('shop', '198.51.100.7', ua(n), [
        { type: 'search', url: `${SHOP_ORIGIN}/search?q=attack+term`, query: 'attack term', results: 1 },
      ]);
    await pipeline.drain();
    await pipeline.release(afterToday());
  }, 180_000);
  afterAll(async () => {
    await pipeline?.close();
  });

  const bounded = async (site: string) =>
    readBoundedCells(
      pipeline.warehouse,
      { site, from: today, to: today + DAY_SECONDS },
      { epsilon: 2, rows: ROWS, clamp: CLAMP, moneyCents: 20_000 },
    );

  it('lets a visitor with 2,000 events move each cell by the clamp at most, in at most its rows', async () => {
    const plain = await bounded('shop');
    const heavy = await bounded('other');
    expect(plain.get('products')?.length).toBeGreaterThan(0);
    expect(heavy.get('overview')?.[0]?.visitorCount).toBe(13);
    const key = (cell: StagedCell) => JSON.stringify(cell.dims);
    for (const spec of REPORT_LIST) {
      const before = new Map((plain.get(spec.name) ?? []).map((cell) => [key(cell), cell]));
      let cellsMoved = 0;
      for (const cell of heavy.get(spec.name) ?? []) {
        const was = before.get(key(cell));
        const moved = spec.measures.some(
          (m) => (cell.measures[m.name] ?? 0) !== (was?.measures[m.name] ?? 0),
        );
        if (moved || cell.visitorCount !== was?.visitorCount) cellsMoved += 1;
        for (const measure of spec.measures) {
          const difference = (cell.measures[measure.name] ?? 0) - (was?.measures[measure.name] ?? 0);
          expect(difference, `${spec.name} ${key(cell)} ${measure.name}`).toBeLessThanOrEqual(CLAMP);
        }
      }
      expect(cellsMoved, spec.name).toBeLessThanOrEqual(spec.name === 'overview' ? 1 : ROWS);
    }
  });

  it('publishes days whose noisy reports add up to their overview, and no window', async () => {
    const day: PublishedScope = new Map();
    for (const spec of REPORT_LIST) {
      const rows = await pipeline.warehouse.query({
        name: 'noisy_rows',
        sql: `SELECT * FROM ${publishedTable(spec.name, 'day')} WHERE site = 'shop'`,
        row: Row,
      });
      day.set(
        spec.name as ReportName,
        rows.map((row) => ({
          dims: spec.dims.map((dim) => String(row[dim.name])),
          level: Number(row.level),
          measures: Object.fromEntries(spec.measures.map((m) => [m.name, Number(row[m.name])])),
          visitors: Number(row.visitors),
        })),
      );
    }
    expect(day.get('overview')).toHaveLength(1);
    expect(linkedReportViolations(day, K)).toEqual([]);
    const windows = await pipeline.warehouse.query({
      name: 'noisy_windows',
      sql: `SELECT count() AS n FROM ${publishedTable('overview', 'window')}`,
      row: z.object({ n: z.coerce.number() }),
    });
    expect(windows[0]!.n).toBe(0);
  });

  it('states in the manifest the ε each report spent and each figure’s noise scale', async () => {
    const manifest = await pipeline.warehouse.query({
      name: 'noisy_manifest',
      sql: `SELECT report, epsilon, noise FROM ${RELEASES_TABLE} FINAL WHERE site = 'shop' AND grain = 'day'`,
      row: z.object({ report: z.string(), epsilon: z.number(), noise: z.record(z.string(), z.number()) }),
    });
    expect(manifest).toHaveLength(REPORT_LIST.length);
    const spent = manifest.reduce((sum, row) => sum + row.epsilon, 0);
    expect(spent).toBeCloseTo(2);
    for (const row of manifest) expect(row.noise.visitors).toBeGreaterThan(0);
  });

  it('never releases the term one address searched under K user agents', async () => {
    const rows: unknown[] = [];
    for (const table of PUBLISHED_TABLES)
      rows.push(
        ...(await pipeline.warehouse.query({ name: 'all', sql: `SELECT * FROM ${table}`, row: Row })),
      );
    expect(JSON.stringify(rows)).not.toContain('attack term');
  });
});
