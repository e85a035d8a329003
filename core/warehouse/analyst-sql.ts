import { ANALYST_TABLES } from '../../schema/tables.js';
import { KanonError } from '../errors.js';
import { engineErrorCode, engineErrorName } from './warehouse.js';

/**
 * Read-only SQL for data engineers (invariant 9). The engine enforces it, not string matching:
 * - the query runs on a connection the engine holds in `readonly=1` mode (no writes, no DDL, no
 *   file()/url(), no changing settings back), with a time limit and a memory cap;
 * - the engine's own query tree (`EXPLAIN QUERY TREE`) lists every table and table function the
 *   query would read, through subqueries, CTEs, joins and IN; anything but a published table is
 *   refused;
 * - Kanon's other tables are additionally filtered to nothing on that connection
 *   (`additional_table_filters`), a second net.
 * The analyst's text is wrapped as `SELECT * FROM (<sql>) LIMIT n+1`, which also makes anything but
 * one SELECT a syntax error, and SETTINGS clauses are refused wherever the syntax tree has one.
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

/** Table functions that read nothing but their arguments. */
const ALLOWED_FUNCTIONS = new Set([
  'numbers',
  'numbers_mt',
  'zeros',
  'zeros_mt',
  'values',
  'generate_series',
  'one',
]);
export const MAX_SQL_LENGTH = 20_000;

export const queryNotAllowed = (what: string) =>
  new KanonError('query_not_allowed', 403, `Only published tables (pub_*) can be queried; ${what}.`);

export function wrapAnalystSql(sql: string, maxRows: number): string {
  // A newline before the closing parenthesis keeps a trailing `-- comment` from swallowing it.
  return `SELECT * FROM (\n${sql.replace(/;\s*$/, '')}\n) LIMIT ${maxRows + 1}`;
}

export function readsOf(queryTree: string): { tables: string[]; functions: string[] } {
  const tables = [...queryTree.matchAll(/\bTABLE id: \d+.*?table_name: ([^\s,]+)/g)].map(
    (match) => match[1]!,
  );
  const functions = [...queryTree.matchAll(/\bTABLE_FUNCTION id: \d+.*?table_function_name: ([^\s,]+)/g)].map(
    (match) => match[1]!,
  );
  return { tables, functions };
}

/**
 * A SETTINGS clause inside a subquery is honoured even on a read-only connection (it could lift
 * the time limit or the table filters for that subquery), so the engine's own syntax tree is asked
 * whether the query has one anywhere: a `Set` node.
 */
export function hasSettingsClause(ast: string): boolean {
  // Lines may come quoted when a client's output format quotes strings.
  return ast.split('\n').some((line) => /^\s*Set\s*$/.test(line.replace(/^"|"$/g, '')));
}

export function checkReads(reads: { tables: string[]; functions: string[] }, database: string): void {
  // system.one is the engine's one-row table behind `SELECT 1`; it holds nothing.
  const allowed = new Set([...ANALYST_TABLES.map((table) => `${database}.${table}`), 'system.one']);
  for (const table of reads.tables) {
    if (!allowed.has(table)) {
      throw queryNotAllowed(
        table.startsWith('system.') ? 'system tables are not available' : `${table} is not published`,
      );
    }
  }
  for (const fn of reads.functions) {
    if (!ALLOWED_FUNCTIONS.has(fn)) throw queryNotAllowed(`the table function ${fn}() is not available`);
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
        if (
          hasSettingsClause(await engine.readOnly(`EXPLAIN AST ${wrapped}`, 'TSVRaw', limits.timeoutSeconds))
        ) {
          throw queryNotAllowed('SETTINGS clauses are not available (limits are fixed by the deployment)');
        }
        checkReads(
          readsOf(await engine.readOnly(`EXPLAIN QUERY TREE ${wrapped}`, 'TSVRaw', limits.timeoutSeconds)),
          engine.database,
        );
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
  return Object.fromEntries(
    ['stg_cells', 'stg_released', 'kanon_migrations', 'app_users', ...extra].map((table) => [
      `${database}.${table}`,
      '0',
    ]),
  );
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
