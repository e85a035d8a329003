import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { TableName } from '../../schema/tables.js';
import { deniedTables, type ReadOnlyEngine } from './analyst-sql.js';
import { embeddedStorePath } from './embedded-lock.js';
import {
  INSERT_SETTINGS,
  type InsertOptions,
  parseRows,
  type QuerySpec,
  toJsonEachRow,
  toWarehouseError,
  type Warehouse,
} from './warehouse.js';

type ChdbModule = typeof import('chdb');
type ChdbSession = InstanceType<ChdbModule['Session']>;

/**
 * Engine arguments fixed at connect. Query logging is off: ClickHouse's query log would keep bound
 * filter values and inserted data on disk (invariant 1).
 */
const CONNECTION_ARGS = [
  '--log_queries=0',
  '--async_insert=0',
  '--output_format_json_quote_64bit_integers=0',
];

/**
 * Added to every embedded insert. A batch insert is a few hundred rows (tens of kB): splitting its
 * parse across threads (parallel parsing) and pipelines (max_threads) costs more in thread hand-offs
 * than it saves, and on a small machine it competes with the worker's own thread. Measured here on
 * stg_cells, 500-event batches (~240 rows): 7.1 ms of CPU per insert with the defaults, 4.0 ms
 * with these. Neither setting changes what is written.
 */
const EMBEDDED_INSERT_SETTINGS = { input_format_parallel_parsing: 0, max_threads: 1 } as const;

/**
 * Where the engine's own BACKUP and RESTORE may write and read (the File engine, which needs
 * `backups.allowed_path`): a directory inside the store and nowhere else. `npm run backup` copies a
 * backup out of it to the directory the operator names (core/warehouse/backup.ts).
 */
export const embeddedBackupPath = (storePath: string) => join(storePath, 'backups');

const sessions = new Map<string, { session: ChdbSession; refs: number; database: string }>();

/** Stages of one process share the session of a data directory; the last close releases it. */
async function acquireSession(path: string, database: string): Promise<ChdbSession> {
  const open = sessions.get(path);
  if (open) {
    // `USE` is per session, so stages sharing one must agree on the database.
    if (open.database !== database) {
      throw new Error(`the embedded engine at ${path} already serves database ${open.database}`);
    }
    open.refs += 1;
    return open.session;
  }
  const chdb: ChdbModule = await import('chdb');
  try {
    const session = new chdb.Session(path, {
      // After `--`: server configuration, which a query cannot set.
      connectionArgs: [...CONNECTION_ARGS, '--', `--backups.allowed_path=${embeddedBackupPath(path)}/`],
    });
    sessions.set(path, { session, refs: 1, database });
    return session;
  } catch (error) {
    throw toWarehouseError(`opening the embedded engine at ${path}`, error, true);
  }
}

function releaseSession(path: string): void {
  const open = sessions.get(path);
  if (!open) return;
  open.refs -= 1;
  if (open.refs > 0) return;
  sessions.delete(path);
  open.session.close();
}

/**
 * The embedded ClickHouse engine (chDB), the default store. chDB lets one process hold one data
 * directory, so the process keeps one session and every stage shares it; `npm start` runs all
 * stages in that one process. The module is imported lazily: loading the engine costs ~210 MB,
 * which a collector talking to a ClickHouse server must not pay.
 */
export class ChdbWarehouse implements Warehouse {
  readonly kind = 'embedded';

  private constructor(
    private readonly session: ChdbSession,
    readonly database: string,
    readonly path: string,
  ) {}

  static async open(options: { dataDir: string; database: string }): Promise<ChdbWarehouse> {
    const path = embeddedStorePath(options.dataDir);
    mkdirSync(path, { recursive: true });
    const session = await acquireSession(path, options.database);
    const warehouse = new ChdbWarehouse(session, options.database, path);
    await warehouse.exec(`CREATE DATABASE IF NOT EXISTS ${options.database}`);
    await warehouse.exec(`USE ${options.database}`);
    return warehouse;
  }

  async exec(sql: string, params?: Record<string, unknown>): Promise<void> {
    try {
      if (params) await this.session.queryBindAsync(sql, params);
      else await this.session.queryAsync(sql);
    } catch (error) {
      throw toWarehouseError('statement', error, false);
    }
  }

  async insert(table: TableName, rows: readonly object[], options: InsertOptions): Promise<void> {
    if (rows.length === 0) return;
    try {
      await this.session.insert({
        table: `${this.database}.${table}`,
        values: Buffer.from(toJsonEachRow(rows)),
        format: 'JSONEachRow',
        settings: {
          ...INSERT_SETTINGS,
          ...EMBEDDED_INSERT_SETTINGS,
          insert_deduplication_token: options.dedupToken,
        },
      });
    } catch (error) {
      throw toWarehouseError(`insert into ${table}`, error, false);
    }
  }

  async query<T>(spec: QuerySpec<T>): Promise<T[]> {
    let text: string;
    try {
      const result = spec.params
        ? await this.session.queryBindAsync(spec.sql, spec.params, { format: 'JSONEachRow' })
        : await this.session.queryAsync(spec.sql, { format: 'JSONEachRow' });
      text = result.text();
    } catch (error) {
      throw toWarehouseError(`query ${spec.name}`, error, false);
    }
    return parseRows(spec.name, text, spec.row);
  }

  async exportRows(
    spec: Omit<QuerySpec<unknown>, 'row'>,
    format: Parameters<Warehouse['exportRows']>[1],
  ): Promise<Uint8Array> {
    try {
      const result = await this.session.queryBindAsync(spec.sql, spec.params ?? {}, { format });
      return result.bytes();
    } catch (error) {
      throw toWarehouseError(`query ${spec.name}`, error, false);
    }
  }

  async ping(): Promise<void> {
    await this.query({ name: 'ping', sql: 'SELECT 1 AS ok', row: z.object({ ok: z.number() }) });
  }

  /**
   * A second connection to the same data directory, held by the engine in read-only mode for
   * analysts' SQL (core/warehouse/analyst-sql.ts). Settings given at connect cannot be changed back
   * by a query, because a read-only connection refuses to change settings.
   */
  async openReadOnlyEngine(options: { maxSeconds: number; maxMemoryBytes: number }): Promise<ReadOnlyEngine> {
    const chdb: ChdbModule = await import('chdb');
    const filters = Object.entries(deniedTables(this.database))
      .map(([table, filter]) => `'${table}':'${filter}'`)
      .join(',');
    const session = new chdb.Session(this.path, {
      connectionArgs: [
        '--readonly=1',
        '--log_queries=0',
        `--max_execution_time=${Math.ceil(options.maxSeconds)}`,
        `--max_memory_usage=${Math.floor(options.maxMemoryBytes)}`,
        `--additional_table_filters={${filters}}`,
      ],
    });
    await session.queryAsync(`USE ${this.database}`);
    return {
      database: this.database,
      readOnly: async (sql, format, timeoutSeconds) => {
        try {
          return (await session.queryAsync(sql, { format, timeout: (timeoutSeconds + 1) * 1000 })).text();
        } catch (error) {
          // chDB 3.4 hands what a failed query had already written (a timed-out query's JSON
          // header) to the session's next query, in front of its own output; a throwaway query
          // takes it, so the analyst guard never reads a tree with a stranger's text on top.
          await session.queryAsync('SELECT 1').catch(() => undefined);
          throw error;
        }
      },
      close: async () => session.close(),
    };
  }

  async close(): Promise<void> {
    releaseSession(this.path);
  }
}
