import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type AnalystSql, openAnalystSql } from '../../core/warehouse/analyst-sql.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { ClickHouseAuditLog } from '../../dashboards/audit/audit-log.js';
import { applyRetention } from '../../schema/apply-retention.js';
import { migrate } from '../../schema/migrate.js';
import { openEmbeddedWarehouse, TEST_SCHEMA } from '../fixtures/warehouse.js';

const DAY_MS = 86_400_000;

/** The audit log's store: what it keeps, for how long, and that analysts never read it. */
describe('the audit log store', () => {
  let warehouse: Warehouse;
  let sql: AnalystSql;
  const now = Date.UTC(2026, 11, 7, 9, 0, 0);
  const at = (ms: number) => new ClickHouseAuditLog(warehouse, () => ms);

  beforeAll(async () => {
    warehouse = await openEmbeddedWarehouse('kanon_audit_store');
    await migrate(warehouse, TEST_SCHEMA);
    await at(now - 2 * DAY_MS).record({ actor: 'ann', role: 'admin', action: 'sign_in' });
    await at(now - DAY_MS).record({
      actor: 'bob',
      role: 'analyst',
      action: 'sql_refused',
      outcome: 'refused',
      code: 'query_not_allowed',
      query: 'SELECT * FROM stg_cells',
      durationMs: 12.4,
    });
    await at(now).record({ actor: 'bob', role: 'analyst', action: 'sql_query', query: 'SELECT 1', rows: 1 });
    sql = await openAnalystSql(warehouse, { maxSeconds: 2, maxMemoryBytes: 256 * 1024 * 1024 });
  });
  afterAll(async () => {
    await sql?.close();
    await warehouse?.close();
  });

  it('lists entries newest first, each with when, who, what and how it ended', async () => {
    const { rows, truncated } = await at(now).list({ since: now - 7 * DAY_MS, limit: 10 });
    expect(truncated).toBe(false);
    expect(rows.map((row) => row.action)).toEqual(['sql_query', 'sql_refused', 'sign_in']);
    expect(rows[1]).toMatchObject({
      at: new Date(now - DAY_MS).toISOString(),
      actor: 'bob',
      role: 'analyst',
      outcome: 'refused',
      code: 'query_not_allowed',
      query: 'SELECT * FROM stg_cells',
      rows: 0,
      durationMs: 12,
      target: '',
      detail: '',
    });
    expect(rows[1]!.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('filters by time, user, action and outcome, and says when the limit cut the list', async () => {
    const log = at(now);
    const list = async (filter: Partial<Parameters<typeof log.list>[0]>) =>
      (await log.list({ since: now - 7 * DAY_MS, limit: 10, ...filter })).rows.map((row) => row.action);
    expect(await list({ since: now - DAY_MS - 1 })).toEqual(['sql_query', 'sql_refused']);
    expect(await list({ until: now })).toEqual(['sql_refused', 'sign_in']);
    expect(await list({ actor: 'ann' })).toEqual(['sign_in']);
    expect(await list({ action: 'sql_query' })).toEqual(['sql_query']);
    expect(await list({ outcome: 'refused' })).toEqual(['sql_refused']);
    expect(await log.list({ since: 0, limit: 2 })).toMatchObject({ truncated: true });
  });

  it('refuses an analyst query that names the audit log, with query_not_allowed', async () => {
    await expect(
      sql.run(`SELECT query FROM ${warehouse.database}.app_audit_log`, { maxRows: 10, timeoutSeconds: 2 }),
    ).rejects.toMatchObject({ code: 'query_not_allowed' });
  });

  it('keeps the audit log empty for the analyst connection even if a check were bypassed', async () => {
    const engine = await warehouse.openReadOnlyEngine({ maxSeconds: 2, maxMemoryBytes: 256 * 1024 * 1024 });
    try {
      expect((await engine.readOnly('SELECT count() FROM app_audit_log', 'TSVRaw', 2)).trim()).toBe('0');
    } finally {
      await engine.close();
    }
  });

  it('removes entries once they are older than KANON_AUDIT_RETENTION, and keeps the newer ones', async () => {
    // Dated from the real clock: the engine's TTL compares with its own now().
    const real = Date.now();
    await at(real - 20 * DAY_MS).record({ actor: 'older', role: 'admin', action: 'sign_in' });
    await at(real - 5 * DAY_MS).record({ actor: 'newer', role: 'admin', action: 'sign_in' });
    const actors = async () =>
      (
        await warehouse.query({
          name: 'actors',
          sql: "SELECT actor FROM app_audit_log WHERE actor IN ('older', 'newer') ORDER BY actor",
          row: z.object({ actor: z.string() }),
        })
      ).map((row) => row.actor);
    expect(await actors()).toEqual(['newer', 'older']);
    // The deployment shortens KANON_AUDIT_RETENTION to 10 days: the next start-up applies it.
    const changed = await applyRetention(warehouse, { ...TEST_SCHEMA, AUDIT_RETENTION_SECONDS: 10 * 86_400 });
    expect(changed).toEqual(['app_audit_log']);
    await warehouse.exec('OPTIMIZE TABLE app_audit_log FINAL');
    expect(await actors()).toEqual(['newer']);
  });
});
