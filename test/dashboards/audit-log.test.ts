import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AuditRow } from '../../dashboards/audit/audit-log.js';
import { ClickHouseAuditLog } from '../../dashboards/audit/audit-log.js';
import { recordSettingChanges } from '../../dashboards/audit/record-settings.js';
import { serveControlToken } from '../../dashboards/auth/control-token.js';
import { runCli } from '../fixtures/run-cli.js';
import { type Client, type DashboardsHarness, SITE, startDashboards } from './fixtures/dashboards-app.js';

/**
 * The access audit log through the running dashboards: every sign-in, query, download and user
 * change is an entry with who, role, what and outcome; the log never holds a password, a token or
 * a shopper's data; admins read and export it, nobody else does.
 */
describe('the access audit log', () => {
  let dash: DashboardsHarness;
  let admin: Client;
  let analyst: Client;
  let control: { url: string };
  const controlToken = 'audit-control-token-marker-0123456789abcdef';
  // Markers that must never reach the log: passwords, a released value, a token.
  const PASSWORD_MARKER = 'pw-marker-Qx7Zr2';
  const NAME_FIELD_PASSWORD = 'typed-pw-in-name-Vb81';
  const DATA_MARKER = 'released-value-marker-kx93';

  const entries = async (filter: Record<string, string> = {}) => {
    const query = new URLSearchParams({ since: '30d', limit: '1000', ...filter });
    return (await admin.json<{ rows: AuditRow[] }>(`/api/v1/audit?${query}`)).rows;
  };
  /** Everything the table holds, as text, for the probes. */
  const wholeLog = async () =>
    (
      await dash.warehouse.query({
        name: 'audit_dump',
        sql: `SELECT concat(toString(at), '\\t', id, '\\t', actor, '\\t', role, '\\t', action, '\\t', target, '\\t', outcome, '\\t', code, '\\t', query, '\\t', toString(row_count), '\\t', detail) AS line FROM app_audit_log`,
        row: z.object({ line: z.string() }),
      })
    )
      .map((row) => row.line)
      .join('\n');

  beforeAll(async () => {
    dash = await startDashboards();
    admin = await dash.signIn('admin', 'audit-admin');
    analyst = await dash.signIn('analyst', 'audit-analyst');
    control = await dash.variant({ controlToken });
    await dash.warehouse.insert(
      'pub_searches_by_day',
      [{ site: SITE, day: dash.data.lastReleased, query: DATA_MARKER, searches: 9, zero_results: 0 }],
      { dedupToken: 'audit-test-marker' },
    );
  }, 120_000);
  afterAll(async () => {
    await dash?.close();
  });

  it('records a sign-in and a failed one with who, role and outcome, naming only users that exist', async () => {
    const login = (username: string, password: string) =>
      fetch(`${dash.url}/api/v1/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: dash.url },
        body: JSON.stringify({ username, password }),
      });
    expect((await login('audit-analyst', PASSWORD_MARKER)).status).toBe(401);
    expect((await login(NAME_FIELD_PASSWORD, PASSWORD_MARKER)).status).toBe(401);
    const rows = await entries({ action: 'sign_in_failed' });
    expect(rows.find((row) => row.actor === 'audit-analyst')).toMatchObject({
      role: 'analyst',
      outcome: 'refused',
      code: 'invalid_credentials',
    });
    expect(rows.filter((row) => row.actor === '')).toHaveLength(1);
    expect((await entries({ action: 'sign_in', actor: 'audit-admin' }))[0]).toMatchObject({
      role: 'admin',
      outcome: 'ok',
    });
  });

  it('records an analyst query with its text, row count and duration, and a refused one with its code', async () => {
    const sql = 'SELECT query FROM pub_searches_by_day ORDER BY length(query) DESC LIMIT 3';
    const answered = await analyst.fetch('/api/v1/query', { method: 'POST', json: { sql } });
    expect(answered.status).toBe(200);
    expect(JSON.stringify(await answered.json())).toContain(DATA_MARKER);
    const refused = await analyst.fetch('/api/v1/query', {
      method: 'POST',
      json: { sql: 'SELECT * FROM stg_cells' },
    });
    expect(refused.status).toBe(403);
    const [query] = await entries({ actor: 'audit-analyst', action: 'sql_query' });
    expect(query).toMatchObject({ role: 'analyst', outcome: 'ok', query: sql, rows: 3 });
    expect(query!.durationMs).toBeGreaterThanOrEqual(0);
    expect((await entries({ actor: 'audit-analyst', action: 'sql_refused' }))[0]).toMatchObject({
      outcome: 'refused',
      code: 'query_not_allowed',
      query: 'SELECT * FROM stg_cells',
    });
  });

  it('records a viewer refused at the SQL route, and a CSV download by the file it was', async () => {
    const viewer = await dash.signIn('viewer', 'audit-viewer');
    expect((await viewer.fetch('/api/v1/query', { method: 'POST', json: { sql: 'SELECT 1' } })).status).toBe(
      403,
    );
    const csv = await analyst.fetch(`/api/v1/searches?site=${SITE}&format=csv`);
    expect(csv.status).toBe(200);
    await csv.text();
    expect((await entries({ actor: 'audit-viewer' }))[0]).toMatchObject({
      action: 'sql_refused',
      role: 'viewer',
      code: 'forbidden',
    });
    const [download] = await entries({ actor: 'audit-analyst', action: 'csv_download' });
    expect(download).toMatchObject({ target: '/api/v1/searches', outcome: 'ok' });
    expect(download!.detail).toMatch(/^kanon-demo-searches-.*\.csv$/);
  });

  it('records user changes by an admin, and never the passwords given', async () => {
    const add = await admin.fetch('/api/v1/users', {
      method: 'POST',
      json: { name: 'audit-new', role: 'viewer', password: `${PASSWORD_MARKER}-new` },
    });
    expect(add.status).toBe(201);
    const patch = (json: unknown) => admin.fetch('/api/v1/users/audit-new', { method: 'PATCH', json });
    expect((await patch({ role: 'analyst' })).status).toBe(200);
    expect((await patch({ password: `${PASSWORD_MARKER}-changed` })).status).toBe(200);
    expect((await admin.fetch('/api/v1/users/audit-new', { method: 'DELETE' })).status).toBe(204);
    const rows = await entries({ actor: 'audit-admin' });
    const changes = rows.filter((row) => row.target === 'audit-new').map((row) => [row.action, row.detail]);
    expect(changes).toEqual([
      ['user_removed', ''],
      ['user_password_changed', 'new password'],
      ['user_role_changed', 'role analyst'],
      ['user_added', 'role viewer'],
    ]);
  });

  it('records the CLI route (npm run sql) as control with the OS user it names', async () => {
    const response = await fetch(`${control.url}/control/v1/query`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${controlToken}`,
        'content-type': 'application/json',
        'x-kanon-os-user': 'ops-anna',
      },
      body: JSON.stringify({ sql: 'SELECT 41 + 1 AS answer' }),
    });
    expect(response.status).toBe(200);
    expect((await entries({ actor: 'control' }))[0]).toMatchObject({
      role: 'control',
      action: 'sql_query',
      query: 'SELECT 41 + 1 AS answer',
      rows: 1,
      detail: 'os user ops-anna',
    });
  });

  it('counts failed sign-ins and refused queries in /metrics', async () => {
    const text = await (await fetch(`${dash.url}/metrics`)).text();
    expect(text).toMatch(/kanon_audit_entries_total\{action="sign_in_failed",outcome="refused"\} [1-9]/);
    expect(text).toMatch(/kanon_audit_entries_total\{action="sql_refused",outcome="refused"\} [1-9]/);
  });

  it('lets admins filter the log and export it as CSV, which is itself an entry; nobody else reads it', async () => {
    expect((await analyst.fetch('/api/v1/audit')).status).toBe(403);
    const refused = await entries({ outcome: 'refused' });
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((row) => row.outcome === 'refused')).toBe(true);
    expect(await entries({ since: '2020-01-01', until: '2020-02-01' })).toEqual([]);
    const bad = await admin.fetch('/api/v1/audit?since=yesterday');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_query');

    const csv = await admin.fetch('/api/v1/audit?since=30d&format=csv&action=sql_refused');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="kanon-audit-log-/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('at,actor,role,action,target,outcome,code,query,rows,duration_ms,detail');
    expect(lines.slice(1).every((line) => line.includes(',sql_refused,'))).toBe(true);
    expect((await entries({ action: 'export' }))[0]).toMatchObject({
      actor: 'audit-admin',
      target: 'app_audit_log',
      rows: lines.length - 1,
    });
  });

  it('prints the log with npm run audit through the running Kanon, filtered, and refuses a bad --since', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kanon-audit-cli-'));
    const served = await serveControlToken(dataDir, { token: controlToken, url: control.url });
    try {
      const env = { KANON_DATA_DIR: dataDir };
      const listed = await runCli(
        'audit',
        ['--since', '30d', '--action', 'sql_refused', '--format', 'json'],
        env,
      );
      expect(listed.code, listed.stderr).toBe(0);
      const rows = listed.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as AuditRow);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((row) => row.action === 'sql_refused')).toBe(true);
      expect(rows.map((row) => row.query)).toContain('SELECT * FROM stg_cells');
      const bad = await runCli('audit', ['--since', 'last tuesday'], env);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/^error: invalid_query: since: /);
    } finally {
      await served?.close();
    }
  }, 120_000);

  it('records a setting at its first start and when it changes, not when it stays', async () => {
    const log = new ClickHouseAuditLog(dash.warehouse);
    const settings = (k: number) => [
      { name: 'KANON_K', value: k, doc: '' },
      { name: 'KANON_WINDOW', value: '6h', doc: '' },
    ];
    expect(await recordSettingChanges(log, settings(5))).toEqual(['KANON_K', 'KANON_WINDOW']);
    expect(await recordSettingChanges(log, settings(5))).toEqual([]);
    expect(await recordSettingChanges(log, settings(7))).toEqual(['KANON_K']);
  });

  it('never holds a password, a session or control token, or a released value', async () => {
    // Compared lower-cased: the sign-in form lower-cases a user name, and a password typed there with it.
    const log = (await wholeLog()).toLowerCase();
    expect(log).toContain('audit-new');
    for (const secret of [
      PASSWORD_MARKER,
      NAME_FIELD_PASSWORD,
      DATA_MARKER,
      controlToken,
      admin.cookie.split('=')[1]!,
      admin.csrfToken,
      analyst.cookie.split('=')[1]!,
    ]) {
      expect(log).not.toContain(secret.toLowerCase());
    }
  });
});
