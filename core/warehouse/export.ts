import { createHash } from 'node:crypto';
import { z } from 'zod';
import { PUBLISHED_TABLES, type PublishedTable } from '../../schema/tables.js';
import { KanonError } from '../errors.js';
import type { Warehouse } from './warehouse.js';

/**
 * Export of the released tables (pub_*) for a period, for loading into a warehouse or dbt:
 * `npm run export` (bin/export.ts) and GET /api/v1/export share this module. The engine writes
 * every file itself (FORMAT Parquet, CSVWithNames or JSONEachRow), so a Parquet file carries the
 * published columns' own types. Only published tables can be named (invariant 9): the table name
 * is checked against PUBLISHED_TABLES before it reaches any SQL, and the period is bound.
 */
export const EXPORT_FORMATS = ['parquet', 'csv', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What the engine is asked for, per export format. */
export const ENGINE_FORMATS = {
  parquet: 'Parquet',
  csv: 'CSVWithNames',
  jsonl: 'JSONEachRow',
} as const satisfies Record<ExportFormat, string>;
export type EngineExportFormat = (typeof ENGINE_FORMATS)[ExportFormat];

export const EXPORT_EXTENSIONS: Record<ExportFormat, string> = {
  parquet: 'parquet',
  csv: 'csv',
  jsonl: 'jsonl',
};

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  parquet: 'application/vnd.apache.parquet',
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/x-ndjson',
};

/** A longer period than this is refused, so one request cannot read the whole retention at once by mistake. */
export const MAX_EXPORT_DAYS = 366;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export const badExport = (rule: string) => new KanonError('invalid_export', 400, rule);

export interface ExportPeriod {
  /** First UTC day, YYYY-MM-DD. */
  from: string;
  /** Last UTC day, YYYY-MM-DD, included. */
  to: string;
}

function isDay(value: string): boolean {
  if (!DAY.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

/** Checks a period: two real dates, from ≤ to, at most MAX_EXPORT_DAYS days. Messages never quote a value. */
export function parsePeriod(from: unknown, to: unknown): ExportPeriod {
  if (typeof from !== 'string' || !isDay(from)) throw badExport('from: must be a date YYYY-MM-DD');
  if (typeof to !== 'string' || !isDay(to)) throw badExport('to: must be a date YYYY-MM-DD');
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
  if (days < 1) throw badExport('to: must be on or after from');
  if (days > MAX_EXPORT_DAYS) throw badExport(`the period may span at most ${MAX_EXPORT_DAYS} days`);
  return { from, to };
}

export function parseFormat(format: unknown): ExportFormat {
  if (format === undefined) return 'parquet';
  if (typeof format !== 'string' || !(EXPORT_FORMATS as readonly string[]).includes(format))
    throw badExport(`format: must be one of ${EXPORT_FORMATS.join(', ')}`);
  return format as ExportFormat;
}

export function parseTable(table: unknown): PublishedTable {
  if (typeof table !== 'string' || !(PUBLISHED_TABLES as readonly string[]).includes(table))
    throw badExport(
      'table: must be a published table (pub_<report>_by_window or _by_day; see GET /api/v1/catalogue)',
    );
  return table as PublishedTable;
}

/** A comma-separated list of published tables, or every one when empty. */
export function parseTables(list: string | undefined): PublishedTable[] {
  if (list === undefined || list.trim() === '') return [...PUBLISHED_TABLES];
  const names = [
    ...new Set(
      list
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean),
    ),
  ];
  return names.map(parseTable);
}

/** The period's filter on a table's time column: whole UTC days, `to` included. */
function periodSql(table: PublishedTable): string {
  return table.endsWith('_by_day')
    ? 'day >= {from:Date} AND day <= {to:Date}'
    : "window_start >= toDateTime({from:Date}, 'UTC') AND window_start < toDateTime({to:Date}, 'UTC') + INTERVAL 1 DAY";
}

function orderSql(table: PublishedTable): string {
  return table.endsWith('_by_day') ? 'site, day' : 'site, window_start';
}

export interface ExportedTable {
  table: PublishedTable;
  rows: number;
  bytes: Uint8Array;
}

/** One table's released rows for the period, written by the engine in `format`. */
export async function exportTable(
  warehouse: Warehouse,
  table: PublishedTable,
  period: ExportPeriod,
  format: ExportFormat,
): Promise<ExportedTable> {
  parseTable(table);
  const where = periodSql(table);
  const params = { from: period.from, to: period.to };
  const [count] = await warehouse.query({
    name: `export count ${table}`,
    sql: `SELECT count() AS rows FROM ${table} WHERE ${where}`,
    params,
    row: z.object({ rows: z.coerce.number() }),
  });
  const bytes = await warehouse.exportRows(
    {
      name: `export ${table}`,
      sql: `SELECT * FROM ${table} WHERE ${where} ORDER BY ${orderSql(table)}`,
      params,
    },
    ENGINE_FORMATS[format],
  );
  return { table, rows: count?.rows ?? 0, bytes };
}

export interface ManifestEntry {
  table: PublishedTable;
  file: string;
  rows: number;
  bytes: number;
  sha256: string;
}

/** manifest.json beside the files: what a loader checks before it trusts them. */
export interface ExportManifest {
  kanon_export: 1;
  format: ExportFormat;
  period: ExportPeriod;
  created_at: string;
  tables: ManifestEntry[];
}

export function manifestEntry(exported: ExportedTable, format: ExportFormat): ManifestEntry {
  return {
    table: exported.table,
    file: `${exported.table}.${EXPORT_EXTENSIONS[format]}`,
    rows: exported.rows,
    bytes: exported.bytes.byteLength,
    sha256: createHash('sha256').update(exported.bytes).digest('hex'),
  };
}
