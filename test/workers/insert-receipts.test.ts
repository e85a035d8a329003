import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Metrics } from '../../core/metrics.js';
import type { StagingGroup } from '../../core/queue/job-groups.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import type { AnonymousBatch } from '../../schema/event.js';
import { RECEIPT_REPORT } from '../../workers/insert-receipts.js';
import { createBatchStager } from '../../workers/stage-batch.js';
import { anonymousEvent } from '../fixtures/anonymous-event.js';
import { metricValue, stagedEvents } from '../fixtures/counts.js';
import { losePartsKeepingTokens } from '../fixtures/lose-parts.js';
import { openMigratedWarehouse } from '../fixtures/warehouse.js';

/**
 * Invariant 5 against the engine's own crash window (workers/insert-receipts.ts): the embedded
 * engine records an insert's deduplication token before it renames the part into place, so a
 * worker killed in between leaves the token without the part. These tests put the engine's files
 * in that state (the part directory removed while the table is detached, the token left in its
 * deduplication log) and check that the retry of the group still counts its events once.
 */
const DAY = 86_400_000;
const today = Date.now() - 5 * 60_000;
const yesterday = today - DAY;

const batch = (id: string, events: number, ts = today): AnonymousBatch => ({
  id,
  events: Array.from({ length: events }, (_, n) => anonymousEvent({ ts, visitor: String(500 + n) })),
});
const group = (batches: AnonymousBatch[], retry: boolean): StagingGroup => ({
  id: batches[0]!.id,
  batches,
  retry,
});

describe('staging receipts: a part lost after its token was recorded', () => {
  let warehouse: Warehouse;
  let metrics: Metrics;
  let stage: (group: StagingGroup) => Promise<void>;

  beforeAll(async () => {
    warehouse = await openMigratedWarehouse('kanon_receipts');
  });
  afterAll(async () => {
    await warehouse?.close();
  });
  beforeEach(async () => {
    await warehouse.exec('TRUNCATE TABLE stg_cells');
    metrics = new Metrics();
    stage = createBatchStager({ warehouse, windowSeconds: 60, graceSeconds: 0, metrics, clock: Date.now });
  });

  const loseParts = (day?: string) => losePartsKeepingTokens(warehouse, 'stg_cells', day);

  const stagedOn = async (day: string) => {
    const rows = await warehouse.query({
      name: 'staged_on',
      sql: `SELECT toUInt64(sumMap(measures)['events']) AS n FROM stg_cells
            WHERE report = 'overview' AND toYYYYMMDD(window_start) = {day:UInt32}`,
      params: { day: Number(day) },
      row: z.object({ n: z.number() }),
    });
    return rows[0]?.n ?? 0;
  };
  const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');

  it('the engine itself drops the retry of a lost part (the crash window this guards)', async () => {
    const first = batch('ghost-aaaaaaaa', 6);
    await stage(group([first], false));
    expect(await stagedEvents(warehouse)).toBe(6);
    expect(await loseParts()).toBe(1);
    expect(await stagedEvents(warehouse)).toBe(0);
    // Without the receipt check (a group not marked as a retry) the events stay lost.
    await stage(group([first], false));
    expect(await stagedEvents(warehouse)).toBe(0);
  });

  it('writes the lost part again when the group is retried, and only once', async () => {
    const first = batch('ghost-bbbbbbbb', 6);
    const second = batch('ghost-bbbbbbbc', 4);
    await stage(group([first, second], false));
    expect(await loseParts()).toBe(1);
    await stage(group([first, second], true));
    expect(await stagedEvents(warehouse)).toBe(10);
    expect(await metricValue(metrics, 'kanon_workers_lost_parts_restored_total')).toBe(1);
    // Retried again (the worker crashed before acknowledging): nothing is added.
    await stage(group([first, second], true));
    expect(await stagedEvents(warehouse)).toBe(10);
    expect(await metricValue(metrics, 'kanon_workers_lost_parts_restored_total')).toBe(1);
  });

  it('does not insert twice when the first insert got through', async () => {
    const first = batch('ghost-cccccccc', 5);
    await stage(group([first], false));
    await stage(group([first], true));
    await stage(group([first], true));
    expect(await stagedEvents(warehouse)).toBe(5);
    expect(await metricValue(metrics, 'kanon_workers_lost_parts_restored_total')).toBe(0);
  });

  it('writes again only the day whose part was lost', async () => {
    const old = batch('ghost-dddddddd', 3, yesterday);
    const recent = batch('ghost-ddddddde', 7, today);
    await stage(group([old, recent], false));
    expect(await stagedOn(dayText(yesterday))).toBe(3);
    expect(await loseParts(dayText(today))).toBe(1);
    expect(await stagedEvents(warehouse)).toBe(3);
    await stage(group([old, recent], true));
    expect(await stagedOn(dayText(yesterday))).toBe(3);
    expect(await stagedOn(dayText(today))).toBe(7);
  });

  it('finds the receipt when the retry holds only some of its batches, from other windows and sites', async () => {
    // A group's jobs are retried one by one; once one of them has completed, a later retry of the
    // group reads back only the members still queued. Its rows then start at another site and
    // window than the first insert's did (the CI failure of stop 15: 62 staged of 60).
    const early = batch('ghost-gggggggg', 4, today - 3 * 60_000);
    const late = {
      id: 'ghost-gggggggh',
      events: Array.from({ length: 3 }, (_, n) =>
        anonymousEvent({ ts: today, site: 'toy-shop', visitor: String(700 + n) }),
      ),
    };
    await stage(group([early, late], false));
    expect(await stagedEvents(warehouse)).toBe(7);
    await stage({ id: early.id, batches: [late], retry: true });
    expect(await stagedEvents(warehouse)).toBe(7);
    expect(await metricValue(metrics, 'kanon_workers_lost_parts_restored_total')).toBe(0);
  });

  it('mends a second loss of the re-written part the same way', async () => {
    const first = batch('ghost-eeeeeeee', 8);
    await stage(group([first], false));
    await loseParts();
    await stage(group([first], true)); // writes it again under `<token>:1`
    expect(await stagedEvents(warehouse)).toBe(8);
    await loseParts(); // and that part is lost too, its token kept
    await stage(group([first], true)); // `:1` is dropped as well, so `:2`
    expect(await stagedEvents(warehouse)).toBe(8);
    expect(await metricValue(metrics, 'kanon_workers_lost_parts_restored_total')).toBe(2);
  });

  it('keeps receipts out of every report: one row per day, no measures, no visitors', async () => {
    await stage(group([batch('ghost-ffffffff', 2, yesterday), batch('ghost-fffffffg', 2, today)], false));
    const receipts = await warehouse.query({
      name: 'receipts',
      sql: `SELECT d1, length(mapKeys(sumMap(measures))) AS measures, length(groupUniqArrayMerge(visitors)) AS visitors
            FROM stg_cells WHERE report = {report:String} GROUP BY d1, toYYYYMMDD(window_start)`,
      params: { report: RECEIPT_REPORT },
      row: z.object({ d1: z.string(), measures: z.number(), visitors: z.number() }),
    });
    expect(receipts).toEqual([
      { d1: 'ghost-ffffffff', measures: 0, visitors: 0 },
      { d1: 'ghost-ffffffff', measures: 0, visitors: 0 },
    ]);
  });
});
