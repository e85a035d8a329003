import type { z } from 'zod';
import type { TableName } from '../../schema/tables.js';
import { KanonError, withHiddenDetail } from '../errors.js';
import type { ReadOnlyEngine } from './analyst-sql.js';
import type { EngineExportFormat } from './export.js';

export interface QuerySpec<T> {
  /** Names the query in logs and metrics; the SQL text itself is never logged. */
  name: string;
  /** SQL with `{name:Type}` placeholders only; values are never spliced into the text. */
  sql: string;
  params?: Record<string, unknown>;
  row: z.ZodType<T>;
}

export interface InsertOptions {
  /** Deterministic per job and table, so a retried insert is dropped by the engine (invariant 5). */
  dedupToken: string;
}

/**
 * The only way stages touch ClickHouse. Two adapters implement it, `ChdbWarehouse` (embedded,
 * the default) and `ClickHouseServerWarehouse`, and both pass test/warehouse/conformance.test.ts.
 * Deliberately absent: sessions, streaming, engine settings per call, and table names as strings.
 */
export interface Warehouse {
  readonly kind: 'embedded' | 'server';
  readonly database: string;
  /** Runs DDL or another statement that returns nothing; values only through `params`. */
  exec(sql: string, params?: Record<string, unknown>): Promise<void>;
  /** Inserts rows as JSONEachRow, deduplicated by `dedupToken`. */
  insert(table: TableName, rows: readonly object[], options: InsertOptions): Promise<void>;
  /** Runs a bound query and validates every row. */
  query<T>(spec: QuerySpec<T>): Promise<T[]>;
  /**
   * Runs a bound query and returns its output as the engine writes it in `format` (the export of
   * released tables, core/warehouse/export.ts: Parquet is written by the engine, not by Kanon).
   */
  exportRows(spec: Omit<QuerySpec<unknown>, 'row'>, format: EngineExportFormat): Promise<Uint8Array>;
  /** Resolves when the engine answers. */
  ping(): Promise<void>;
  /** A connection the engine holds read-only, for analysts' SQL (see analyst-sql.ts). */
  openReadOnlyEngine(options: { maxSeconds: number; maxMemoryBytes: number }): Promise<ReadOnlyEngine>;
  close(): Promise<void>;
}

/**
 * Settings every insert carries, on both engines. `async_insert` is off because deduplication
 * tokens and the durability of an acknowledged job need a synchronous insert; `array` lets a
 * visitor-set state be sent as the list of tokens it aggregates.
 */
export const INSERT_SETTINGS = {
  async_insert: 0,
  insert_deduplicate: 1,
  aggregate_function_input_format: 'array',
  input_format_skip_unknown_fields: 0,
} as const;

export class WarehouseError extends KanonError {
  constructor(
    code: 'warehouse_unavailable' | 'warehouse_rejected' | 'warehouse_bad_row',
    message: string,
    options?: ErrorOptions,
  ) {
    super(
      code,
      code === 'warehouse_unavailable' ? 503 : 500,
      message,
      code === 'warehouse_unavailable',
      options,
    );
    this.name = 'WarehouseError';
  }
}

/**
 * Wraps an engine error. Its text can quote part of a row, so it is kept non-enumerable
 * (`rawDetail`) and the message names only the operation and the engine's error code.
 */
export function toWarehouseError(operation: string, error: unknown, unavailable: boolean): WarehouseError {
  const raw = error instanceof Error ? error.message : String(error);
  const code = engineErrorCode(error);
  const wrapped = new WarehouseError(
    unavailable ? 'warehouse_unavailable' : 'warehouse_rejected',
    `${operation} failed${code ? ` (ClickHouse code ${code})` : ''}${unavailable ? ': the warehouse is unreachable' : ''}`,
  );
  return withHiddenDetail(wrapped, raw);
}

/**
 * The engine's numeric error code: chDB puts "Code: N." in the text, clickhouse-js parses the
 * server's text and sets `code` (and `type`, e.g. UNKNOWN_IDENTIFIER) on the error.
 */
export function engineErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^\d+$/.test(code)) return code;
  const raw = error instanceof Error ? error.message : String(error);
  return /Code: (\d+)/.exec(raw)?.[1];
}

/** The engine's error name (UNKNOWN_IDENTIFIER, TIMEOUT_EXCEEDED, …), when known. */
export function engineErrorName(error: unknown): string | undefined {
  const type = (error as { type?: unknown }).type;
  if (typeof type === 'string' && /^[A-Z_]+$/.test(type)) return type;
  const raw = error instanceof Error ? error.message : String(error);
  return /\(([A-Z_]{3,})\)\s*(?:\(version [^)]*\))?\.?\s*$/.exec(raw)?.[1];
}

/** Parses JSONEachRow text into validated rows. */
export function parseRows<T>(name: string, text: string, row: z.ZodType<T>): T[] {
  const rows: T[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    const parsed = row.safeParse(JSON.parse(line));
    if (!parsed.success) {
      throw new WarehouseError('warehouse_bad_row', `query ${name}: a row does not match its schema`, {
        cause: parsed.error,
      });
    }
    rows.push(parsed.data);
  }
  return rows;
}

export function toJsonEachRow(rows: readonly object[]): string {
  let out = '';
  for (const row of rows) out += `${JSON.stringify(row)}\n`;
  return out;
}
