import { KanonError } from '../errors.js';
import { AGGREGATE_COMBINATORS } from './analyst-functions.js';
import {
  type Refusal,
  refusalInQueryTree,
  refusalInSyntaxTree,
  UNPUBLISHED_TABLES,
} from './analyst-guard.js';
import { engineErrorCode, engineErrorName } from './warehouse.js';

/**
 * Read-only SQL for data engineers (invariant 9), deny by default. The engine enforces it, not
 * string matching:
 * - the query runs on a connection the engine holds in `readonly=1` mode (no writes, no DDL, no
 *   file()/url() table functions, no changing settings back), with a time limit and a memory cap;
 * - the engine's syntax tree (`EXPLAIN AST`) is checked before the engine analyses anything:
 *   every function must be on the allowlist (analyst-functions.ts), no table outside the
 *   published ones may be named, no SETTINGS clause may appear (analyst-guard.ts);
 * - the engine's query tree (`EXPLAIN QUERY TREE`) is checked again, with every name resolved:
 *   each table, table function and function the query would read or call, through subqueries,
 *   CTEs, joins, IN, lambdas and window definitions;
 * - Kanon's other tables are additionally filtered to nothing on that connection
 *   (`additional_table_filters`), a second net.
 * The analyst's text is wrapped as `SELECT * FROM (<sql>) LIMIT n+1`, which also makes anything but
 * one SELECT a syntax error.
 */
export interface AnalystLimits {
  maxRows: number;
  timeoutSeconds: number;
}

export interface AnalystResult {
  columns: { name: string; type: string }[];
  rows: unknown[][];
  truncated: boolean;
}

export interface AnalystSql {
  run(sql: string, limits: AnalystLimits): Promise<AnalystResult>;
  close(): Promise<void>;
}

/** The engine calls an analyst query runs on; adapters implement it over a read-only connection. */
export interface ReadOnlyEngine {
  database: string;
  /** Runs one statement on the read-only connection and returns its text output in `format`. */
  readOnly(sql: string, format: 'TSVRaw' | 'JSONCompact', timeoutSeconds: number): Promise<string>;
  close(): Promise<void>;
}

export const MAX_SQL_LENGTH = 20_000;

export const queryNotAllowed = (what: string) =>
  new KanonError('query_not_allowed', 403, `Only published tables (pub_*) can be queried; ${what}.`);

export const functionNotAllowed = (name: string) =>
  new KanonError(
    'query_not_allowed',
    403,
    `The function ${name}() is not available: analysts' SQL may call ordinary functions (arithmetic, comparison, string, date, array, aggregate, conditional, type conversion, window) on the published tables only.`,
  );

export function wrapAnalystSql(sql: string, maxRows: number): string {
  // A newline before the closing parenthesis keeps a trailing `-- comment` from swallowing it.
  return `SELECT * FROM (\n${sql.replace(/;\s*$/, '')}\n) LIMIT ${maxRows + 1}`;
}

/** A name from the engine's trees, or a description when it is not a plain identifier. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const shown = (table: string) =>
  table.split('.').every((part) => IDENTIFIER.test(part)) ? table : 'a table that';

/**
 * The engine's own name for a refused function: the syntax tree holds the name as the analyst
 * spelled it (`hostname`, `DATABASE`), the message names what it resolves to (`hostName`,
 * `currentDatabase`). Only a plain identifier is looked up, and only on the refusal path.
 */
async function engineFunctionName(
  engine: ReadOnlyEngine,
  spelled: string,
  timeoutSeconds: number,
): Promise<string | undefined> {
  if (!IDENTIFIER.test(spelled)) return undefined;
  const lookup = (name: string) =>
    engine.readOnly(
      `SELECT if(alias_to = '', name, alias_to) FROM system.functions WHERE name = '${name}' OR (case_insensitive AND lower(name) = lower('${name}')) ORDER BY name = '${name}' DESC LIMIT 1`,
      'TSVRaw',
      timeoutSeconds,
    );
  const found = (await lookup(spelled)).trim();
  if (found) return found;
  // An aggregate with combinators (`fileIf` is no function; `uniqIf` is uniq with If).
  for (const combinator of AGGREGATE_COMBINATORS) {
    if (!spelled.endsWith(combinator) || spelled.length === combinator.length) continue;
    const base = await engineFunctionName(engine, spelled.slice(0, -combinator.length), timeoutSeconds);
    if (base) return `${base}${combinator}`;
  }
  return undefined;
}

async function toRefusalError(
  refusal: Refusal,
  engine: ReadOnlyEngine,
  timeoutSeconds: number,
): Promise<KanonError> {
  switch (refusal.kind) {
    case 'function': {
      const name = await engineFunctionName(engine, refusal.name, timeoutSeconds);
      if (!name)
        return new KanonError('query_invalid', 400, 'The query calls a function the engine does not know.');
      return functionNotAllowed(name);
    }
    case 'table_function':
      return queryNotAllowed(`the table function ${shown(refusal.name)}() is not available`);
    case 'table':
      return queryNotAllowed(
        refusal.name.startsWith('system.')
          ? `${shown(refusal.name)} is a system table`
          : `${shown(refusal.name)} is not published`,
      );
    case 'settings':
      return queryNotAllowed('SETTINGS clauses are not available (limits are fixed by the deployment)');
    case 'apply':
      return queryNotAllowed('APPLY column transformers are not available; call the function on each column');
    case 'statement':
      return new KanonError('query_invalid', 400, 'The SQL is not one valid SELECT statement.');
  }
}

/** Engine error codes an analyst can act on. */
function toAnalystError(error: unknown): KanonError {
  if (error instanceof KanonError) return error;
  const text = error instanceof Error ? error.message : String(error);
  const code = Number(engineErrorCode(error) ?? 0);
  const name = engineErrorName(error);
  const chdbCode = (error as { code?: unknown }).code;
  if (code === 159 || chdbCode === 'CHDB_TIMEOUT' || /time(d)? ?out/i.test(text)) {
    return new KanonError(
      'query_timeout',
      408,
      'The query ran longer than allowed; narrow the date range or aggregate more.',
    );
  }
  if (code === 164) return queryNotAllowed('the query would write or change settings');
  if (code === 62) return new KanonError('query_invalid', 400, 'The SQL is not one valid SELECT statement.');
  return new KanonError(
    'query_failed',
    400,
    `The query failed${code ? `: ClickHouse error ${code}${name ? ` (${name})` : ''}` : ''}.`,
  );
}

export function createAnalystSql(engine: ReadOnlyEngine): AnalystSql {
  return {
    async run(sql, limits) {
      if (!sql.trim()) throw new KanonError('query_invalid', 400, 'sql: is empty.');
      if (sql.length > MAX_SQL_LENGTH)
        throw new KanonError('query_invalid', 400, `sql: longer than ${MAX_SQL_LENGTH} characters.`);
      const wrapped = wrapAnalystSql(sql, limits.maxRows);
      try {
        const explain = (what: string) =>
          engine.readOnly(`EXPLAIN ${what} ${wrapped}`, 'TSVRaw', limits.timeoutSeconds);
        // The syntax tree first: the analyzer evaluates constants while it builds the query tree.
        const refusal =
          refusalInSyntaxTree(await explain('AST'), engine.database) ??
          refusalInQueryTree(await explain('QUERY TREE'), engine.database);
        if (refusal) throw await toRefusalError(refusal, engine, limits.timeoutSeconds);
        const text = await engine.readOnly(wrapped, 'JSONCompact', limits.timeoutSeconds);
        const parsed = JSON.parse(text) as { meta: { name: string; type: string }[]; data: unknown[][] };
        const truncated = parsed.data.length > limits.maxRows;
        return {
          columns: parsed.meta,
          rows: truncated ? parsed.data.slice(0, limits.maxRows) : parsed.data,
          truncated,
        };
      } catch (error) {
        throw toAnalystError(error);
      }
    },
    close: () => engine.close(),
  };
}

/** Kanon tables outside the published tier, filtered to nothing on the analyst connection. */
export function deniedTables(database: string, extra: readonly string[] = []): Record<string, string> {
  return Object.fromEntries([...UNPUBLISHED_TABLES, ...extra].map((table) => [`${database}.${table}`, '0']));
}

/** Opens analysts' SQL on whichever engine the warehouse is. */
export async function openAnalystSql(
  warehouse: {
    openReadOnlyEngine(options: { maxSeconds: number; maxMemoryBytes: number }): Promise<ReadOnlyEngine>;
  },
  options: { maxSeconds: number; maxMemoryBytes: number },
): Promise<AnalystSql> {
  return createAnalystSql(await warehouse.openReadOnlyEngine(options));
}
