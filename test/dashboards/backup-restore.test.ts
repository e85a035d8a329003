import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BACKUP_TABLES, backupEngine, backupStore, restoreStore } from '../../core/warehouse/backup.js';
import { ClickHouseAuditLog } from '../../dashboards/audit/audit-log.js';
import { serveControlToken } from '../../dashboards/auth/control-token.js';
import { runCli } from '../fixtures/run-cli.js';
import {
  type DashboardsHarness,
  PASSWORD,
  SITE,
  signInAs,
  startDashboards,
} from './fixtures/dashboards-app.js';

/**
 * npm run backup / npm run restore on the embedded engine: the engine's own BACKUP and RESTORE.
 * Back up, wipe, restore: the dashboards' API answers the same figures, the users sign in again.
 */
describe('backup and restore', () => {
  let dash: DashboardsHarness;
  let uncached: { url: string };
  const VIEWS = [
    `/api/v1/overview?site=${SITE}`,
    `/api/v1/products?site=${SITE}`,
    `/api/v1/searches?site=${SITE}`,
    `/api/v1/pages?site=${SITE}`,
  ];
  const count = async (table: string) =>
    (
      await dash.warehouse.query({
        name: 'count',
        sql: `SELECT count() AS n FROM ${table}`,
        row: z.object({ n: z.coerce.number() }),
      })
    )[0]!.n;
  const figures = async () => {
    const admin = await signInAs(uncached.url, 'backup-admin', PASSWORD, 'admin');
    return Promise.all(VIEWS.map((path) => admin.json(path)));
  };

  beforeAll(async () => {
    dash = await startDashboards();
    await dash.signIn('admin', 'backup-admin');
    uncached = await dash.variant({ cacheSeconds: 0 });
  }, 120_000);
  afterAll(async () => {
    await dash?.close();
  });

  it('backs up, and after a wipe restores the same figures, users and catalogue, never staging', async () => {
    const before = await figures();
    const dir = join(mkdtempSync(join(tmpdir(), 'kanon-backup-')), 'nightly');
    const manifest = await backupStore(backupEngine(dash.warehouse), dir);
    expect(Object.keys(manifest.tables)).not.toContain('stg_cells');
    expect(manifest.tables.app_users).toBeGreaterThan(0);
    expect(manifest.tables.pub_releases).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(dir, 'kanon-backup.json'), 'utf8'))).toEqual(manifest);

    for (const table of Object.keys(manifest.tables)) await dash.warehouse.exec(`TRUNCATE TABLE ${table}`);
    expect(await count('pub_releases')).toBe(0);
    await expect(signInAs(uncached.url, 'backup-admin', PASSWORD, 'admin')).rejects.toThrow(/401/);

    const { kept } = await restoreStore(backupEngine(dash.warehouse), dir);
    // The refused sign-in above is an entry of the wiped log, so the log keeps it (next test).
    expect(kept).toEqual(['app_audit_log']);
    for (const [table, rows] of Object.entries(manifest.tables))
      if (!kept.includes(table)) expect(await count(table), table).toBe(rows);
    expect(await figures()).toEqual(before);
  }, 180_000);

  it('keeps an audit log that has entries instead of replacing it (append-only)', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'kanon-backup-')), 'b');
    await new ClickHouseAuditLog(dash.warehouse).record({
      actor: 'before-backup',
      role: 'admin',
      action: 'sign_in',
    });
    await backupStore(backupEngine(dash.warehouse), dir);
    await new ClickHouseAuditLog(dash.warehouse).record({
      actor: 'after-backup',
      role: 'admin',
      action: 'sign_in',
    });
    const entries = await count('app_audit_log');
    const { kept } = await restoreStore(backupEngine(dash.warehouse), dir);
    expect(kept).toEqual(['app_audit_log']);
    expect(await count('app_audit_log')).toBe(entries);
  }, 120_000);

  it('npm run backup goes through the running Kanon, and npm run restore fills a new store from it', async () => {
    const controlToken = 'backup-control-token-0123456789abcdef';
    const control = await dash.variant({ controlToken });
    const dataDir = mkdtempSync(join(tmpdir(), 'kanon-backup-cli-'));
    const served = await serveControlToken(dataDir, { token: controlToken, url: control.url });
    const dir = join(mkdtempSync(join(tmpdir(), 'kanon-backup-')), 'copy');
    try {
      const backup = await runCli('backup', ['--to', dir], { KANON_DATA_DIR: dataDir });
      expect(backup.code, backup.stderr).toBe(0);
      expect(backup.stdout).toMatch(/^backed up \d+ tables \(\d+ rows\) to /);
    } finally {
      await served?.close();
    }
    const [entry] = (
      await new ClickHouseAuditLog(dash.warehouse).list({ since: 0, action: 'backup', limit: 1 })
    ).rows;
    expect(entry).toMatchObject({ actor: 'control', target: dir, outcome: 'ok' });

    // Another machine: a new data directory, no Kanon running on it.
    const fresh = { KANON_DATA_DIR: mkdtempSync(join(tmpdir(), 'kanon-restore-cli-')) };
    const restore = await runCli('restore', ['--from', dir], fresh);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(/^restored \d+ tables/);
    const manifest = JSON.parse(readFileSync(join(dir, 'kanon-backup.json'), 'utf8')) as {
      tables: Record<string, number>;
    };
    const counted = await runCli(
      'sql',
      [
        '--format',
        'csv',
        'SELECT (SELECT count() FROM pub_releases), (SELECT count() FROM pub_products_by_day)',
      ],
      fresh,
    );
    expect(counted.code, counted.stderr).toBe(0);
    expect(counted.stdout.trim().split(/\r?\n/)[1]).toBe(
      `${manifest.tables.pub_releases},${manifest.tables.pub_products_by_day}`,
    );
  }, 300_000);

  it('refuses a directory that is not empty, a relative or quoted path, and a folder that is no backup', async () => {
    const engine = backupEngine(dash.warehouse);
    const full = mkdtempSync(join(tmpdir(), 'kanon-backup-'));
    writeFileSync(join(full, 'something'), 'x');
    await expect(backupStore(engine, full)).rejects.toMatchObject({ code: 'backup_exists' });
    await expect(backupStore(engine, 'relative/dir')).rejects.toMatchObject({ code: 'invalid_backup_dir' });
    await expect(backupStore(engine, "/tmp/x'); DROP TABLE app_users; --")).rejects.toMatchObject({
      code: 'invalid_backup_dir',
    });
    await expect(restoreStore(engine, full)).rejects.toMatchObject({ code: 'not_a_backup' });
    expect(BACKUP_TABLES).not.toContain('stg_cells');
  });

  it('never lets an analyst run BACKUP or RESTORE, though the engine may write backups', async () => {
    const target = join(backupEngine(dash.warehouse).enginePath, 'analyst-probe');
    for (const statement of [
      `BACKUP TABLE pub_releases TO File('${target}/')`,
      `RESTORE TABLE pub_releases FROM File('${target}/')`,
    ]) {
      const error = (await dash.sql
        .run(statement, { maxRows: 10, timeoutSeconds: 5 })
        .catch((caught: unknown) => caught)) as { status?: number };
      expect(error.status, statement).toBeGreaterThanOrEqual(400);
      expect(error.status, statement).toBeLessThan(500);
    }
    expect(existsSync(target)).toBe(false);
  });
});
