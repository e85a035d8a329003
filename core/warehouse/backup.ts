import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import {
  AUDIT_TABLE,
  CATALOG_TABLE,
  CATALOG_VERSIONS_TABLE,
  PUBLISHED_TABLES,
  RELEASES_TABLE,
  SECRETS_TABLE,
  USERS_TABLE,
} from '../../schema/tables.js';
import { KanonError } from '../errors.js';
import { embeddedBackupPath } from './chdb-embedded.js';
import type { Warehouse } from './warehouse.js';

/**
 * What a backup holds: the published tables and their release manifest, the dashboard users, the
 * shops' catalogues, the audit log and the noise secret (so figures released again after a
 * restore carry the same noise, not a second draw to average). Not staging, and no salt (salts
 * live only in Redis): both are meant to disappear within days (invariants 4 and 8).
 */
export const BACKUP_TABLES: readonly string[] = [
  ...PUBLISHED_TABLES,
  RELEASES_TABLE,
  USERS_TABLE,
  CATALOG_TABLE,
  CATALOG_VERSIONS_TABLE,
  AUDIT_TABLE,
  SECRETS_TABLE,
];

export const MANIFEST_FILE = 'kanon-backup.json';
const DATA_DIR = 'data';

export const BackupManifest = z.object({
  format: z.literal('kanon-backup/1'),
  createdAt: z.string(),
  /** The database the tables came from; a restore may put them into another. */
  database: z.string().regex(/^\w+$/),
  /** Rows per table when the backup was taken; a restore checks it got the same. */
  tables: z.record(z.string().regex(/^\w+$/), z.number().int().nonnegative()),
});
export type BackupManifest = z.infer<typeof BackupManifest>;

/** Where the engine itself may write and read backups, and how to reach the store's files. */
export interface BackupEngine {
  warehouse: Warehouse;
  /** The engine's `backups.allowed_path` (embedded: chdb-embedded.ts `embeddedBackupPath`). */
  enginePath: string;
}

const backupError = (code: string, status: number, message: string) => new KanonError(code, status, message);

/**
 * The embedded engine backs up into a directory inside its store (the only path it may write to);
 * a ClickHouse server writes backups on its own machine, so it is backed up with its own
 * `BACKUP ... TO Disk/S3` (docs/operations.md, Backups).
 */
export function backupEngine(warehouse: Warehouse): BackupEngine {
  if (warehouse.kind !== 'embedded' || !('path' in warehouse) || typeof warehouse.path !== 'string')
    throw backupError(
      'backup_on_server',
      400,
      "with CLICKHOUSE_URL set, back up with the server's own BACKUP ... TO Disk or S3 (docs/operations.md, Backups)",
    );
  return { warehouse, enginePath: embeddedBackupPath(warehouse.path) };
}

/** The path goes into a SQL string literal: an absolute path of plain characters only. */
function checkedDirectory(dir: string, option: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses.
  if (!isAbsolute(dir) || /['\\\0-\x1f]/.test(dir))
    throw backupError(
      'invalid_backup_dir',
      400,
      `${option}: give an absolute directory path without quotes or backslashes`,
    );
  return dir;
}

async function existingTables(warehouse: Warehouse): Promise<string[]> {
  const rows = await warehouse.query({
    name: 'backup_tables',
    sql: 'SELECT name FROM system.tables WHERE database = {database:String} AND name IN {tables:Array(String)}',
    params: { database: warehouse.database, tables: BACKUP_TABLES },
    row: z.object({ name: z.string() }),
  });
  const present = new Set(rows.map((row) => row.name));
  return BACKUP_TABLES.filter((table) => present.has(table));
}

async function rowCounts(warehouse: Warehouse, tables: readonly string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    // Table names come from BACKUP_TABLES, a closed list, never from input.
    const [row] = await warehouse.query({
      name: 'backup_count',
      sql: `SELECT count() AS rows FROM ${table}`,
      row: z.object({ rows: z.coerce.number() }),
    });
    counts[table] = row?.rows ?? 0;
  }
  return counts;
}

/**
 * `npm run backup -- --to DIR`: the engine's own BACKUP of every table in BACKUP_TABLES into its
 * allowed path, then copied to DIR (which must be new or empty) with a manifest of row counts.
 */
export async function backupStore(
  engine: BackupEngine,
  to: string,
  now = Date.now(),
): Promise<BackupManifest> {
  const dir = checkedDirectory(to, '--to');
  if (existsSync(dir) && readdirSync(dir).length > 0)
    throw backupError('backup_exists', 409, `--to: ${dir} is not empty; give a new or empty directory`);
  const { warehouse } = engine;
  const tables = await existingTables(warehouse);
  const staging = join(engine.enginePath, `kanon-${now}-${randomBytes(4).toString('hex')}`);
  try {
    const list = tables.map((table) => `TABLE ${warehouse.database}.${table}`).join(', ');
    await warehouse.exec(`BACKUP ${list} TO File('${checkedDirectory(staging, 'engine path')}/')`);
    const manifest: BackupManifest = {
      format: 'kanon-backup/1',
      createdAt: new Date(now).toISOString(),
      database: warehouse.database,
      tables: await rowCounts(warehouse, tables),
    };
    mkdirSync(dir, { recursive: true });
    cpSync(staging, join(dir, DATA_DIR), { recursive: true });
    writeFileSync(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    return manifest;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

export function readManifest(from: string): BackupManifest {
  const dir = checkedDirectory(from, '--from');
  const file = join(dir, MANIFEST_FILE);
  if (!existsSync(file) || !existsSync(join(dir, DATA_DIR)))
    throw backupError(
      'not_a_backup',
      404,
      `--from: ${dir} holds no Kanon backup (${MANIFEST_FILE} and data/)`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw backupError('not_a_backup', 400, `--from: ${MANIFEST_FILE} is not JSON`);
  }
  const manifest = BackupManifest.safeParse(parsed);
  if (!manifest.success)
    throw backupError('not_a_backup', 400, `--from: ${MANIFEST_FILE} is not a Kanon backup manifest`);
  for (const table of Object.keys(manifest.data.tables)) {
    if (!BACKUP_TABLES.includes(table))
      throw backupError(
        'not_a_backup',
        400,
        `--from: the manifest names ${table}, which Kanon does not back up`,
      );
  }
  return manifest.data;
}

/**
 * `npm run restore -- --from DIR`: replaces the contents of the backed-up tables with the backup's,
 * through the engine's RESTORE, and checks every table has the rows the manifest counted. The
 * tables keep today's definitions (the caller migrates the store first); staging is left alone.
 * The audit log is append-only: it is restored only into an empty log (a new store after a loss);
 * a log with entries keeps them, and is named in `kept`.
 */
export async function restoreStore(
  engine: BackupEngine,
  from: string,
): Promise<{ manifest: BackupManifest; kept: string[] }> {
  const manifest = readManifest(from);
  const { warehouse } = engine;
  const kept: string[] = [];
  if (AUDIT_TABLE in manifest.tables && (await existingTables(warehouse)).includes(AUDIT_TABLE)) {
    if ((await rowCounts(warehouse, [AUDIT_TABLE]))[AUDIT_TABLE]! > 0) kept.push(AUDIT_TABLE);
  }
  const tables = Object.keys(manifest.tables).filter((table) => !kept.includes(table));
  const staging = join(engine.enginePath, `restore-${randomBytes(6).toString('hex')}`);
  try {
    mkdirSync(engine.enginePath, { recursive: true });
    cpSync(join(from, DATA_DIR), staging, { recursive: true });
    const present = new Set(await existingTables(warehouse));
    for (const table of tables) if (present.has(table)) await warehouse.exec(`TRUNCATE TABLE ${table}`);
    const list = tables
      .map((table) => `TABLE ${manifest.database}.${table} AS ${warehouse.database}.${table}`)
      .join(', ');
    await warehouse.exec(`RESTORE ${list} FROM File('${checkedDirectory(staging, 'engine path')}/')`);
    const counts = await rowCounts(warehouse, tables);
    const short = tables.filter((table) => counts[table] !== manifest.tables[table]);
    if (short.length > 0)
      throw backupError(
        'restore_mismatch',
        500,
        `restored tables differ from the backup's row counts: ${short.join(', ')}`,
      );
    return { manifest, kept };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
