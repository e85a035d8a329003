#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '../core/config.js';
import { KanonError } from '../core/errors.js';
import { backupEngine, readManifest, restoreStore } from '../core/warehouse/backup.js';
import { embeddedStoreHolder, embeddedStorePath } from '../core/warehouse/embedded-lock.js';
import { openWarehouse } from '../core/warehouse/open-warehouse.js';
import { cliAudit } from '../dashboards/audit/cli-audit.js';
import { ClickHouseUserStore } from '../dashboards/auth/user-store.js';
import { applyRetention } from '../schema/apply-retention.js';
import { migrate } from '../schema/migrate.js';
import { parseCliArgs } from './runtime/cli-args.js';
import { schemaVariables } from './runtime/stages.js';

/**
 * `npm run restore -- --from DIR`: puts a backup made by npm run backup back, through the
 * engine's own RESTORE: the backed-up tables get the backup's rows (staging is left alone), and
 * each table's row count is checked against the manifest. Stop Kanon first: a restore under a
 * running release would mix old and new rows.
 */
const USAGE = `usage: npm run restore -- --from DIR
  --from DIR   a directory written by npm run backup (stop npm start first)`;

async function main(): Promise<number> {
  const args = parseCliArgs(
    { options: { from: { type: 'string' }, help: { type: 'boolean', short: 'h' } } },
    USAGE,
  );
  if (!args) return 2;
  if (args.values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!args.values.from) {
    console.error(USAGE);
    return 2;
  }
  const from = resolve(args.values.from);
  const manifest = readManifest(from);
  const config = loadConfig();
  if (config.warehouse.kind === 'embedded') {
    const dataDir = resolve(config.dataDir);
    const holder = embeddedStoreHolder(dataDir);
    if (holder) {
      console.error(
        `error: KANON_DATA_DIR (${dataDir}) is held by another process (pid ${holder.pid}): stop it (Ctrl-C where npm start runs) and run restore again.`,
      );
      return 1;
    }
  }
  // A new machine has no store yet: the restore creates it, with today's schema.
  if (config.warehouse.kind === 'embedded' && !existsSync(embeddedStorePath(resolve(config.dataDir))))
    console.error(
      `no store yet in ${resolve(config.dataDir)} (KANON_DATA_DIR): creating one to restore into`,
    );
  const warehouse = await openWarehouse(config.warehouse);
  try {
    await migrate(warehouse, schemaVariables(config));
    await ClickHouseUserStore.open(warehouse);
    const audit = cliAudit(warehouse);
    const { kept } = await restoreStore(backupEngine(warehouse), from).catch(async (error: unknown) => {
      await audit({
        action: 'restore',
        target: from,
        outcome: 'failed',
        code: (error as KanonError).code ?? 'internal',
      });
      throw error;
    });
    // Tables the backup created keep its TTLs until this brings them in line with today's settings.
    await applyRetention(warehouse, schemaVariables(config));
    const rows = Object.values(manifest.tables).reduce((sum, n) => sum + n, 0);
    await audit({ action: 'restore', target: from, rows, detail: `backup of ${manifest.createdAt}` });
    console.log(
      `restored ${Object.keys(manifest.tables).length - kept.length} tables (backup of ${manifest.createdAt})`,
    );
    if (kept.length > 0)
      console.log(`kept the current ${kept.join(', ')}: it has entries, and the audit log is append-only`);
  } finally {
    await warehouse.close();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) console.error(error.message);
    else if (error instanceof KanonError) console.error(`error: ${error.code}: ${error.message}`);
    else console.error(`restore failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
