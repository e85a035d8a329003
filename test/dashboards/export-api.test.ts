import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { z } from 'zod';
import { dashboardsTest as test } from './fixtures/dashboards-app.js';

/** GET /api/v1/export: one released table as a file the engine wrote, for analysts only. */
describe('GET /api/v1/export', () => {
  test('answers a published table as Parquet that the engine reads back with the same rows', async ({
    dash,
    analyst,
  }) => {
    const from = dash.data.lastReleased;
    const to = dash.data.lastReleased;
    const response = await analyst.fetch(
      `/api/v1/export?table=pub_pages_by_day&from=${from}&to=${to}&format=parquet`,
    );
    expect(response.status, await response.clone().text()).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.apache.parquet');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="pub_pages_by_day_${from}_${to}.parquet"`,
    );
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.subarray(0, 4).toString()).toBe('PAR1');
    expect(response.headers.get('x-kanon-sha256')).toBe(createHash('sha256').update(bytes).digest('hex'));
    const dir = mkdtempSync(join(tmpdir(), 'kanon-export-api-'));
    try {
      const file = join(dir, 'pages.parquet');
      writeFileSync(file, bytes);
      const Row = z.object({ row: z.string() });
      const readBack = await dash.warehouse.query({
        name: 'read back',
        sql: `SELECT toJSONString(tuple(*)) AS row FROM file({path:String}, 'Parquet') ORDER BY row`,
        params: { path: file },
        row: Row,
      });
      const published = await dash.warehouse.query({
        name: 'published',
        sql: 'SELECT toJSONString(tuple(*)) AS row FROM pub_pages_by_day WHERE day = {day:Date} ORDER BY row',
        params: { day: from },
        row: Row,
      });
      expect(published.length).toBeGreaterThan(0);
      expect(Number(response.headers.get('x-kanon-rows'))).toBe(published.length);
      // pub_pages_by_day has no DateTime column besides released_at; compare the rest exactly.
      const strip = (rows: { row: string }[]) =>
        rows.map(({ row }) => (JSON.parse(row) as unknown[]).slice(0, -1)).sort();
      expect(strip(readBack)).toEqual(strip(published));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('answers CSV and JSON lines too', async ({ dash, analyst }) => {
    const day = dash.data.lastReleased;
    const csv = await analyst.fetch(
      `/api/v1/export?table=pub_overview_by_day&from=${day}&to=${day}&format=csv`,
    );
    expect(csv.status).toBe(200);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toContain('"site","day"');
    expect(lines).toHaveLength(2);
    const jsonl = await analyst.fetch(
      `/api/v1/export?table=pub_overview_by_day&from=${day}&to=${day}&format=jsonl`,
    );
    expect(jsonl.status).toBe(200);
    expect(JSON.parse((await jsonl.text()).trim())).toMatchObject({ site: 'demo', day });
  });

  test('refuses unpublished tables, bad periods and formats with invalid_export, and viewers', async ({
    dash,
    analyst,
  }) => {
    for (const query of [
      'table=app_users&from=2026-01-01&to=2026-01-02',
      'table=stg_cells&from=2026-01-01&to=2026-01-02',
      'table=pub_overview_by_day&from=2026-01-32&to=2026-02-01',
      'table=pub_overview_by_day&from=2026-02-01&to=2026-01-01',
      'table=pub_overview_by_day&from=2024-01-01&to=2026-01-01',
      'table=pub_overview_by_day&from=2026-01-01&to=2026-01-02&format=xlsx',
    ]) {
      const response = await analyst.fetch(`/api/v1/export?${query}`);
      expect(response.status, query).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_export');
    }
    const viewer = await dash.signIn('viewer');
    const refused = await viewer.fetch(
      '/api/v1/export?table=pub_overview_by_day&from=2026-01-01&to=2026-01-02',
    );
    expect(refused.status).toBe(403);
  });
});
