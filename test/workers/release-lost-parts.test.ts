import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DAY_SECONDS } from '../../core/time.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { PUBLISHED_TABLES, RELEASED_STATES_TABLE, RELEASES_TABLE } from '../../schema/tables.js';
import { releaseWindow } from '../../workers/release/release-window.js';
import { rollUpDay } from '../../workers/release/roll-up-day.js';
import { anonymousEvent } from '../fixtures/anonymous-event.js';
import { losePartsKeepingTokens } from '../fixtures/lose-parts.js';
import { createTestStager } from '../fixtures/stager.js';
import { openMigratedWarehouse } from '../fixtures/warehouse.js';

/**
 * Invariant 5 for the release (workers/release/checked-inserts.ts): a release or day roll-up
 * retried after a crash that left an insert's token without its part publishes that insert's rows
 * anyway, once. The crash state is made with the engine's files (test/fixtures/lose-parts.ts).
 */
const WINDOW = 60; // the test stager's window
const windowStart = Math.floor(Date.now() / 1000 / DAY_SECONDS) * DAY_SECONDS - DAY_SECONDS + 10 * WINDOW;
const dayStart = windowStart - (windowStart % DAY_SECONDS);

/**
 * Rows of every published table and of the manifest, and the visitor sets kept for the day
 * roll-up. Those are compared by what they hold (each key's distinct visitors), not by rows: the
 * sets of level-0 rows are written again by every try, which leaves their union unchanged
 * (release-window.ts, stageLevelZeroStates).
 */
async function tableCounts(warehouse: Warehouse): Promise<Record<string, number>> {
  const tables = [...PUBLISHED_TABLES, RELEASES_TABLE];
  const rows = await warehouse.query({
    name: 'table_counts',
    sql: `SELECT ${tables.map((table) => `(SELECT count() FROM ${table}) AS ${table}`).join(', ')}`,
    row: z.record(z.string(), z.coerce.number()),
  });
  const sets = await warehouse.query({
    name: 'released_sets',
    sql: `SELECT concat(report, '|', toString(level), '|', d1, '|', d2, '|', d3) AS key,
            toUInt64(uniqExactMerge(visitors)) AS visitors
          FROM ${RELEASED_STATES_TABLE} GROUP BY report, level, d1, d2, d3`,
    row: z.object({ key: z.string(), visitors: z.number() }),
  });
  return {
    ...rows[0]!,
    ...Object.fromEntries(sets.map((set) => [`${RELEASED_STATES_TABLE}:${set.key}`, set.visitors])),
  };
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
  const rollUp = () => rollUpDay({ warehouse, site: 'shop', dayStart, k: 2, releasedAt: Date.now() });

  beforeAll(async () => {
    warehouse = await openMigratedWarehouse('kanon_release_lost');
    const events = Array.from({ length: 24 }, (_, n) =>
      anonymousEvent({
        ts: (windowStart + 10 + n) * 1000,
        visitor: String(7000 + (n % 8)),
        path: `/p${n % 2}`,
      }),
    );
    // A page of one visitor: below K, it is folded with the smallest page row into an (other)
    // row, whose visitor set the release builds itself (the level-0 rows' sets the engine writes).
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
    expect(published[RELEASES_TABLE]).toBeGreaterThan(0);
    expect(published[`${RELEASED_STATES_TABLE}:overview|0|||`]).toBe(9);
    expect(published[`${RELEASED_STATES_TABLE}:pages|2|(other)|(other)|`]).toBe(5);

    // A crash in the overview's insert, with every later insert's token also kept without its part.
    expect(await losePartsKeepingTokens(warehouse, 'pub_overview_by_window')).toBe(1);
    await losePartsKeepingTokens(warehouse, RELEASED_STATES_TABLE);
    await losePartsKeepingTokens(warehouse, RELEASES_TABLE);
    expect((await tableCounts(warehouse)).pub_overview_by_window).toBe(0);

    const retried = await release();
    expect(retried.insertsRestored).toBe(3);
    expect(await tableCounts(warehouse)).toEqual(published);

    const again = await release();
    expect(again.insertsRestored).toBe(0);
    expect(await tableCounts(warehouse)).toEqual(published);
  });

  it('rolls a day up again in full when its parts were lost', async () => {
    const first = await rollUp();
    expect(first.rows).toBeGreaterThan(0);
    expect(first.insertsRestored).toBe(0);
    const published = await tableCounts(warehouse);
    expect(published.pub_overview_by_day).toBe(1);

    expect(await losePartsKeepingTokens(warehouse, 'pub_overview_by_day')).toBe(1);
    await losePartsKeepingTokens(warehouse, RELEASES_TABLE); // the window's manifest and the day's
    const window = await release();
    expect(window.insertsRestored).toBe(1);
    const day = await rollUp();
    expect(day.insertsRestored).toBe(2);
    expect(await tableCounts(warehouse)).toEqual(published);
  });
});
