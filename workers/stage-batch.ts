import { z } from 'zod';
import { LruCache } from '../core/lru-cache.js';
import type { Metrics } from '../core/metrics.js';
import type { StagingGroup } from '../core/queue/events-queue.js';
import { toClickHouseDateTime, windowStartOf } from '../core/time.js';
import type { Warehouse } from '../core/warehouse/warehouse.js';
import type { AnonymousEvent } from '../schema/event.js';
import { RELEASES_TABLE, STAGING_TABLE } from '../schema/tables.js';
import { foldBatch } from './fold.js';
import { foldContributions } from './fold-contributions.js';
import { receiptRows, restoreLostParts } from './insert-receipts.js';

export interface StageBatchDeps {
  warehouse: Warehouse;
  windowSeconds: number;
  graceSeconds: number;
  metrics: Metrics;
  clock: () => number;
  /** Campaign attribution (attribute-campaigns.ts); skipped when absent. */
  attribute?: (events: AnonymousEvent[]) => Promise<AnonymousEvent[]>;
  /** Noise mode: stage what each visitor added to each cell too (fold-contributions.ts). */
  contributions?: boolean;
}

const Released = z.object({ site: z.string(), start: z.number() });

/**
 * Stages a group of batches (core/queue/job-groups.ts): folds their events into cells and inserts
 * them at once with the deduplication token `<group id>:cells`, so a retried group (after a crash
 * between insert and acknowledgement, or a warehouse outage) is counted once (invariant 5). Each
 * insert carries receipts, and a retried group checks them: a part the engine lost in a crash
 * while keeping its token is written again (insert-receipts.ts).
 * Events for a window that was already released are late: they are counted in
 * kanon_workers_late_events_total and not staged, because a released window never changes.
 */
export function createBatchStager(deps: StageBatchDeps) {
  const released = new LruCache<string, true>(10_000);
  const staged = deps.metrics.counter('kanon_workers_events_staged_total', 'Events folded into staging');
  const late = deps.metrics.counter(
    'kanon_workers_late_events_total',
    'Events that arrived after their window was released',
  );
  const batches = deps.metrics.counter('kanon_workers_batches_total', 'Batches staged');
  const groups = deps.metrics.counter(
    'kanon_workers_inserts_total',
    'Staging inserts; each stages the group of batches a worker held at once',
  );
  // Lag that grows while this stays flat is the queue's; lag that follows it is the engine's.
  const insertSeconds = deps.metrics.histogram(
    'kanon_workers_insert_seconds',
    'Duration of each staging insert, failed ones included',
    [],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );
  const restored = deps.metrics.counter(
    'kanon_workers_lost_parts_restored_total',
    'Staging parts lost in a crash after the engine had recorded their token, written again on retry',
  );

  async function dropLate(events: readonly AnonymousEvent[]): Promise<AnonymousEvent[]> {
    // Only a window that closed more than its grace period ago can have been released.
    const openAfter = deps.clock() - (deps.windowSeconds + deps.graceSeconds) * 1000;
    const candidates = new Map<string, { site: string; start: number }>();
    for (const event of events) {
      if (event.ts >= openAfter) continue;
      const start = windowStartOf(event.ts, deps.windowSeconds);
      candidates.set(`${event.site}|${start}`, { site: event.site, start });
    }
    if (candidates.size === 0) return [...events];
    const unknown = [...candidates.entries()].filter(([key]) => !released.get(key));
    if (unknown.length > 0) {
      const rows = await deps.warehouse.query({
        name: 'released_windows',
        sql: `SELECT DISTINCT site, toUInt32(toUnixTimestamp(period_start)) AS start FROM ${RELEASES_TABLE}
              WHERE grain = 'window' AND site IN {sites:Array(String)} AND period_start IN {starts:Array(DateTime('UTC'))}`,
        params: {
          sites: [...new Set(unknown.map(([, window]) => window.site))],
          starts: [...new Set(unknown.map(([, window]) => toClickHouseDateTime(window.start)))],
        },
        row: Released,
      });
      for (const row of rows) released.set(`${row.site}|${row.start}`, true);
    }
    const kept = events.filter(
      (event) => !released.get(`${event.site}|${windowStartOf(event.ts, deps.windowSeconds)}`),
    );
    late.inc(events.length - kept.length);
    return kept;
  }

  return async function stageGroup(group: StagingGroup): Promise<void> {
    const onTime = await dropLate(group.batches.flatMap((batch) => batch.events));
    const events = deps.attribute ? await deps.attribute(onTime) : onTime;
    const stagedAt = deps.clock();
    const rows = foldBatch(events, deps.windowSeconds, stagedAt);
    if (deps.contributions) rows.push(...foldContributions(events, deps.windowSeconds, stagedAt));
    const receipts = receiptRows(rows, group.id);
    const token = `${group.id}:cells`;
    const timer = insertSeconds.startTimer();
    try {
      await deps.warehouse.insert(STAGING_TABLE, [...rows, ...receipts], { dedupToken: token });
    } finally {
      timer();
    }
    if (group.retry) {
      const lostDays = await restoreLostParts(deps.warehouse, group.id, token, rows, receipts);
      if (lostDays > 0) restored.inc(lostDays);
    }
    staged.inc(events.length);
    batches.inc(group.batches.length);
    groups.inc();
  };
}
