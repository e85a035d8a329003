import { z } from 'zod';
import { KanonError } from '../core/errors.js';
import type { Warehouse } from '../core/warehouse/warehouse.js';
import { STAGING_TABLE } from '../schema/tables.js';
import type { StagingRow } from './fold.js';

/**
 * Receipts: proof, inside the staged data itself, that a group's insert landed.
 *
 * The engine drops a second insert with the same deduplication token, and that is what makes a
 * retried group count once (invariant 5). But a MergeTree table without replication records the
 * token in its deduplication log (an append to `deduplication_logs/*.txt`) before it renames the
 * new part into place. A process killed between the two leaves a token without its part: after the
 * restart the retry is dropped as a duplicate of data that does not exist, and its events are lost.
 * With the embedded engine a SIGKILL of the worker is such a kill, and the SIGKILL test in
 * test/invariants/5-exactly-once.test.ts once lost 10 events this way.
 *
 * So every insert carries one receipt row per partition (day) it writes, in that partition: report
 * `_receipt`, d1 = the group id, no measures, no visitors. A partition's rows and its receipt are
 * one part, written or lost together, and no other row has the same sort key, so merges keep it.
 * Where a receipt sits depends on the group id and the day alone (site '', the day's midnight),
 * never on the rows: a retry may hold only some of its group's batches (the others completed), so
 * its rows can start at another site and window than the first insert's did.
 * A group that may have been inserted before (a retry) looks its receipts up after its insert; a
 * day without one was lost, and its rows go in again under a new token (`<token>:<n>`, so a
 * second crash at the same point is found and mended the same way). The release reads only the
 * reports of the catalogue and skips receipts; they expire with staging (its TTL).
 */
export const RECEIPT_REPORT = '_receipt';

/** Re-inserts of lost parts tried in one go before the insert is given back to be retried. */
const MAX_REINSERTS = 5;

const dayOf = (row: { window_start: string }) => row.window_start.slice(0, 10);

/** Receipts sit outside every site, so no window of a shop holds one. */
const RECEIPT_SITE = '';

/** One receipt per day among `rows`, at that day's midnight. */
export function receiptRows(rows: readonly StagingRow[], groupId: string): StagingRow[] {
  const receipts = new Map<string, StagingRow>();
  for (const row of rows) {
    const day = dayOf(row);
    if (receipts.has(day)) continue;
    receipts.set(day, {
      site: RECEIPT_SITE,
      window_start: `${day} 00:00:00`,
      report: RECEIPT_REPORT,
      d1: groupId,
      d2: '',
      d3: '',
      measures: {},
      visitors: '[]',
      staged_at: row.staged_at,
    });
  }
  return [...receipts.values()];
}

const Found = z.object({ day: z.string() });

/** The receipts among `receipts` that the staging table does not hold. */
async function missingReceipts(
  warehouse: Warehouse,
  groupId: string,
  receipts: readonly StagingRow[],
): Promise<StagingRow[]> {
  if (receipts.length === 0) return [];
  const found = await warehouse.query({
    name: 'staging_receipts',
    // Every column of the sort key but the last two is bound, so this reads a granule or two.
    sql: `SELECT DISTINCT formatDateTime(window_start, '%Y-%m-%d') AS day FROM ${STAGING_TABLE}
          WHERE site = {site:String} AND window_start IN {starts:Array(DateTime('UTC'))}
            AND report = {report:String} AND d1 = {group:String}`,
    params: {
      site: RECEIPT_SITE,
      starts: receipts.map((receipt) => receipt.window_start),
      report: RECEIPT_REPORT,
      group: groupId,
    },
    row: Found,
  });
  const days = new Set(found.map((row) => row.day));
  return receipts.filter((receipt) => !days.has(dayOf(receipt)));
}

/** An insert whose rows the engine still dropped as duplicates after several new tokens. */
export class LostPartError extends KanonError {
  constructor(insert: string, parts: string[]) {
    super(
      'insert_part_lost',
      503,
      `${insert}: the engine still drops the rows of ${parts.join(', ')} as duplicates of a part it never wrote; it is retried`,
      true,
    );
  }
}

/**
 * The repair both staging and release use after an insert that a crash may have cut short:
 * `findLost` lists what the engine does not hold, `reinsert` writes it again under
 * `<token>:<attempt>` (a new token each time, since a second crash may have kept the previous
 * one), until nothing is missing; after MAX_REINSERTS attempts `giveUp` gives the error thrown.
 * Returns how many were missing at first.
 */
export async function putBackLost<T>(repair: {
  findLost(): Promise<T[]>;
  reinsert(lost: T[], attempt: number): Promise<void>;
  giveUp(lost: T[]): Error;
}): Promise<number> {
  const first = await repair.findLost();
  let lost = first;
  for (let attempt = 1; lost.length > 0; attempt++) {
    if (attempt > MAX_REINSERTS) throw repair.giveUp(lost);
    await repair.reinsert(lost, attempt);
    lost = await repair.findLost();
  }
  return first.length;
}

/**
 * After a retried group's insert under `token`: puts back the days whose part was lost. Returns how
 * many days it put back (0 when every receipt was there).
 */
export function restoreLostParts(
  warehouse: Warehouse,
  groupId: string,
  token: string,
  rows: readonly StagingRow[],
  receipts: readonly StagingRow[],
): Promise<number> {
  return putBackLost({
    findLost: () => missingReceipts(warehouse, groupId, receipts),
    async reinsert(missing, attempt) {
      const days = new Set(missing.map(dayOf));
      const lost = rows.filter((row) => days.has(dayOf(row)));
      await warehouse.insert(STAGING_TABLE, [...lost, ...missing], { dedupToken: `${token}:${attempt}` });
    },
    giveUp: (missing) => new LostPartError(`staging group ${groupId}`, missing.map(dayOf)),
  });
}
