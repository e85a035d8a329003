import {
  ANALYST_TABLES,
  AUDIT_TABLE,
  CATALOG_TABLE,
  CATALOG_VERSIONS_TABLE,
  MIGRATIONS_TABLE,
  REPORT_MAILS_TABLE,
  REPORT_SUBSCRIPTIONS_TABLE,
  SECRETS_TABLE,
  SITE_SECRETS_TABLE,
  STAGING_TABLE,
  USERS_TABLE,
} from '../../schema/tables.js';
import { ANALYST_TABLE_FUNCTIONS, allowedFunction, type FunctionRole } from './analyst-functions.js';

/**
 * Reads the engine's own account of an analyst query, `EXPLAIN AST` (the syntax tree, before
 * anything is evaluated) and `EXPLAIN QUERY TREE` (after the analyzer resolved every name), and
 * says what in it an analyst may not use (invariant 9). Both trees print user-chosen aliases raw,
 * so a crafted alias can add lines that look like nodes: that can only add refusals, never hide a
 * real node, because every real node keeps its own line.
 */
export type Refusal =
  | { kind: 'function'; name: string }
  | { kind: 'table_function'; name: string }
  | { kind: 'table'; name: string }
  | { kind: 'settings' }
  | { kind: 'apply' }
  | { kind: 'statement' };

/**
 * Kanon's tables an analyst never reads (staging holds visitor tokens, app_users password hashes,
 * the catalogue the shop's own product feed, the audit log who did what, their own queries included,
 * the report subscriptions users' e-mail addresses: analysts read what is released and nothing else).
 */
export const UNPUBLISHED_TABLES: readonly string[] = [
  STAGING_TABLE,
  MIGRATIONS_TABLE,
  USERS_TABLE,
  CATALOG_TABLE,
  CATALOG_VERSIONS_TABLE,
  SECRETS_TABLE,
  AUDIT_TABLE,
  REPORT_SUBSCRIPTIONS_TABLE,
  REPORT_MAILS_TABLE,
  SITE_SECRETS_TABLE,
];

function lines(text: string): string[] {
  // Lines may come quoted when a client's output format quotes strings.
  return text.split('\n').map((line) => line.replace(/^"|"$/g, ''));
}

/**
 * Every check that must hold before the engine analyses the query. The analyzer evaluates
 * constant expressions and scalar subqueries while it builds the query tree, so a function or a
 * table refused only there would already have run (`SELECT file('/etc/hostname')` reads the file,
 * and `intDiv(1, (SELECT count() FROM system.tables WHERE ...))` answers a question through its
 * error code). So, from the syntax tree: one SELECT with no INTO OUTFILE; no SETTINGS clause
 * anywhere (it could lift the limits for a subquery); no APPLY (the syntax tree does not print the
 * function it applies); every function one the allowlist accepts; no table outside the published
 * ones.
 */
export function refusalInSyntaxTree(ast: string, database: string): Refusal | undefined {
  const all = lines(ast);
  if (!oneSelect(all)) return { kind: 'statement' };
  let parent = '';
  for (const line of all) {
    const node = line.trim();
    if (node === 'Set') return { kind: 'settings' };
    if (node.startsWith('ColumnsApplyTransformer')) return { kind: 'apply' };
    const call = /^Function (\S+)/.exec(node)?.[1];
    // Either kind of name passes in either place: no allowed function is also a table function
    // (the test checks), so a name in the wrong place is unknown to the engine. `lambda` is
    // syntax (x -> ...), not a function the engine runs.
    if (
      call !== undefined &&
      call !== 'lambda' &&
      !allowedFunction(call) &&
      !ANALYST_TABLE_FUNCTIONS.has(call)
    ) {
      // A table function is the first child of its TableExpression.
      return { kind: parent.startsWith('TableExpression') ? 'table_function' : 'function', name: call };
    }
    const table = /^TableIdentifier (\S+)/.exec(node)?.[1];
    if (table !== undefined && !readable(table, database, true)) return { kind: 'table', name: table };
    parent = node;
  }
  return undefined;
}

/**
 * The root holds the wrapped SELECT and, from clickhouse-js, the FORMAT it appends; anything else
 * there (INTO OUTFILE's path, which a read-only connection still writes) is refused.
 */
function oneSelect(all: readonly string[]): boolean {
  if (!/^SelectWithUnionQuery \(children [12]\)$/.test(all[0] ?? '')) return false;
  const children = all.slice(1).filter((line) => /^ \S/.test(line));
  return (
    children[0] === ' ExpressionList (children 1)' &&
    children.slice(1).every((line) => /^ Identifier \w+$/.test(line))
  );
}

function readable(table: string, database: string, unresolved: boolean): boolean {
  // system.one is the engine's one-row table behind `SELECT 1`; it holds nothing.
  if (table === 'system.one') return true;
  if (table.startsWith(`${database}.`)) return ANALYST_TABLES.includes(table.slice(database.length + 1));
  // Before analysis an unqualified name may still be a CTE; the query tree says what it is.
  return unresolved && !table.includes('.') && !UNPUBLISHED_TABLES.includes(table);
}

const FUNCTION_NODE =
  /^\s*FUNCTION id: \d+, function_name: (\w+), function_type: (ordinary|aggregate|window)\b/;
const TABLE_NODE = /^\s*TABLE id: \d+(?:, alias: __table\d+)?, table_name: ([^\s,]+)/;
const TABLE_FUNCTION_NODE = /^\s*TABLE_FUNCTION id: \d+(?:, alias: __table\d+)?, table_function_name: (\w+)/;

/**
 * The same rules on the resolved query tree, where names are canonical and the analyzer's own
 * rewrites (count(DISTINCT) to uniqExact, sum(if(...)) to sumIf) show. A node line in a form not
 * understood here is refused rather than skipped.
 */
export function refusalInQueryTree(tree: string, database: string): Refusal | undefined {
  for (const line of lines(tree)) {
    const node = line.trimStart();
    if (node.startsWith('FUNCTION id:')) {
      const match = FUNCTION_NODE.exec(line);
      const name = match?.[1] ?? 'unknown';
      if (!match || !allowedFunction(name, match[2] as FunctionRole)) return { kind: 'function', name };
    } else if (node.startsWith('TABLE_FUNCTION id:')) {
      const name = TABLE_FUNCTION_NODE.exec(line)?.[1];
      if (!name || !ANALYST_TABLE_FUNCTIONS.has(name))
        return { kind: 'table_function', name: name ?? 'unknown' };
    } else if (node.startsWith('TABLE id:')) {
      const name = TABLE_NODE.exec(line)?.[1];
      if (!name || !readable(name, database, false)) return { kind: 'table', name: name ?? 'unknown' };
    }
  }
  return undefined;
}

/** Every table and table function a query tree reads (the dashboards' own queries are checked with it). */
export function readsOf(queryTree: string): { tables: string[]; functions: string[] } {
  const tables = lines(queryTree).flatMap((line) => TABLE_NODE.exec(line)?.[1] ?? []);
  const functions = lines(queryTree).flatMap((line) => TABLE_FUNCTION_NODE.exec(line)?.[1] ?? []);
  return { tables, functions };
}
