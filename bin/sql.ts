#!/usr/bin/env node
import { createInterface } from 'node:readline/promises';
import { type Config, loadConfig } from '../core/config.js';
import { KanonError } from '../core/errors.js';
import { type AnalystResult, openAnalystSql } from '../core/warehouse/analyst-sql.js';
import type { Warehouse } from '../core/warehouse/warehouse.js';
import { cliAudit } from '../dashboards/audit/cli-audit.js';
import { readAllStdin } from '../dashboards/cli-input.js';
import { toCsv } from '../dashboards/csv.js';
import { formatTable, forTerminal } from '../dashboards/terminal-table.js';
import { parseCliArgs } from './runtime/cli-args.js';
import { explainError } from './runtime/explain-error.js';
import { openControlOrStore } from './runtime/open-control-or-store.js';
import { runCli } from './runtime/run-cli.js';

/**
 * Read-only SQL over the published tables, for data engineers: `npm run sql -- "SELECT ..."`, SQL
 * piped on stdin, or an interactive prompt. Same rules as POST /api/v1/query (published tables
 * only, enforced by the engine; time and row limits). With Kanon running it goes through the
 * running process (the embedded store has one owner), which it finds from KANON_DATA_DIR alone;
 * otherwise it opens the store read-only itself.
 */
const USAGE = `usage: npm run sql -- [options] ["SELECT ..."]
  no SQL argument: reads SQL from stdin, or opens a prompt (end statements with ;, \\q quits)
  --format table|csv|json   output (default: table on a terminal, csv otherwise)
  --max-rows N              row limit (default 10000)
  --timeout S               time limit in seconds (default 30)`;

type Run = (sql: string) => Promise<AnalystResult>;
type Limits = { maxRows: number; timeoutSeconds: number };
type Session = { run: Run; close(): Promise<void>; via: string };

function connect(config: Config, limits: Limits): Promise<Session> {
  return openControlOrStore(config, {
    viaControl: (control) => ({
      via: control.url,
      run: (sql) => control.call<AnalystResult>('POST', '/control/v1/query', { sql, format: 'json' }),
      close: async () => {},
    }),
    viaStore: (warehouse) => openStoreSession(warehouse, limits),
  });
}

async function openStoreSession(warehouse: Warehouse, limits: Limits): Promise<Session> {
  const analyst = await openAnalystSql(warehouse, {
    maxSeconds: limits.timeoutSeconds,
    maxMemoryBytes: 2 * 1024 ** 3,
  });
  const audit = cliAudit(warehouse);
  return {
    via: 'the store directly',
    // In the audit log like a query through the API: its text, row count, duration or refusal.
    run: async (sql) => {
      const started = performance.now();
      try {
        const result = await analyst.run(sql, limits);
        await audit({
          action: 'sql_query',
          query: sql,
          rows: result.rows.length,
          durationMs: performance.now() - started,
        });
        return result;
      } catch (error) {
        const known = error instanceof KanonError ? error : undefined;
        const refused = known !== undefined && known.status < 500;
        await audit({
          action: refused ? 'sql_refused' : 'sql_query',
          outcome: refused ? 'refused' : 'failed',
          code: known?.code ?? 'internal',
          query: sql,
          durationMs: performance.now() - started,
        });
        throw error;
      }
    },
    close: async () => {
      await analyst.close();
      await warehouse.close();
    },
  };
}

/**
 * Released labels can hold terminal control sequences, so nothing reaches a terminal raw: the
 * table always shows them as escapes, JSON writes them as \u escapes (it parses the same), and
 * CSV is escaped only on a terminal, so a file written through a pipe keeps the exact values.
 */
function print(result: AnalystResult, format: string): void {
  if (format === 'json') {
    for (const row of result.rows)
      console.log(
        forTerminal.json(JSON.stringify(Object.fromEntries(result.columns.map((c, i) => [c.name, row[i]])))),
      );
  } else if (format === 'csv') {
    const shown = (value: unknown) =>
      process.stdout.isTTY && typeof value === 'string' ? forTerminal.text(value) : value;
    process.stdout.write(
      toCsv(
        result.columns.map((column) => shown(column.name) as string),
        result.rows.map((row) => row.map(shown)),
      ),
    );
  } else {
    console.log(formatTable(result));
    console.log(
      `(${result.rows.length} row${result.rows.length === 1 ? '' : 's'}${result.truncated ? ', cut at the row limit' : ''})`,
    );
  }
  if (result.truncated && format !== 'table')
    console.error('warning: the result was cut at the row limit (--max-rows)');
}

async function main(): Promise<number> {
  const args = parseCliArgs(
    {
      options: {
        format: { type: 'string' },
        'max-rows': { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
    },
    USAGE,
  );
  if (!args) return 2;
  const { positionals, values } = args;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const format = values.format ?? (process.stdout.isTTY ? 'table' : 'csv');
  if (!['table', 'csv', 'json'].includes(format)) {
    console.error(USAGE);
    return 2;
  }
  const limits = {
    maxRows: Math.max(1, Number(values['max-rows'] ?? 10_000) || 10_000),
    timeoutSeconds: Math.max(1, Number(values.timeout ?? 30) || 30),
  };
  const config = loadConfig();
  const interactive = positionals.length === 0 && process.stdin.isTTY;
  const sql = positionals.join(' ') || (interactive ? '' : await readAllStdin());
  const session = await connect(config, limits);
  try {
    if (!interactive) {
      if (!sql.trim()) {
        console.error(USAGE);
        return 2;
      }
      try {
        print(await session.run(sql), format);
        return 0;
      } catch (error) {
        console.error(`error: ${explainError(error)}`);
        return 1;
      }
    }
    console.error(`Kanon SQL (read-only, published tables; via ${session.via}). End with ;  \\q quits.`);
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    let buffer = '';
    for (;;) {
      const line = await prompt.question(buffer ? '    -> ' : 'kanon> ').catch(() => '\\q');
      if (!buffer && ['\\q', 'quit', 'exit'].includes(line.trim())) break;
      buffer += `${line}\n`;
      if (!line.trim().endsWith(';')) continue;
      const statement = buffer;
      buffer = '';
      try {
        print(await session.run(statement), format);
      } catch (error) {
        console.error(`error: ${explainError(error)}`);
      }
    }
    prompt.close();
    return 0;
  } finally {
    await session.close();
  }
}

runCli(main);
