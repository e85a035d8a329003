import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../core/config.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import {
  ClusterDdlError,
  inlineQueryParameters,
  LOCAL_SUFFIX,
  localTableName,
  toClusterStatements,
} from '../../schema/cluster-ddl.js';
import { loadMigrations, renderSql, splitStatements } from '../../schema/migrate.js';
import { MIGRATIONS_TABLE, PUBLISHED_TABLES, RELEASES_TABLE, STAGING_TABLE } from '../../schema/tables.js';
import { openMigratedWarehouse, TEST_SCHEMA } from '../fixtures/warehouse.js';

/**
 * Cluster mode's DDL (schema/cluster-ddl.ts), checked by the engine's own parser: every statement
 * generated from every migration file is parsed by chDB (formatQuery) and each table is read back
 * from the parse (EXPLAIN AST): its engine, the engine's arguments, ON CLUSTER, and the Distributed
 * table's sharding key. The single-server schema it is compared with is a real migrated store.
 */
const TARGET = { cluster: 'kanon_cluster', database: 'kanon' };
const SITE_KEY = 'cityHash64(site)';

interface ParsedTable {
  engine: string;
  args: string[];
  onCluster: boolean;
}

let warehouse: Warehouse;
/** Every generated statement, in order, with its canonical text from the engine's parser. */
const generated: { source: string; sql: string; formatted: string }[] = [];
/** The cluster schema read back from the parse, after every migration (drops applied). */
const schema = new Map<string, ParsedTable>();
/** Tables the single-server migrations leave, with their engine, from the migrated store. */
let singleServer: { name: string; engine: string }[] = [];

async function format(sql: string): Promise<string> {
  const [row] = await warehouse.query({
    name: 'format_query',
    sql: 'SELECT formatQuerySingleLine({q:String}) AS formatted',
    params: { q: sql },
    row: z.object({ formatted: z.string() }),
  });
  return row?.formatted ?? '';
}

/** Reads a CREATE TABLE's engine and its arguments from EXPLAIN AST's tree. */
async function readCreate(sql: string): Promise<{ table: string; engine: string; args: string[] }> {
  const tree = (
    await warehouse.query({
      name: 'explain_ast',
      sql: `EXPLAIN AST ${sql}`,
      row: z.object({ explain: z.string() }),
    })
  ).map((row) => row.explain);
  const table = /^CreateQuery \S+ (\S+)/.exec(tree[0] ?? '')?.[1] ?? '';
  const storage = tree.findIndex((line) => line.trim().startsWith('Storage definition'));
  const engineLine = tree[storage + 1] ?? '';
  const engine = /Function (\w+)/.exec(engineLine)?.[1] ?? '';
  const depth = (line: string) => line.length - line.trimStart().length;
  const argDepth = depth(engineLine) + 2;
  const args: string[] = [];
  for (let i = storage + 3; i < tree.length && depth(tree[i] ?? '') >= argDepth; i += 1) {
    const line = tree[i] ?? '';
    if (depth(line) !== argDepth) continue;
    const node = line.trim();
    const fn = /^Function (\w+)/.exec(node)?.[1];
    if (fn) {
      // A function argument (the sharding key): its name and the identifiers under it.
      const inner: string[] = [];
      for (let j = i + 1; j < tree.length && depth(tree[j] ?? '') > argDepth; j += 1) {
        const id = /^Identifier (\w+)/.exec((tree[j] ?? '').trim())?.[1];
        if (id) inner.push(id);
      }
      args.push(`${fn}(${inner.join(', ')})`);
    } else {
      args.push(node.replace(/^(Literal|Identifier) /, '').replace(/^'(.*)'$/, '$1'));
    }
  }
  return { table, engine, args };
}

beforeAll(async () => {
  warehouse = await openMigratedWarehouse('kanon_cluster_ddl');
  singleServer = await warehouse.query({
    name: 'single_server_tables',
    sql: "SELECT name, engine FROM system.tables WHERE database = currentDatabase() AND NOT startsWith(name, '.')",
    row: z.object({ name: z.string(), engine: z.string() }),
  });
  // migrate.ts creates its own bookkeeping table; it goes through the same rewrite.
  const [bookkeeping] = await warehouse.query({
    name: 'migrations_table',
    sql: 'SELECT create_table_query AS ddl FROM system.tables WHERE database = currentDatabase() AND name = {name:String}',
    params: { name: MIGRATIONS_TABLE },
    row: z.object({ ddl: z.string() }),
  });
  const sources: { source: string; statements: string[] }[] = [
    { source: 'migrate.ts', statements: [bookkeeping?.ddl ?? ''] },
    ...loadMigrations().map((migration) => ({
      source: migration.id,
      statements: splitStatements(
        renderSql(migration.template, { ...TEST_SCHEMA, DATABASE: TARGET.database }),
      ),
    })),
  ];
  for (const { source, statements } of sources) {
    for (const statement of statements) {
      for (const sql of toClusterStatements(statement, TARGET)) {
        const formatted = await format(sql);
        generated.push({ source, sql, formatted });
        const onCluster = formatted.includes(` ON CLUSTER ${TARGET.cluster}`);
        if (/^CREATE TABLE/.test(formatted)) {
          const { table, engine, args } = await readCreate(sql);
          schema.set(table, { engine, args, onCluster });
        }
        const dropped = /^DROP TABLE IF EXISTS \w+\.(\w+)/.exec(formatted)?.[1];
        if (dropped) schema.delete(dropped);
      }
    }
  }
}, 120_000);

afterAll(async () => {
  await warehouse?.close();
});

describe('cluster DDL, generated from every migration file and parsed by the engine', () => {
  it('covers every migration file that exists, and every statement parses', () => {
    const sources = new Set(generated.map((statement) => statement.source));
    for (const migration of loadMigrations()) expect(sources).toContain(migration.id);
    for (const statement of generated) expect(statement.formatted, statement.sql).not.toBe('');
  });

  it('runs every statement ON CLUSTER', () => {
    const without = generated.filter(
      (statement) => !statement.formatted.includes(` ON CLUSTER ${TARGET.cluster}`),
    );
    expect(without.map((statement) => statement.sql)).toEqual([]);
  });

  it('gives every single-server table a Replicated shard-local table and a Distributed one over it', () => {
    expect(singleServer.length).toBeGreaterThan(20);
    for (const { name, engine } of singleServer) {
      const local = schema.get(localTableName(name));
      expect(local, `${name}: no shard-local table`).toBeDefined();
      expect(local?.engine, name).toBe(`Replicated${engine}`);
      expect(local?.args.slice(0, 2), name).toEqual([
        '/clickhouse/tables/{shard}/{database}/{table}',
        '{replica}',
      ]);
      expect(local?.onCluster, name).toBe(true);
      const distributed = schema.get(name);
      expect(distributed?.engine, name).toBe('Distributed');
      expect(distributed?.args.slice(0, 3), name).toEqual([
        TARGET.cluster,
        TARGET.database,
        `${name}${LOCAL_SUFFIX}`,
      ]);
      expect(distributed?.onCluster, name).toBe(true);
    }
    // And nothing else: no table the single server does not have.
    expect([...schema.keys()].sort()).toEqual(
      singleServer.flatMap(({ name }) => [name, localTableName(name)]).sort(),
    );
  });

  it('keeps a Replacing engine its version column after the Keeper path and replica name', () => {
    expect(schema.get(localTableName(RELEASES_TABLE))?.args).toEqual([
      '/clickhouse/tables/{shard}/{database}/{table}',
      '{replica}',
      'released_at',
    ]);
  });

  it('shards staging, the release manifest and every published table by site', () => {
    for (const table of [STAGING_TABLE, RELEASES_TABLE, ...PUBLISHED_TABLES]) {
      expect(schema.get(table)?.args[3], table).toBe(SITE_KEY);
    }
    // A table without a site column is sharded by the first ORDER BY column, so the rows a
    // ReplacingMergeTree collapses meet on one shard.
    expect(schema.get(MIGRATIONS_TABLE)?.args[3]).toBe('cityHash64(id)');
  });

  it('moves the deduplication window to the replicated setting (tokens kept in Keeper)', () => {
    const creates = generated.filter((statement) => statement.formatted.includes('Replicated'));
    expect(creates.length).toBeGreaterThan(20);
    for (const statement of generated)
      expect(statement.formatted).not.toContain('non_replicated_deduplication_window');
    const staging = generated.find((statement) =>
      statement.formatted.startsWith(
        `CREATE TABLE IF NOT EXISTS ${TARGET.database}.${localTableName(STAGING_TABLE)} `,
      ),
    );
    expect(staging?.formatted).toContain('replicated_deduplication_window = 100000');
  });

  it('grants the analyst role the published tables only, on every node', () => {
    const grants = generated.filter((statement) => statement.formatted.startsWith('GRANT'));
    expect(grants.map((grant) => grant.formatted)).toEqual([
      `GRANT ON CLUSTER ${TARGET.cluster} SELECT ON ${TARGET.database}.pub_* TO kanon_analyst`,
    ]);
    expect(
      generated.some((statement) =>
        statement.formatted.startsWith('CREATE ROLE IF NOT EXISTS kanon_analyst ON CLUSTER'),
      ),
    ).toBe(true);
  });

  it('applies TTLs, settings and mutations to the shard-local table, column changes to both', async () => {
    const ttl = toClusterStatements(
      `ALTER TABLE ${STAGING_TABLE} MODIFY TTL staged_at + toIntervalSecond(60)`,
      TARGET,
    );
    expect(ttl).toHaveLength(1);
    expect(await format(ttl[0] ?? '')).toContain(
      `${TARGET.database}.${localTableName(STAGING_TABLE)} ON CLUSTER`,
    );
    const purge = toClusterStatements(
      `ALTER TABLE ${STAGING_TABLE} DELETE WHERE site = {site:String} SETTINGS mutations_sync = 2`,
      TARGET,
    );
    expect((await Promise.all(purge.map(format))).join('\n')).toMatch(
      /_local ON CLUSTER \w+ \(DELETE WHERE site = \{site:String\}\)/,
    );
    const column = toClusterStatements(
      `ALTER TABLE ${RELEASES_TABLE} ADD COLUMN IF NOT EXISTS x UInt8 DEFAULT 0`,
      TARGET,
    );
    expect(column).toHaveLength(2);
  });

  it('refuses a statement it has no cluster form for, rather than running it on one node', () => {
    expect(() => toClusterStatements('CREATE TABLE t (a UInt8) ENGINE = Memory', TARGET)).toThrow(
      ClusterDdlError,
    );
    expect(() => toClusterStatements('OPTIMIZE TABLE stg_cells FINAL', TARGET)).toThrow(ClusterDdlError);
    expect(() =>
      toClusterStatements('ALTER TABLE pub_releases ADD COLUMN y UInt8, MODIFY TTL period_start', TARGET),
    ).toThrow(ClusterDdlError);
  });

  // Every node runs an ON CLUSTER statement from its text, so its values are written into it.
  it('writes the purge and the catalogue drop with their values, and the engine parses them', async () => {
    const purge = toClusterStatements(
      `ALTER TABLE ${STAGING_TABLE} DELETE WHERE site = {site:String} SETTINGS mutations_sync = 2`,
      TARGET,
    ).map((sql) => inlineQueryParameters(sql, { site: "o'brien\\shop" }));
    const drop = toClusterStatements(
      'ALTER TABLE app_catalog DROP PARTITION tuple({site:String}, {version:UInt64})',
      TARGET,
    ).map((sql) => inlineQueryParameters(sql, { site: 'shop', version: 7 }));
    for (const sql of [...purge, ...drop]) {
      expect(sql).not.toMatch(/\{\w+:\w+\}/);
      expect(await format(sql)).toMatch(/ON CLUSTER kanon_cluster/);
    }
    expect(await format(purge[0]!)).toContain(`site = 'o\\'brien\\\\shop'`);
    expect(await format(drop[0]!)).toContain("tuple('shop', toUInt64(7))");
    // The replica path's macros are not parameters.
    expect(inlineQueryParameters("ReplicatedMergeTree('/t/{shard}/{table}', '{replica}')")).toBe(
      "ReplicatedMergeTree('/t/{shard}/{table}', '{replica}')",
    );
  });

  it('writes any string and integer as the engine reads the same parameter bound', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        async (text, number) => {
          const sql = 'SELECT {text:String} AS text, toString({number:UInt64}) AS number';
          const params = { text, number: number.toString() };
          const row = z.object({ text: z.string(), number: z.string() });
          const [bound] = await warehouse.query({ name: 'bound', sql, params, row });
          const [inlined] = await warehouse.query({
            name: 'inlined',
            sql: inlineQueryParameters(sql, { text, number }),
            row,
          });
          expect(inlined).toEqual(bound);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses a parameter it cannot write: missing, of the wrong kind, or of a type it does not know', () => {
    expect(() => inlineQueryParameters('site = {site:String}', {})).toThrow(ClusterDdlError);
    expect(() => inlineQueryParameters('site = {site:String}', { site: 3 })).toThrow(ClusterDdlError);
    expect(() => inlineQueryParameters('v = {v:UInt64}', { v: '1 OR 1' })).toThrow(ClusterDdlError);
    expect(() => inlineQueryParameters('v = {v:UInt64}', { v: -1 })).toThrow(ClusterDdlError);
    expect(() => inlineQueryParameters('v = {v:UInt64}', { v: 0.5 })).toThrow(ClusterDdlError);
    expect(() => inlineQueryParameters('d = {d:DateTime}', { d: '2026-12-07' })).toThrow(ClusterDdlError);
  });
});

describe('KANON_CLICKHOUSE_CLUSTER', () => {
  const base = { KANON_SITES: 'shop=https://shop.example' };

  it('selects cluster mode on the server adapter only', () => {
    const config = loadConfig({
      ...base,
      CLICKHOUSE_URL: 'http://ch:8123',
      KANON_CLICKHOUSE_CLUSTER: 'kanon',
    });
    expect(config.warehouse).toMatchObject({ kind: 'server', cluster: 'kanon' });
    const single = loadConfig({ ...base, CLICKHOUSE_URL: 'http://ch:8123' });
    expect(single.warehouse).not.toHaveProperty('cluster');
  });

  it('is refused without CLICKHOUSE_URL, naming the variable', () => {
    expect(() => loadConfig({ ...base, KANON_CLICKHOUSE_CLUSTER: 'kanon' })).toThrow(
      /KANON_CLICKHOUSE_CLUSTER/,
    );
  });
});
