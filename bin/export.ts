#!/usr/bin/env node
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Config, loadConfig } from '../core/config.js';
import {
  type ExportedTable,
  type ExportFormat,
  type ExportManifest,
  type ExportPeriod,
  exportTable,
  type ManifestEntry,
  manifestEntry,
  parseFormat,
  parsePeriod,
  parseTables,
} from '../core/warehouse/export.js';
import type { Warehouse } from '../core/warehouse/warehouse.js';
import { cliAudit } from '../dashboards/audit/cli-audit.js';
import type { PublishedTable } from '../schema/tables.js';
import { parseCliArgs } from './runtime/cli-args.js';
import { openControlOrStore } from './runtime/open-control-or-store.js';
import { runCli } from './runtime/run-cli.js';

/**
 * `npm run export -- --from D --to D --format parquet --out DIR`: the released tables (pub_*) of a
 * period as files the engine writes, with manifest.json (tables, rows, SHA-256, format, period),
 * for loading into a warehouse or dbt (docs/integrations/export.md). With Kanon running it goes
 * through the running process (the embedded store has one owner), found from KANON_DATA_DIR
 * alone; otherwise it opens the store (embedded or a ClickHouse server) itself. One line per table
 * on stderr shows the progress.
 */
const USAGE = `usage: npm run export -- --from YYYY-MM-DD --to YYYY-MM-DD --out DIR [options]
  --from D, --to D             the period, whole UTC days, both included
  --format parquet|csv|jsonl   file format (default parquet)
  --tables a,b                 published tables (default: every pub_* table)
  --out DIR                    directory for the files and manifest.json (created if missing)`;

type Fetch = (table: PublishedTable, period: ExportPeriod, format: ExportFormat) => Promise<ExportedTable>;

type Session = { fetch: Fetch; close(): Promise<void>; via: string };

function connect(config: Config): Promise<Session> {
  return openControlOrStore<Session>(config, {
    viaControl: (control) => ({
      via: control.url,
      fetch: async (table, period, format) => {
        const query = new URLSearchParams({ table, from: period.from, to: period.to, format });
        const { bytes, headers } = await control.download(`/control/v1/export?${query}`);
        return { table, rows: Number(headers.get('x-kanon-rows') ?? 0), bytes };
      },
      close: async () => {},
    }),
    viaStore: buildStoreSession,
  });
}

function buildStoreSession(warehouse: Warehouse): Session {
  const audit = cliAudit(warehouse);
  return {
    via: 'the store directly',
    fetch: async (table, period, format) => {
      const exported = await exportTable(warehouse, table, period, format);
      await audit({
        action: 'export',
        target: table,
        rows: exported.rows,
        detail: `${format} ${period.from}..${period.to}`,
      });
      return exported;
    },
    close: () => warehouse.close(),
  };
}

async function main(): Promise<number> {
  const args = parseCliArgs(
    {
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        format: { type: 'string' },
        tables: { type: 'string' },
        out: { type: 'string' },
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
  if (!values.out) {
    console.error(`error: --out is required\n\n${USAGE}`);
    return 2;
  }
  // Checked before anything is opened, so a typo costs nothing.
  const period = parsePeriod(values.from, values.to);
  const format = parseFormat(values.format);
  const tables = parseTables(values.tables);
  const out = resolve(values.out);
  await mkdir(out, { recursive: true });
  const session = await connect(loadConfig());
  const entries: ManifestEntry[] = [];
  try {
    console.error(
      `Exporting ${tables.length} table${tables.length === 1 ? '' : 's'} (${period.from} to ${period.to}, ${format}) via ${session.via} into ${out}`,
    );
    for (const [index, table] of tables.entries()) {
      const exported = await session.fetch(table, period, format);
      const entry = manifestEntry(exported, format);
      // Written under a temporary name first, so a file with its final name is always complete.
      await writeFile(join(out, `${entry.file}.part`), exported.bytes);
      await rename(join(out, `${entry.file}.part`), join(out, entry.file));
      entries.push(entry);
      console.error(`[${index + 1}/${tables.length}] ${table}: ${entry.rows} rows, ${entry.bytes} bytes`);
    }
  } finally {
    await session.close();
  }
  const manifest: ExportManifest = {
    kanon_export: 1,
    format,
    period,
    created_at: new Date().toISOString(),
    tables: entries,
  };
  await writeFile(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const rows = entries.reduce((sum, entry) => sum + entry.rows, 0);
  console.error(
    `Done: ${rows} rows in ${entries.length} files; manifest.json lists them with their SHA-256.`,
  );
  return 0;
}

runCli(main);
