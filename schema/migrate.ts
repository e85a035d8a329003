import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Warehouse } from '../core/warehouse/warehouse.js';
import { MIGRATIONS_TABLE } from './tables.js';

/**
 * Schema migrations, recorded in `kanon_migrations`. Two kinds, as in Flyway:
 * - versioned `NNN_name.sql`: applied once, in order; never edited after release;
 * - repeatable `R_name.sql` (the generated published tables): applied again whenever the file
 *   changes. Its statements are idempotent (`IF NOT EXISTS`).
 * Templates take a closed set of `{{NAME}}` numbers from the validated config; nothing else is
 * substituted into SQL.
 */

export interface SchemaVariables {
  STAGING_TTL_SECONDS: number;
  RETENTION_SECONDS: number;
  /** KANON_AUDIT_RETENTION: how long the access audit log keeps a row (009_app_audit_log.sql). */
  AUDIT_RETENTION_SECONDS: number;
}

type RenderVariables = SchemaVariables & { DATABASE?: string };

export interface Migration {
  id: string;
  kind: 'versioned' | 'repeatable';
  /** `.server.sql` files run only against a ClickHouse server (roles and grants). */
  serverOnly: boolean;
  template: string;
  checksum: string;
}

const SQL_DIR = new URL('./sql/', import.meta.url);

export function loadMigrations(dir: URL = SQL_DIR): Migration[] {
  const files = readdirSync(dir)
    .filter((file) => /^(\d{3}_[a-z0-9_]+|R_[a-z0-9_]+)(\.server)?\.sql$/.test(file))
    .sort((a, b) => (a.startsWith('R_') ? 1 : 0) - (b.startsWith('R_') ? 1 : 0) || a.localeCompare(b));
  return files.map((file) => {
    const template = readFileSync(new URL(file, dir), 'utf8');
    return {
      id: file.replace(/(\.server)?\.sql$/, ''),
      kind: file.startsWith('R_') ? 'repeatable' : 'versioned',
      serverOnly: file.endsWith('.server.sql'),
      template,
      checksum: createHash('sha256').update(template).digest('hex').slice(0, 16),
    };
  });
}

export function renderSql(template: string, variables: RenderVariables): string {
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (_, name: string) => {
    const value = (variables as unknown as Record<string, number | string | undefined>)[name];
    if (typeof value === 'string' && /^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(value)) return value;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new Error(`schema template variable ${name} is not set to a whole number or an identifier`);
    }
    return String(value);
  });
}

/** Splits a file into statements at semicolons that end a line; comments are dropped. */
export function splitStatements(sql: string): string[] {
  const withoutComments = sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n');
  return withoutComments
    .split(/;\s*(?:\n|$)/)
    .map((statement) => statement.trim())
    .filter(Boolean);
}

const Applied = z.object({ id: z.string(), checksum: z.string() });

export interface MigrationResult {
  applied: string[];
  upToDate: string[];
  /** Server-only migrations the ClickHouse user was not allowed to run (roles need access management). */
  notPermitted: string[];
}

export async function migrate(
  warehouse: Warehouse,
  variables: SchemaVariables,
  migrations: Migration[] = loadMigrations(),
): Promise<MigrationResult> {
  await warehouse.exec(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE}
    (id String, checksum String, applied_at DateTime('UTC') DEFAULT now())
    ENGINE = ReplacingMergeTree(applied_at) ORDER BY id`);
  const rows = await warehouse.query({
    name: 'applied_migrations',
    sql: `SELECT id, argMax(checksum, applied_at) AS checksum FROM ${MIGRATIONS_TABLE} GROUP BY id`,
    row: Applied,
  });
  const applied = new Map(rows.map((row) => [row.id, row.checksum]));
  const result: MigrationResult = { applied: [], upToDate: [], notPermitted: [] };
  for (const migration of migrations) {
    if (migration.serverOnly && warehouse.kind !== 'server') continue;
    const previous = applied.get(migration.id);
    if (previous !== undefined && (migration.kind === 'versioned' || previous === migration.checksum)) {
      if (migration.kind === 'versioned' && previous !== migration.checksum) {
        throw new Error(
          `migration ${migration.id} was changed after it was applied; add a new migration instead of editing it`,
        );
      }
      result.upToDate.push(migration.id);
      continue;
    }
    try {
      for (const statement of splitStatements(
        renderSql(migration.template, { ...variables, DATABASE: warehouse.database }),
      )) {
        await warehouse.exec(statement);
      }
    } catch (error) {
      // Creating roles needs access management, which a deployment may keep from Kanon's user;
      // then the role is created by hand (docs/api.md) and start-up goes on. Retried next start.
      const raw = `${(error as Error).message} ${(error as { rawDetail?: string }).rawDetail ?? ''}`;
      if (migration.serverOnly && /ClickHouse code 497\b|ACCESS_DENIED|Not enough privileges/.test(raw)) {
        result.notPermitted.push(migration.id);
        continue;
      }
      throw error;
    }
    await warehouse.insert(MIGRATIONS_TABLE, [{ id: migration.id, checksum: migration.checksum }], {
      dedupToken: `migration:${migration.id}:${migration.checksum}`,
    });
    result.applied.push(migration.id);
  }
  return result;
}
