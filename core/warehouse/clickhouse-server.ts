import { rootCertificates } from 'node:tls';
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { z } from 'zod';
import {
  CLUSTER_SETTINGS,
  inlineQueryParameters,
  localTableName,
  toClusterStatements,
} from '../../schema/cluster-ddl.js';
import type { TableName } from '../../schema/tables.js';
import type { TlsFiles } from '../tls-files.js';
import { UNPUBLISHED_TABLES } from './analyst-guard.js';
import { deniedTables, type ReadOnlyEngine } from './analyst-sql.js';
import {
  INSERT_SETTINGS,
  type InsertOptions,
  parseRows,
  type QuerySpec,
  toWarehouseError,
  type Warehouse,
} from './warehouse.js';

export interface ServerWarehouseOptions {
  url: string;
  user: string;
  password: string;
  database: string;
  /** KANON_CLICKHOUSE_TLS_*, for an https:// URL. */
  tls?: TlsFiles;
  /** Per-request timeout; a hung server turns into a retryable error instead of a stuck job. */
  requestTimeoutMs?: number;
  /**
   * KANON_CLICKHOUSE_CLUSTER: every statement runs ON CLUSTER, tables are Replicated and sharded by
   * site behind Distributed ones (schema/cluster-ddl.ts), and every request carries CLUSTER_SETTINGS.
   */
  cluster?: string;
  /**
   * Tests only: a clickhouse-js Connection to use instead of HTTP (chdb/connection), so this
   * adapter's own code runs against the real engine where no server can be started.
   */
  connection?: () => unknown;
}

/**
 * The client's `tls` option. It takes a CA always, so a client certificate for a server whose
 * certificate a public CA signed (ClickHouse Cloud) comes with the system's CAs, as Node would
 * use them without the option.
 */
function clientTls(tls: TlsFiles | undefined) {
  if (!tls) return {};
  const ca_cert = tls.ca ?? Buffer.from(rootCertificates.join('\n'));
  return { tls: tls.cert && tls.key ? { ca_cert, cert: tls.cert, key: tls.key } : { ca_cert } };
}

/** Errors that mean "the server could not be reached", as opposed to "the server said no". */
function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : '';
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(
      String(code),
    ) || /timeout|socket hang up|ECONNREFUSED/i.test(message)
  );
}

/**
 * A ClickHouse server through @clickhouse/client, chosen when CLICKHOUSE_URL is set. The client is
 * the only importer of @clickhouse/client. Query text logging stays off (the client's default),
 * so bound values and credentials never reach a log.
 */
export class ClickHouseServerWarehouse implements Warehouse {
  readonly kind = 'server';

  private constructor(
    private readonly client: ClickHouseClient,
    readonly database: string,
    private readonly ownsConnection = true,
    readonly cluster?: string,
  ) {}

  static async open(options: ServerWarehouseOptions): Promise<ClickHouseServerWarehouse> {
    const common = {
      url: options.url,
      username: options.user,
      password: options.password,
      request_timeout: options.requestTimeoutMs ?? 30_000,
      clickhouse_settings: {
        output_format_json_quote_64bit_integers: 0 as const,
        ...(options.cluster ? CLUSTER_SETTINGS : {}),
      },
      ...clientTls(options.tls),
      // Every failure reaches Kanon as a typed WarehouseError, logged there as structured JSON;
      // the client's own lines are plain text on stderr, and printed even for a refusal Kanon
      // expects and handles (the analyst role's migration on a user without access management).
      log: { level: ClickHouseLogLevel.OFF },
    };
    // Tests only: an injected Connection is shared and stays open (closing a client would close it).
    const connection = options.connection?.();
    const withConnection = <T extends object>(config: T) =>
      connection ? { ...config, connection: connection as never } : config;
    const bootstrap = createClient(withConnection(common));
    try {
      const create = `CREATE DATABASE IF NOT EXISTS ${options.database}`;
      for (const query of options.cluster
        ? toClusterStatements(create, { cluster: options.cluster, database: options.database })
        : [create]) {
        await bootstrap.command({ query });
      }
    } catch (error) {
      throw toWarehouseError('creating the database', error, isUnavailable(error));
    } finally {
      if (!connection) await bootstrap.close();
    }
    return new ClickHouseServerWarehouse(
      createClient(withConnection({ ...common, database: options.database })),
      options.database,
      connection === undefined,
      options.cluster,
    );
  }

  async exec(sql: string, params?: Record<string, unknown>): Promise<void> {
    // Cluster mode: the one statement written for a single server becomes its cluster form.
    // Its statements carry their values as literals: every node runs them from their text.
    const statements = this.cluster
      ? toClusterStatements(sql, { cluster: this.cluster, database: this.database }).map((statement) =>
          inlineQueryParameters(statement, params),
        )
      : [sql];
    try {
      for (const query of statements)
        await this.client.command({ query, query_params: this.cluster ? {} : (params ?? {}) });
    } catch (error) {
      throw toWarehouseError('statement', error, isUnavailable(error));
    }
  }

  async insert(table: TableName, rows: readonly object[], options: InsertOptions): Promise<void> {
    if (rows.length === 0) return;
    try {
      await this.client.insert({
        table,
        values: rows as object[],
        format: 'JSONEachRow',
        clickhouse_settings: { ...INSERT_SETTINGS, insert_deduplication_token: options.dedupToken },
      });
    } catch (error) {
      throw toWarehouseError(`insert into ${table}`, error, isUnavailable(error));
    }
  }

  async query<T>(spec: QuerySpec<T>): Promise<T[]> {
    let text: string;
    try {
      const result = await this.client.query({
        query: spec.sql,
        query_params: spec.params ?? {},
        format: 'JSONEachRow',
      });
      text = await result.text();
    } catch (error) {
      throw toWarehouseError(`query ${spec.name}`, error, isUnavailable(error));
    }
    return parseRows(spec.name, text, spec.row);
  }

  async exportRows(
    spec: Omit<QuerySpec<unknown>, 'row'>,
    format: Parameters<Warehouse['exportRows']>[1],
  ): Promise<Uint8Array> {
    try {
      const result = await this.client.exec({
        query: `${spec.sql}\nFORMAT ${format}`,
        query_params: spec.params ?? {},
      });
      const chunks: Buffer[] = [];
      for await (const chunk of result.stream) chunks.push(Buffer.from(chunk as Uint8Array));
      return Buffer.concat(chunks);
    } catch (error) {
      throw toWarehouseError(`query ${spec.name}`, error, isUnavailable(error));
    }
  }

  async ping(): Promise<void> {
    await this.query({ name: 'ping', sql: 'SELECT 1 AS ok', row: z.object({ ok: z.number() }) });
  }

  /**
   * Analysts' SQL on the server: every request carries `readonly=1` (which a query cannot undo), a
   * time limit, a memory cap and filters that empty Kanon's unpublished tables. Deployments should
   * also give the dashboards the read-only analyst role that migrations create (docs/api.md).
   */
  async openReadOnlyEngine(options: { maxSeconds: number; maxMemoryBytes: number }): Promise<ReadOnlyEngine> {
    // On a cluster the shard-local tables behind the unpublished ones are emptied as well.
    const locals = this.cluster ? UNPUBLISHED_TABLES.map(localTableName) : [];
    const filters = Object.entries(deniedTables(this.database, locals))
      .map(([table, filter]) => `'${table}':'${filter}'`)
      .join(',');
    return {
      database: this.database,
      readOnly: async (sql, format, timeoutSeconds) => {
        const result = await this.client.query({
          query: sql,
          format: format === 'TSVRaw' ? 'TabSeparatedRaw' : 'JSONCompact',
          // readonly=2: no writes or DDL, but the limits below may be set in the same request
          // (readonly=1 would refuse them). Queries cannot change them back: any SETTINGS clause
          // is refused before the query runs (analyst-sql.ts).
          clickhouse_settings: {
            max_execution_time: Math.min(timeoutSeconds, options.maxSeconds),
            max_memory_usage: String(Math.floor(options.maxMemoryBytes)),
            additional_table_filters: `{${filters}}`,
            readonly: '2',
          } as Record<string, string | number>,
        });
        return result.text();
      },
      close: async () => {},
    };
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.client.close();
  }
}
