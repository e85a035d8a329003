import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DAY_SECONDS } from '../../core/time.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { PUBLISHED_TABLES, RELEASES_TABLE } from '../../schema/tables.js';
import { releaseDay } from '../../workers/release/release-day.js';
import { releaseWindow } from '../../workers/release/release-window.js';
import { anonymousEvent } from '../fixtures/anonymous-event.js';
import { losePartsKeepingTokens } from '../fixtures/lose-parts.js';
import { createTestStager } from '../fixtures/stager.js';
import { openMigratedWarehouse } from '../fixtures/warehouse.js';

/**
 * Invariant 5 for the release (workers/release/checked-inserts.ts): a window's or a day's release
 * retried after a crash that left an insert's token without its part publishes that insert's rows
 * anyway, once. The crash state is made with the engine's files (test/fixtures/lose-parts.ts).
 */
const WINDOW = 60; // the test stager's window
const windowStart = Math.floor(Date.now() / 1000 / DAY_SECONDS) * DAY_SECONDS - DAY_SECONDS + 10 * WINDOW;
const dayStart = windowStart - (windowStart % DAY_SECONDS);

/** Rows of every published table and of the manifest. */
async function tableCounts(warehouse: Warehouse): Promise<Record<string, number>> {
  const tables = [...PUBLISHED_TABLES, RELEASES_TABLE];
  const rows = await warehouse.query({
    name: 'table_counts',
    sql: `SELECT ${tables.map((table) => `(SELECT count() FROM ${table}) AS ${table}`).join(', ')}`,
    row: z.object({}).catchall(z.coerce.number()),
  });
  return rows[0]!;
}

describe('release: inserts whose part was lost after their token was recorded', () => {
  let warehouse: Warehouse;
  const release = () =>
    releaseWindow({
      warehouse,
      site: 'shop',
      windowStart,
      windowSeconds: WINDOW,
      k: 2,
      releasedAt: Date.now(),
    });
  const rollUp = () => releaseDay({ warehouse, site: 'shop', dayStart, k: 2, releasedAt: Date.now() });

  beforeAll(async () => {
    warehouse = await openMigratedWarehouse('kanon_release_lost');
    const events = Array.from({ length: 24 }, (_, n) =>
      anonymousEvent({
        ts: (windowStart + 10 + n) * 1000,
        visitor: String(7000 + (n % 8)),
        path: `/p${n % 2}`,
      }),
    );
    // A page of one visitor: below K, it is folded with the smallest page row into an (other) row.
    events.push(anonymousEvent({ ts: (windowStart + 40) * 1000, visitor: '7999', path: '/p2' }));
    await createTestStager(warehouse)({
      id: 'release-lost-1',
      batches: [{ id: 'release-lost-1', events }],
      retry: false,
    });
  });
  afterAll(async () => {
    await warehouse?.close();
  });

  it('publishes a window again in full when its parts were lost, and then leaves it alone', async () => {
    const first = await release();
    expect(first.rows).toBeGreaterThan(0);
    expect(first.insertsRestored).toBe(0);
    const published = await tableCounts(warehouse);
    expect(published.pub_overview_by_window).toBe(1);
    expect(published[RELEASES_TABLE]).toBe(1);

    // A crash in the overview's insert, with the manifest's token also kept without its part.
    expect(await losePartsKeepingTokens(warehouse, 'pub_overview_by_window')).toBe(1);
    await losePartsKeepingTokens(warehouse, RELEASES_TABLE);
    expect((await tableCounts(warehouse)).pub_overview_by_window).toBe(0);

    const retried = await release();
    expect(retried.insertsRestored).toBe(2);
    expect(await tableCounts(warehouse)).toEqual(published);

    const again = await release();
    expect(again.insertsRestored).toBe(0);
    expect(await tableCounts(warehouse)).toEqual(published);
  });

  it('releases a day again in full when its parts were lost', async () => {
    const first = await rollUp();
    expect(first.rows).toBeGreaterThan(0);
    expect(first.insertsRestored).toBe(0);
    const published = await tableCounts(warehouse);
    expect(published.pub_overview_by_day).toBe(1);
    expect(published.pub_pages_by_day).toBe(2);

    expect(await losePartsKeepingTokens(warehouse, 'pub_overview_by_day')).toBe(1);
    await losePartsKeepingTokens(warehouse, RELEASES_TABLE); // the window's manifest and the day's
    const window = await release();
    expect(window.insertsRestored).toBe(1);
    const day = await rollUp();
    expect(day.insertsRestored).toBe(2);
    expect(await tableCounts(warehouse)).toEqual(published);
  });
});
