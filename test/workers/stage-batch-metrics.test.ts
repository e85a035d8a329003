import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from '../../core/metrics.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { STAGING_TABLE } from '../../schema/tables.js';
import { createBatchStager } from '../../workers/stage-batch.js';
import { anonymousEvent } from '../fixtures/anonymous-event.js';
import { metricValue, stagedEvents } from '../fixtures/counts.js';
import { openMigratedWarehouse } from '../fixtures/warehouse.js';

/**
 * kanon_workers_insert_seconds times every staging insert, the failed ones too: it is how an
 * operator tells a stalled engine (inserts slow) from a slow queue when the lag rises.
 */
describe('staging insert timings', () => {
  let warehouse: Warehouse;

  beforeAll(async () => {
    warehouse = await openMigratedWarehouse('kanon_stage_metrics');
  });
  afterAll(async () => {
    await warehouse.exec(`ATTACH TABLE ${STAGING_TABLE}`).catch(() => {});
    await warehouse?.close();
  });

  it('observes each insert once, and a refused insert as well', async () => {
    const metrics = new Metrics();
    const stage = createBatchStager({
      warehouse,
      windowSeconds: 60,
      graceSeconds: 0,
      metrics,
      clock: Date.now,
    });
    const now = Date.now();
    const group = (id: string, events: number) => ({
      id,
      retry: false,
      batches: [{ id, events: Array.from({ length: events }, () => anonymousEvent({ ts: now })) }],
    });

    await stage(group('timed-aaaaaaaa', 3));
    await stage(group('timed-bbbbbbbb', 2));
    expect(await stagedEvents(warehouse)).toBe(5);
    expect(await metricValue(metrics, 'kanon_workers_insert_seconds_count')).toBe(2);
    expect(await metricValue(metrics, 'kanon_workers_insert_seconds_sum')).toBeGreaterThan(0);
    expect(await metricValue(metrics, 'kanon_workers_insert_seconds_bucket{le="+Inf"}')).toBe(2);

    // The engine refuses the insert (its table is detached): the group fails, and is timed.
    await warehouse.exec(`DETACH TABLE ${STAGING_TABLE}`);
    await expect(stage(group('timed-cccccccc', 4))).rejects.toMatchObject({ code: 'warehouse_rejected' });
    await warehouse.exec(`ATTACH TABLE ${STAGING_TABLE}`);
    expect(await metricValue(metrics, 'kanon_workers_insert_seconds_count')).toBe(3);
    expect(await metricValue(metrics, 'kanon_workers_events_staged_total')).toBe(5);
    expect(await stagedEvents(warehouse)).toBe(5);
  });
});
