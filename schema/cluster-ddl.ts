/**
 * ClickHouse cluster mode (KANON_CLICKHOUSE_CLUSTER): the one place that decides engine names, the
 * cluster clause and the sharding key. Every statement Kanon runs against the warehouse (the
 * migrations in schema/sql/, the tables stages create at start, the purge's and the catalogue's
 * mutations) is written once, for a single server, and rewritten here statement by statement:
 *
 * - `CREATE TABLE t (...) ENGINE = XMergeTree(args) ...` becomes the shard-local table
 *   `t_local ON CLUSTER c` with `ReplicatedXMergeTree('/clickhouse/tables/{shard}/{database}/t_local',
 *   '{replica}', args)` (the `{shard}`/`{replica}` macros of each node's config), plus `t ON CLUSTER c`,
 *   a `Distributed` table over it. Kanon's queries and inserts keep naming `t`, so they read and
 *   write through the Distributed table and no other code changes.
 * - Rows are sharded by site (`cityHash64(site)`): one site's staging, release manifest and
 *   published rows live on one shard, so a release of a site reads one shard only. A table without
 *   a `site` column is sharded by the first column of its ORDER BY, so rows a Replacing engine
 *   must collapse always meet on one shard.
 * - `non_replicated_deduplication_window` applies to non-replicated tables only; a Replicated
 *   table keeps its insert deduplication tokens in Keeper, per partition, for the last
 *   `replicated_deduplication_window` inserts, so the same window size is carried over to that
 *   setting (invariant 5 across replicas; docs/scaling.md).
 * - `ALTER` of columns runs on both tables; other `ALTER`s (TTL, settings, mutations, partitions)
 *   on the local one. `DROP TABLE` drops both. Roles and grants run `ON CLUSTER`.
 *
 * A statement of another kind is refused: cluster mode never runs DDL it has not translated.
 * Single-server and embedded DDL stay exactly as written.
 */

export interface ClusterTarget {
  /** The cluster's name in the servers' `remote_servers` config. */
  cluster: string;
  database: string;
}

/** Shard-local tables carry this suffix; the Distributed table keeps the plain name. */
export const LOCAL_SUFFIX = '_local';

export function localTableName(table: string): string {
  return `${table}${LOCAL_SUFFIX}`;
}

/** Where a Replicated table's shard keeps its state in Keeper (macros expand on each node). */
export const REPLICA_PATH = `/clickhouse/tables/{shard}/{database}/{table}`;
export const REPLICA_NAME = '{replica}';

/**
 * Settings every cluster-mode request carries (core/warehouse/clickhouse-server.ts).
 * - distributed_foreground_insert: an insert into a Distributed table returns only once each
 *   shard has stored its rows; without it the node queues them on its own disk and answers
 *   first, so a job could be acknowledged before its rows are on their shard (invariant 5).
 * - insert_quorum 'auto': a majority of the shard's replicas hold the rows before the insert
 *   returns, so losing one replica right after cannot lose an acknowledged batch.
 * - optimize_skip_unused_shards: a query whose WHERE fixes the site (every release read) is sent
 *   to that site's shard only.
 */
export const CLUSTER_SETTINGS = {
  distributed_foreground_insert: 1,
  insert_quorum: 'auto',
  optimize_skip_unused_shards: 1,
} as const;

/** Thrown for a statement cluster mode cannot translate: a defect to fix here, never to run as is. */
export class ClusterDdlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterDdlError';
  }
}

const NAME = '([A-Za-z_][A-Za-z0-9_]*)';
const CREATE_TABLE = new RegExp(
  `^CREATE\\s+TABLE\\s+(IF\\s+NOT\\s+EXISTS\\s+)?(?:${NAME}\\.)?${NAME}\\s*\\(([\\s\\S]*)$`,
  'i',
);
const ENGINE = /\bENGINE\s*=\s*(\w+)(?:\s*\(([^)]*)\))?/i;
const ALTER_TABLE = new RegExp(`^ALTER\\s+TABLE\\s+(?:${NAME}\\.)?${NAME}\\s+([\\s\\S]+)$`, 'i');
const DROP_TABLE = new RegExp(
  `^DROP\\s+TABLE\\s+(IF\\s+EXISTS\\s+)?(?:${NAME}\\.)?${NAME}\\s*(?:SYNC)?$`,
  'i',
);
const TRUNCATE_TABLE = new RegExp(`^TRUNCATE\\s+TABLE\\s+(IF\\s+EXISTS\\s+)?(?:${NAME}\\.)?${NAME}$`, 'i');
const CREATE_ENTITY =
  /^CREATE\s+(ROLE|USER|SETTINGS\s+PROFILE|QUOTA|ROW\s+POLICY)\s+(IF\s+NOT\s+EXISTS\s+)?(\w+)([\s\S]*)$/i;
const GRANT_OR_REVOKE = /^(GRANT|REVOKE)\s+([\s\S]+)$/i;
const CREATE_DATABASE = new RegExp(`^CREATE\\s+DATABASE\\s+(IF\\s+NOT\\s+EXISTS\\s+)?${NAME}$`, 'i');
/** ALTERs that change columns, which the Distributed table must mirror. */
const COLUMN_ALTER = /^(ADD|DROP|MODIFY|RENAME|COMMENT|CLEAR)\s+COLUMN\b/i;

/** Rewrites one single-server statement into the statements that do the same on the cluster. */
export function toClusterStatements(statement: string, target: ClusterTarget): string[] {
  const sql = statement.trim().replace(/;\s*$/, '');
  const on = `ON CLUSTER ${target.cluster}`;
  const qualified = (table: string) => `${target.database}.${table}`;

  const create = CREATE_TABLE.exec(sql);
  if (create) return createTable(create, target);

  const alter = ALTER_TABLE.exec(sql);
  if (alter) {
    const [, , table = '', rest = ''] = alter;
    const local = `ALTER TABLE ${qualified(localTableName(table))} ${on} ${rest}`;
    const kinds = splitTopLevel(rest).map((command) => COLUMN_ALTER.test(command.trim()));
    if (kinds.every((column) => !column)) return [local];
    if (kinds.every((column) => column)) return [local, `ALTER TABLE ${qualified(table)} ${on} ${rest}`];
    throw new ClusterDdlError(`ALTER TABLE ${table} mixes column and other changes; split it in two`);
  }

  const drop = DROP_TABLE.exec(sql);
  if (drop) {
    const [, ifExists = '', , table = ''] = drop;
    return [table, localTableName(table)].map(
      (name) => `DROP TABLE ${ifExists}${qualified(name)} ${on} SYNC`,
    );
  }

  const truncate = TRUNCATE_TABLE.exec(sql);
  if (truncate) {
    const [, ifExists = '', , table = ''] = truncate;
    return [`TRUNCATE TABLE ${ifExists}${qualified(localTableName(table))} ${on}`];
  }

  const entity = CREATE_ENTITY.exec(sql);
  if (entity) {
    const [, kind = '', ifNotExists = '', name = '', rest = ''] = entity;
    return [`CREATE ${kind.toUpperCase()} ${ifNotExists}${name} ${on}${rest}`];
  }

  const grant = GRANT_OR_REVOKE.exec(sql);
  if (grant) return [`${grant[1]?.toUpperCase()} ${on} ${grant[2]}`];

  const database = CREATE_DATABASE.exec(sql);
  if (database) return [`CREATE DATABASE ${database[1] ?? ''}${database[2]} ${on}`];

  throw new ClusterDdlError(`cluster mode has no translation for a statement starting "${sql.slice(0, 40)}"`);
}

function createTable(match: RegExpExecArray, target: ClusterTarget): string[] {
  const [, ifNotExists = '', , table = '', body = ''] = match;
  const engine = ENGINE.exec(body);
  if (!engine || !/^(\w*)MergeTree$/.test(engine[1] ?? '')) {
    throw new ClusterDdlError(`${table}: only *MergeTree tables can be replicated and sharded`);
  }
  const [engineClause, name = '', args = ''] = engine;
  const local = localTableName(table);
  const replicated = `ENGINE = Replicated${name}(${[
    `'${REPLICA_PATH}'`,
    `'${REPLICA_NAME}'`,
    ...(args.trim() ? [args.trim()] : []),
  ].join(', ')})`;
  const localBody = body
    .replace(engineClause, replicated)
    .replace(/\bnon_replicated_deduplication_window\b/g, 'replicated_deduplication_window');
  const on = `ON CLUSTER ${target.cluster}`;
  const db = target.database;
  return [
    `CREATE TABLE ${ifNotExists}${db}.${local} ${on}\n(${localBody}`,
    `CREATE TABLE ${ifNotExists}${db}.${table} ${on} AS ${db}.${local}\n` +
      `ENGINE = Distributed(${target.cluster}, ${db}, ${local}, ${shardingKey(table, body)})`,
  ];
}

/**
 * `cityHash64(site)` where the table has a site column; otherwise the hash of the first ORDER BY
 * column, so equal keys (which a Replacing engine collapses) share a shard.
 */
export function shardingKey(table: string, body: string): string {
  const columns = body.slice(0, body.search(/\)\s*ENGINE\b/i));
  if (/(^|[(,\n])\s*site\s+\w/.test(columns)) return 'cityHash64(site)';
  const first = /\bORDER\s+BY\s+\(?\s*(\w+)/i.exec(body)?.[1];
  if (!first) throw new ClusterDdlError(`${table}: no site column and no ORDER BY to shard by`);
  return `cityHash64(${first})`;
}

/** Splits an ALTER's command list at commas outside parentheses and quotes. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === "'" && text[i - 1] !== '\\') quoted = !quoted;
    if (quoted) continue;
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** `{name:Type}`: a query parameter. The replica path's `{shard}` macros have no type, so never match. */
const QUERY_PARAMETER = /\{([A-Za-z_][A-Za-z0-9_]*):\s*([A-Za-z0-9]+)\s*\}/g;

/**
 * Writes a statement's query parameters into it as literals. An ON CLUSTER statement is queued in
 * Keeper as text and run by every node from that text, so whether the engine substitutes the
 * request's parameters before it queues the statement is the engine's internal business; Kanon
 * does not depend on it: cluster statements carry their values (the purge's site, the catalogue
 * partition's version). Only the types Kanon's statements use are written, strings escaped as the
 * engine's own quoting does; anything else is refused.
 */
export function inlineQueryParameters(statement: string, params: Record<string, unknown> = {}): string {
  return statement.replace(QUERY_PARAMETER, (_match, name: string, type: string) => {
    if (!Object.hasOwn(params, name)) throw new ClusterDdlError(`no value for query parameter ${name}`);
    const value = params[name];
    if (type === 'String') {
      if (typeof value !== 'string') throw new ClusterDdlError(`query parameter ${name} is not a string`);
      return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\0/g, '\\0')}'`;
    }
    if (/^U?Int(8|16|32|64)$/.test(type)) {
      const text =
        typeof value === 'bigint' ? value.toString() : typeof value === 'number' ? String(value) : '';
      if (!/^-?\d+$/.test(text) || (typeof value === 'number' && !Number.isSafeInteger(value)))
        throw new ClusterDdlError(`query parameter ${name} is not an integer`);
      if (type.startsWith('U') && text.startsWith('-'))
        throw new ClusterDdlError(`query parameter ${name} is negative`);
      return `to${type}(${text})`;
    }
    throw new ClusterDdlError(
      `query parameter ${name} has type ${type}, which cluster statements do not write`,
    );
  });
}
