import { z } from 'zod';
import type { Warehouse } from '../core/warehouse/warehouse.js';
import { localTableName } from './cluster-ddl.js';
import type { SchemaVariables } from './migrate.js';
import { AUDIT_TABLE, PUBLISHED_TABLES, RELEASES_TABLE, STAGING_TABLE } from './tables.js';

/**
 * Invariant 8: TTLs come from the configuration. Tables are created with the TTL of the day they
 * were created; when KANON_STAGING_TTL, KANON_RETENTION or KANON_AUDIT_RETENTION changes, this brings every table's TTL in
 * line at start-up (ALTER TABLE … MODIFY TTL, which also applies it to rows already stored).
 */
const TTL_COLUMN: Record<string, string> = {
  [STAGING_TABLE]: 'staged_at',
  [RELEASES_TABLE]: 'period_start',
};

export function expectedTtls(variables: SchemaVariables): Map<string, string> {
  const ttls = new Map<string, string>();
  ttls.set(STAGING_TABLE, `staged_at + toIntervalSecond(${variables.STAGING_TTL_SECONDS})`);
  ttls.set(RELEASES_TABLE, `period_start + toIntervalSecond(${variables.RETENTION_SECONDS})`);
  for (const table of PUBLISHED_TABLES) {
    const column = TTL_COLUMN[table] ?? (table.endsWith('_by_day') ? 'day' : 'window_start');
    ttls.set(table, `${column} + toIntervalSecond(${variables.RETENTION_SECONDS})`);
  }
  // The audit log keeps its own retention (KANON_AUDIT_RETENTION), not the published tables'.
  ttls.set(AUDIT_TABLE, `toDateTime(at) + toIntervalSecond(${variables.AUDIT_RETENTION_SECONDS})`);
  return ttls;
}

export async function applyRetention(warehouse: Warehouse, variables: SchemaVariables): Promise<string[]> {
  const tables = await warehouse.query({
    name: 'table_ttls',
    sql: 'SELECT name, create_table_query AS ddl FROM system.tables WHERE database = currentDatabase()',
    row: z.object({ name: z.string(), ddl: z.string() }),
  });
  const current = new Map(tables.map((table) => [table.name, table.ddl]));
  const changed: string[] = [];
  for (const [table, ttl] of expectedTtls(variables)) {
    // On a cluster the TTL is the shard-local table's (the Distributed one has none).
    const ddl = current.get(localTableName(table)) ?? current.get(table);
    if (!ddl || ddl.includes(`TTL ${ttl}`)) continue;
    await warehouse.exec(`ALTER TABLE ${table} MODIFY TTL ${ttl}`);
    changed.push(table);
  }
  return changed;
}
