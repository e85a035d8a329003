#!/usr/bin/env node
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '../core/config.js';
import { KanonError } from '../core/errors.js';
import { type BackupManifest, backupEngine, backupStore } from '../core/warehouse/backup.js';
import { openWarehouse } from '../core/warehouse/open-warehouse.js';
import { cliAudit } from '../dashboards/audit/cli-audit.js';
import { ControlError, connectControl, requireEmbeddedStore } from '../dashboards/control-client.js';
import { parseCliArgs } from './runtime/cli-args.js';

/**
 * `npm run backup -- --to DIR`: the published tables, users, catalogues, audit log and noise
 * secret, through the embedded engine's own BACKUP, into DIR with a manifest (kanon-backup.json).
 * With Kanon running it goes through the running process (the store has one owner); otherwise it
 * opens the store itself. A ClickHouse server backs itself up (docs/operations.md, Backups).
 */
const USAGE = `usage: npm run backup -- --to DIR
  --to DIR   a new or empty directory; the backup and its manifest go there`;

async function main(): Promise<number> {
  const args = parseCliArgs(
    { options: { to: { type: 'string' }, help: { type: 'boolean', short: 'h' } } },
    USAGE,
  );
  if (!args) return 2;
  if (args.values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!args.values.to) {
    console.error(USAGE);
    return 2;
  }
  const to = resolve(args.values.to);
  const config = loadConfig();
  let manifest: BackupManifest;
  const control = await connectControl(config);
  if (control) {
    manifest = await control.call<BackupManifest>('POST', '/control/v1/backup', { to });
  } else {
    requireEmbeddedStore(config);
    const warehouse = await openWarehouse(config.warehouse);
    try {
      const audit = cliAudit(warehouse);
      manifest = await backupStore(backupEngine(warehouse), to).catch(async (error: unknown) => {
        await audit({
          action: 'backup',
          target: to,
          outcome: 'failed',
          code: (error as KanonError).code ?? 'internal',
        });
        throw error;
      });
      const rows = Object.values(manifest.tables).reduce((sum, n) => sum + n, 0);
      await audit({
        action: 'backup',
        target: to,
        rows,
        detail: `${Object.keys(manifest.tables).length} tables`,
      });
    } finally {
      await warehouse.close();
    }
  }
  const rows = Object.values(manifest.tables).reduce((sum, n) => sum + n, 0);
  console.log(`backed up ${Object.keys(manifest.tables).length} tables (${rows} rows) to ${to}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) console.error(error.message);
    else if (error instanceof KanonError || error instanceof ControlError)
      console.error(`error: ${error.code}: ${error.message}`);
    else console.error(`backup failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
