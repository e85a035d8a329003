import { z } from 'zod';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import type { TableName } from '../../schema/tables.js';
import { LostPartError, putBackLost } from '../insert-receipts.js';

/**
 * The release's inserts, checked for the engine's crash window (workers/insert-receipts.ts explains
 * it: a token recorded, its part never renamed into place, the retry dropped as a duplicate). A
 * release is retried until its manifest is in, so a lost part of a published table would leave
 * that report's rows missing for good, and a lost manifest would leave the window unreleased.
 *
 * After the inserts, one query counts each insert's rows by a condition that matches only the rows
 * of that insert (its site and period). An insert whose rows are not there goes in again under
 * `<token>:<n>`. The count cannot miss rows that are on their way: the engine decides that an
 * insert is a duplicate and makes the first one's part visible under the same lock.
 */
export interface CheckedInsert {
  table: TableName;
  rows: readonly object[];
  token: string;
  /** A WHERE condition on `table` that holds for this insert's rows and no other (bound params only). */
  landed: string;
}

/** The inserts whose rows the engine does not hold. */
async function missingInserts(
  warehouse: Warehouse,
  inserts: readonly CheckedInsert[],
  params: Record<string, unknown>,
): Promise<CheckedInsert[]> {
  const expected = inserts.filter((insert) => insert.rows.length > 0);
  if (expected.length === 0) return [];
  const counts = await warehouse.query({
    name: 'release_landed',
    // Table names come from the catalogue (a closed set), values only through bound parameters.
    sql: `SELECT ${expected.map((insert, index) => `(SELECT count() FROM ${insert.table} WHERE ${insert.landed}) AS c${index}`).join(', ')}`,
    params,
    row: z.record(z.string(), z.coerce.number()),
  });
  return expected.filter((_, index) => (counts[0]?.[`c${index}`] ?? 0) === 0);
}

/** Runs the inserts in order, then puts back those whose rows are missing; returns how many. */
async function insertAndCheck(
  warehouse: Warehouse,
  inserts: readonly CheckedInsert[],
  params: Record<string, unknown>,
): Promise<number> {
  for (const insert of inserts)
    await warehouse.insert(insert.table, insert.rows, { dedupToken: insert.token });
  return putBackLost({
    findLost: () => missingInserts(warehouse, inserts, params),
    async reinsert(lost, attempt) {
      for (const insert of lost)
        await warehouse.insert(insert.table, insert.rows, { dedupToken: `${insert.token}:${attempt}` });
    },
    giveUp: (lost) =>
      new LostPartError(
        `release ${lost[0]!.token}`,
        lost.map((insert) => insert.table),
      ),
  });
}

/**
 * Writes a release: `inserts` in order, checked, and only once they have all landed the
 * `manifest` that marks the release as done, checked on its own. Returns how many inserts were
 * put back.
 */
export async function insertChecked(
  warehouse: Warehouse,
  inserts: readonly CheckedInsert[],
  manifest: CheckedInsert,
  params: Record<string, unknown>,
): Promise<number> {
  const restored = await insertAndCheck(warehouse, inserts, params);
  return restored + (await insertAndCheck(warehouse, [manifest], params));
}
