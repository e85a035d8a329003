import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { freePort } from '../../core/free-port.js';
import { ChdbWarehouse } from '../../core/warehouse/chdb-embedded.js';
import type { ExportManifest } from '../../core/warehouse/export.js';
import { migrate } from '../../schema/migrate.js';
import { PUBLISHED_TABLES } from '../../schema/tables.js';
import { seedPublishedData } from '../dashboards/fixtures/published-data.js';
import { waitUntilAnswering } from '../fixtures/kanon-process.js';
import { testRedisUrl, uniquePrefix } from '../fixtures/redis.js';
import { runCli } from '../fixtures/run-cli.js';
import { TEST_SCHEMA } from '../fixtures/warehouse.js';

/**
 * `npm run export`, tried as a data engineer runs it: on a store with released data, with no Kanon
 * running (the CLI opens the store) and with one running (through its control route), then read
 * back with the engine itself (`file(..., Parquet)`): the same rows as the published tables hold.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'kanon-export-'));
const outDirs: string[] = [];
const running: ChildProcess[] = [];
const env = { KANON_DATA_DIR: dataDir };
let period: { from: string; to: string };

const outDir = (label: string) => {
  const dir = mkdtempSync(join(tmpdir(), `kanon-export-${label}-`));
  outDirs.push(dir);
  return dir;
};

const readManifest = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as ExportManifest;

beforeAll(async () => {
  const warehouse = await ChdbWarehouse.open({ dataDir, database: 'kanon' });
  await migrate(warehouse, TEST_SCHEMA);
  const now = Date.now();
  const data = await seedPublishedData(warehouse, {
    site: 'demo',
    now,
    k: 5,
    windowSeconds: 6 * 3600,
    days: 10,
  });
  await warehouse.close();
  // A period that covers released days and the unreleased yesterday and today (windows only).
  const first = new Date(Date.parse(`${data.lastReleased}T00:00:00Z`) - 5 * 86_400_000);
  period = { from: first.toISOString().slice(0, 10), to: data.today };
}, 120_000);

afterAll(async () => {
  await Promise.all(
    running.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve(undefined);
          child.once('exit', resolve);
          child.kill('SIGTERM');
        }),
    ),
  );
  for (const dir of [dataDir, ...outDirs]) rmSync(dir, { recursive: true, force: true });
});

describe('npm run export', () => {
  const direct: Record<string, string> = {};

  it('refuses a bad period, format or table before it opens anything', async () => {
    const out = outDir('bad');
    for (const [args, message] of [
      [['--from', '2026-02-30', '--to', '2026-03-01'], 'from: must be a date YYYY-MM-DD'],
      [['--from', '2026-03-02', '--to', '2026-03-01'], 'to: must be on or after from'],
      [['--from', '2026-03-01', '--to', '2026-03-01', '--format', 'xlsx'], 'format: must be one of'],
      [
        ['--from', '2026-03-01', '--to', '2026-03-01', '--tables', 'app_users'],
        'table: must be a published table',
      ],
    ] as const) {
      const result = await runCli('export', [...args, '--out', out], env);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain(`invalid_export: ${message}`);
      expect(result.stderr).not.toContain('app_users');
    }
  });

  for (const format of ['parquet', 'csv', 'jsonl'] as const) {
    it(`writes every published table as ${format} with a manifest, on the store directly`, async () => {
      const out = outDir(format);
      direct[format] = out;
      const result = await runCli(
        'export',
        ['--from', period.from, '--to', period.to, '--format', format, '--out', out],
        env,
      );
      expect(result.code, result.stderr).toBe(0);
      const manifest = readManifest(out);
      expect(manifest).toMatchObject({ kanon_export: 1, format, period });
      expect(manifest.tables.map((entry) => entry.table)).toEqual([...PUBLISHED_TABLES]);
      // Progress: one line per table as it is written.
      expect(result.stderr).toContain(`[1/${PUBLISHED_TABLES.length}] ${PUBLISHED_TABLES[0]}:`);
      expect(result.stderr).toContain(`[${PUBLISHED_TABLES.length}/${PUBLISHED_TABLES.length}]`);
      for (const entry of manifest.tables) {
        const bytes = readFileSync(join(out, entry.file));
        expect(entry.file).toBe(`${entry.table}.${format}`);
        expect(entry.bytes).toBe(bytes.byteLength);
        expect(entry.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      }
      expect(manifest.tables.find((entry) => entry.table === 'pub_overview_by_day')?.rows).toBeGreaterThan(0);
      expect(manifest.tables.find((entry) => entry.table === 'pub_overview_by_window')?.rows).toBeGreaterThan(
        0,
      );
    }, 120_000);
  }

  it('writes the same rows through a running Kanon, which holds the store', async () => {
    const port = await freePort();
    let output = '';
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/kanon.ts', 'dashboards'], {
      cwd: new URL('../../', import.meta.url).pathname,
      env: {
        PATH: process.env.PATH ?? '',
        REDIS_URL: testRedisUrl(),
        KANON_SALT_REDIS_URL: testRedisUrl(),
        KANON_QUEUE_PREFIX: uniquePrefix('export'),
        KANON_METRICS_PORT: '0',
        KANON_LOG_LEVEL: 'info',
        KANON_DATA_DIR: dataDir,
        KANON_DASHBOARDS_PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.push(child);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await waitUntilAnswering(`http://127.0.0.1:${port}/healthz`, child, {
      output: () => output,
      timeoutMs: 120_000,
    });
    while (!output.includes('dashboards listening')) await new Promise((resolve) => setTimeout(resolve, 100));
    const out = outDir('running');
    const tables = 'pub_overview_by_day,pub_overview_by_window,pub_pages_by_day';
    const result = await runCli(
      'export',
      ['--from', period.from, '--to', period.to, '--tables', tables, '--out', out],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`via http://127.0.0.1:${port}`);
    const manifest = readManifest(out);
    const directManifest = readManifest(direct.parquet!);
    expect(manifest.format).toBe('parquet');
    for (const entry of manifest.tables) {
      const same = directManifest.tables.find((other) => other.table === entry.table);
      expect(entry.rows).toBe(same?.rows);
      expect(entry.sha256).toBe(
        createHash('sha256')
          .update(readFileSync(join(out, entry.file)))
          .digest('hex'),
      );
    }
    // Only the named tables.
    expect(manifest.tables.map((entry) => entry.table)).toEqual(tables.split(','));
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  }, 180_000);

  it('reads back with the engine: every Parquet file holds exactly the published rows of the period', async () => {
    const warehouse = await ChdbWarehouse.open({ dataDir, database: 'kanon' });
    try {
      const manifest = readManifest(direct.parquet!);
      const Row = z.object({ row: z.string() });
      for (const entry of manifest.tables) {
        const timeColumn = entry.table.endsWith('_by_day') ? 'day' : 'window_start';
        const where =
          timeColumn === 'day'
            ? 'day BETWEEN {from:Date} AND {to:Date}'
            : "window_start >= toDateTime({from:Date}, 'UTC') AND window_start < toDateTime({to:Date}, 'UTC') + INTERVAL 1 DAY";
        const published = await warehouse.query({
          name: 'published',
          sql: `SELECT toJSONString(tuple(*)) AS row FROM ${entry.table} WHERE ${where} ORDER BY row`,
          params: period,
          row: Row,
        });
        const file = join(direct.parquet!, entry.file);
        // Read as a loader does, with the table's schema: Parquet stores DateTime as a timestamp.
        const [columns] = await warehouse.query({
          name: 'structure',
          sql: `SELECT arrayStringConcat(groupArray(concat(name, ' ', type)), ', ') AS structure
                FROM (SELECT name, type FROM system.columns
                      WHERE database = currentDatabase() AND table = {table:String} ORDER BY position)`,
          params: { table: entry.table },
          row: z.object({ structure: z.string() }),
        });
        const structure = (columns?.structure ?? '').replaceAll("'", "\\'");
        const readBack = await warehouse.query({
          name: 'read back',
          sql: `SELECT toJSONString(tuple(*)) AS row FROM file({path:String}, 'Parquet', '${structure}') ORDER BY row`,
          params: { path: file },
          row: Row,
        });
        expect(readBack.length, entry.table).toBe(entry.rows);
        expect(readBack, entry.table).toEqual(published);
      }
    } finally {
      await warehouse.close();
    }
  }, 120_000);
});
