#!/usr/bin/env node
import { type Config, loadConfig } from '../core/config.js';
import { parseAuditFilter } from '../dashboards/audit/audit-filter.js';
import { type AuditRow, ClickHouseAuditLog } from '../dashboards/audit/audit-log.js';
import { AUDIT_CSV_COLUMNS, auditCsv } from '../dashboards/routes/audit.js';
import { formatTable, forTerminal } from '../dashboards/terminal-table.js';
import { parseCliArgs } from './runtime/cli-args.js';
import { openControlOrStore } from './runtime/open-control-or-store.js';
import { runCli } from './runtime/run-cli.js';

/**
 * `npm run audit -- --since 7d`: the access audit log (sign-ins, queries, downloads, user and
 * setting changes, purges, backups), newest first. With Kanon running it reads through the running
 * process (the embedded store has one owner), found from KANON_DATA_DIR alone; otherwise it opens
 * the store itself. Reading the log is not itself an entry.
 */
const USAGE = `usage: npm run audit -- [options]
  --since T        from: 7d, 12h (before now) or a date 2026-12-01 (default 7d)
  --until T        up to, not including (default: now)
  --actor NAME     one user (or control, cli, system)
  --action A       sign_in, sign_in_failed, sql_query, sql_refused, csv_download, export,
                   user_added, user_removed, user_role_changed, user_password_changed,
                   setting_changed, catalog_import, purge, backup, restore
  --outcome O      ok, refused or failed
  --limit N        at most N entries (default 500)
  --format table|csv|json   output (default: table on a terminal, csv otherwise)`;

type AuditPage = { rows: AuditRow[]; truncated: boolean };

function read(config: Config, query: Record<string, string>): Promise<AuditPage> {
  return openControlOrStore(config, {
    viaControl: (control) =>
      control.call<AuditPage>('GET', `/control/v1/audit?${new URLSearchParams(query)}`),
    viaStore: async (warehouse) => {
      try {
        const { format: _format, ...filter } = parseAuditFilter(query, Date.now());
        return await new ClickHouseAuditLog(warehouse).list(filter);
      } finally {
        await warehouse.close();
      }
    },
  });
}

function print(rows: readonly AuditRow[], format: string): void {
  if (format === 'json') {
    for (const row of rows) console.log(forTerminal.json(JSON.stringify(row)));
  } else if (format === 'csv') {
    const csv = auditCsv(rows);
    process.stdout.write(process.stdout.isTTY ? forTerminal.text(csv) : csv);
  } else {
    const columns = AUDIT_CSV_COLUMNS.filter((name) => name !== 'query' && name !== 'duration_ms');
    console.log(
      formatTable({
        columns: columns.map((name) => ({ name, type: name === 'rows' ? 'UInt64' : 'String' })),
        rows: rows.map((row) => [
          row.at.replace('T', ' ').slice(0, 19),
          row.actor,
          row.role,
          row.action,
          row.target,
          row.outcome,
          row.code,
          row.rows,
          [row.query, row.detail].filter(Boolean).join(' · '),
        ]),
        truncated: false,
      }),
    );
    console.log(`(${rows.length} entr${rows.length === 1 ? 'y' : 'ies'})`);
  }
}

async function main(): Promise<number> {
  const args = parseCliArgs(
    {
      options: {
        since: { type: 'string' },
        until: { type: 'string' },
        actor: { type: 'string' },
        action: { type: 'string' },
        outcome: { type: 'string' },
        limit: { type: 'string' },
        format: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    USAGE,
  );
  if (!args) return 2;
  const { values } = args;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const format = values.format ?? (process.stdout.isTTY ? 'table' : 'csv');
  if (!['table', 'csv', 'json'].includes(format)) {
    console.error(USAGE);
    return 2;
  }
  const query = Object.fromEntries(
    (['since', 'until', 'actor', 'action', 'outcome', 'limit'] as const)
      .filter((key) => values[key] !== undefined)
      .map((key) => [key, values[key] as string]),
  );
  // Checked here too, so a mistyped option is refused before anything is opened.
  parseAuditFilter(query, Date.now());
  const { rows, truncated } = await read(loadConfig(), query);
  print(rows, format);
  if (truncated) console.error('warning: more entries matched; narrow the range or raise --limit');
  return 0;
}

runCli(main);
