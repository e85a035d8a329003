import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AGGREGATE_COMBINATORS,
  ANALYST_AGGREGATES,
  ANALYST_ALIASES,
  ANALYST_ORDINARY_FUNCTIONS,
  ANALYST_SYNTAX_FUNCTIONS,
  ANALYST_TABLE_FUNCTIONS,
  ANALYST_WINDOW_FUNCTIONS,
  allowedFunction,
} from '../../core/warehouse/analyst-functions.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { openEmbeddedWarehouse } from '../fixtures/warehouse.js';

/**
 * The analysts' allowlist against the engine's own catalogue (`system.functions`): every name is
 * real, every spelling the engine accepts means what the allowlist thinks it means, and the
 * families that read files, the network, settings, other tables or the host are absent.
 */
const EngineFunction = z.object({
  name: z.string(),
  alias_to: z.string(),
  case_insensitive: z.number(),
  is_aggregate: z.number(),
  categories: z.string(),
});
type EngineFunction = z.infer<typeof EngineFunction>;

/** Families the brief names, as patterns over every function the engine has. */
const DANGEROUS = [
  /^file$/,
  /^(url|s3|hdfs|remote|mysql|postgresql|input|executable)$/,
  /^dict(Get|Has|IsIn)/,
  /^joinGet/,
  /^get(Setting|SettingOrDefault|ServerSetting|Macro|MergeTreeSetting|ServerPort|OSKernelVersion|ClientHTTPHeader)$/,
  /^hasColumnInTable$/,
  /^(hostName|FQDN|fullHostName|uptime|version|revision|buildId|displayName|serverUUID|tcpPort)$/,
  /^current(User|Database|Roles|Profiles|QueryID|Schemas)$/,
  /^filesystem/,
  /^(blockSize|blockNumber|blockSerializedSize|rowNumberInBlock|rowNumberInAllBlocks)$/,
  /^(sleep|sleepEachRow|throwIf)$/,
  /^(initializeAggregation|arrayReduce|arrayReduceInRanges)$/,
  /^(transactionID|transactionLatestSnapshot|transactionOldestSnapshot|queryID|initialQueryID)$/,
  /^(shardNum|shardCount|connectionId|getServerPort|zookeeperSessionUptime)$/,
  /^(timezone|serverTimezone|chdb|globalVariable|generateSerialID|catboostEvaluate)$/,
];
/** Whole categories of the engine's catalogue that have nothing for an analyst. */
const DANGEROUS_CATEGORIES = ['Dictionary', 'Embedded Dictionary', 'Introspection', 'AI', 'Machine Learning'];

describe('the analysts’ function allowlist', () => {
  let warehouse: Warehouse;
  let functions: EngineFunction[];
  let byName: Map<string, EngineFunction>;
  let tableFunctions: Set<string>;

  const column = async (sql: string) =>
    (await warehouse.query({ name: 'catalogue', sql, row: z.object({ name: z.string() }) })).map(
      (row) => row.name,
    );
  const allowedNames = () => [
    ...ANALYST_ORDINARY_FUNCTIONS,
    ...ANALYST_AGGREGATES,
    ...ANALYST_WINDOW_FUNCTIONS,
  ];
  /** What the engine calls a spelling: itself or its alias target, exactly or case-insensitively. */
  const engineMeaning = (spelling: string): string | undefined => {
    const exact = byName.get(spelling);
    const found =
      exact ??
      functions.find((fn) => fn.case_insensitive === 1 && fn.name.toLowerCase() === spelling.toLowerCase());
    return found ? found.alias_to || found.name : undefined;
  };

  beforeAll(async () => {
    warehouse = await openEmbeddedWarehouse('kanon_allowlist');
    functions = await warehouse.query({
      name: 'functions',
      sql: 'SELECT name, alias_to, case_insensitive, is_aggregate, categories FROM system.functions',
      row: EngineFunction,
    });
    byName = new Map(functions.map((fn) => [fn.name, fn]));
    tableFunctions = new Set(await column('SELECT name FROM system.table_functions'));
  });
  afterAll(async () => {
    await warehouse?.close();
  });

  it('names only functions the engine has, each by its canonical name and of its kind', () => {
    expect(functions.length).toBeGreaterThan(1000);
    for (const name of ANALYST_ORDINARY_FUNCTIONS) {
      expect(byName.get(name), name).toMatchObject({ alias_to: '', is_aggregate: 0 });
    }
    for (const name of [...ANALYST_AGGREGATES, ...ANALYST_WINDOW_FUNCTIONS]) {
      expect(byName.get(name), name).toMatchObject({ alias_to: '', is_aggregate: 1 });
    }
    for (const name of ANALYST_TABLE_FUNCTIONS) expect(tableFunctions.has(name), name).toBe(true);
  });

  it('names only combinators the engine has', async () => {
    const combinators = new Set(await column('SELECT name FROM system.aggregate_function_combinators'));
    for (const combinator of AGGREGATE_COMBINATORS)
      expect(combinators.has(combinator), combinator).toBe(true);
  });

  it('lists every alias the engine has for an allowed function, and only those', () => {
    const expected = functions
      .filter((fn) => fn.alias_to !== '' && allowedFunction(fn.alias_to) === fn.alias_to)
      .map((fn) => [fn.name, fn.alias_to]);
    expect([...ANALYST_ALIASES].sort()).toEqual(expected.sort());
  });

  it('reads every spelling the engine knows as the function the engine means, or refuses it', () => {
    let accepted = 0;
    for (const fn of functions) {
      for (const spelling of new Set([fn.name, fn.name.toUpperCase(), fn.name.toLowerCase()])) {
        const allowed = allowedFunction(spelling);
        const meaning = engineMeaning(spelling);
        // A spelling the engine does not know fails there; only known ones must agree.
        if (allowed === undefined || meaning === undefined) continue;
        expect(allowed, spelling).toBe(meaning);
        accepted += 1;
      }
    }
    expect(accepted).toBeGreaterThan(allowedNames().length);
  });

  it('accepts a combinator on an allowed aggregate only', () => {
    expect(allowedFunction('uniqExactIf')).toBe('uniqExactIf');
    expect(allowedFunction('medianIf')).toBe('quantileIf');
    expect(allowedFunction('sumArrayOrNull', 'aggregate')).toBe('sumArrayOrNull');
    for (const fn of functions) {
      if (allowedFunction(fn.alias_to || fn.name)) continue;
      for (const combinator of AGGREGATE_COMBINATORS) {
        expect(allowedFunction(`${fn.name}${combinator}`), `${fn.name}${combinator}`).toBeUndefined();
      }
    }
  });

  it('leaves out every function that reads a file, the network, settings, other tables or the host', () => {
    const dangerous = functions.filter(
      (fn) =>
        DANGEROUS.some((pattern) => pattern.test(fn.alias_to || fn.name)) ||
        DANGEROUS_CATEGORIES.some((category) => fn.categories.split(', ').includes(category)),
    );
    expect(dangerous.length).toBeGreaterThan(80);
    for (const fn of dangerous) {
      for (const spelling of [fn.name, fn.name.toUpperCase(), fn.name.toLowerCase()]) {
        expect(allowedFunction(spelling), spelling).toBeUndefined();
      }
    }
    for (const name of [
      'file',
      'url',
      's3',
      'hdfs',
      'remote',
      'mysql',
      'postgresql',
      'input',
      'executable',
    ]) {
      expect(ANALYST_TABLE_FUNCTIONS.has(name), name).toBe(false);
    }
  });

  it('keeps every allowed function name apart from the table functions', () => {
    const spellings = [...allowedNames(), ...ANALYST_SYNTAX_FUNCTIONS, ...ANALYST_ALIASES.keys()];
    const tables = new Set([...tableFunctions].map((name) => name.toLowerCase()));
    for (const name of spellings) expect(tables.has(name.toLowerCase()), name).toBe(false);
  });

  it('allows syntax names only where the engine writes them for SQL syntax', async () => {
    const tree = async (sql: string) =>
      (
        await warehouse.query({
          name: 'tree',
          sql: `EXPLAIN QUERY TREE ${sql}`,
          row: z.object({ explain: z.string() }),
        })
      )
        .map((row) => row.explain)
        .join('\n');
    const written = [
      await tree('SELECT CASE number WHEN 1 THEN 2 END FROM numbers(1)'),
      await tree('SELECT EXISTS (SELECT 1) FROM numbers(1)'),
      await tree('SELECT grouping(number) FROM numbers(1) GROUP BY number'),
      await tree('SELECT grouping(number) FROM numbers(1) GROUP BY ROLLUP(number)'),
      await tree('SELECT grouping(number) FROM numbers(1) GROUP BY CUBE(number)'),
      await tree('SELECT grouping(number) FROM numbers(1) GROUP BY GROUPING SETS ((number), ())'),
    ].join('\n');
    for (const name of ANALYST_SYNTAX_FUNCTIONS) {
      // `grouping` is what the analyst writes; the tree holds its resolved forms.
      if (name === 'grouping') continue;
      expect(written, name).toContain(`function_name: ${name},`);
    }
  });
});
