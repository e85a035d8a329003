import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readsOf } from '../../core/warehouse/analyst-guard.js';
import type { QuerySpec, Warehouse } from '../../core/warehouse/warehouse.js';
import { controlSocketPath, serveControlToken } from '../../dashboards/auth/control-token.js';
import {
  ANALYST_TABLES,
  CATALOG_TABLE,
  CATALOG_VERSIONS_TABLE,
  REPORT_SUBSCRIPTIONS_TABLE,
  USERS_TABLE,
} from '../../schema/tables.js';
import {
  type Client,
  type DashboardsHarness,
  PASSWORD,
  SITE,
  signInAs,
  startDashboards,
} from '../dashboards/fixtures/dashboards-app.js';
import { ORDINARY_QUERIES, PROBES, withDatabase } from '../fixtures/analyst-probes.js';
import { runCli } from '../fixtures/run-cli.js';

/**
 * Invariant 9: dashboards and the query API require a signed-in user with a role, and they read
 * published tables only. Every query the dashboards send while every API route is exercised is
 * recorded, and the engine's own query tree (EXPLAIN QUERY TREE) says which tables it reads.
 */
function recording(
  warehouse: Warehouse,
  log: { sql: string; params?: Record<string, unknown> }[],
): Warehouse {
  return new Proxy(warehouse, {
    get(target, property, receiver) {
      if (property === 'query') {
        return <T>(spec: QuerySpec<T>) => {
          log.push({ sql: spec.sql, params: spec.params });
          return target.query(spec);
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('invariant 9: access is limited', () => {
  let harness: DashboardsHarness;
  let variant: { url: string; close(): Promise<void> };
  const queries: { sql: string; params?: Record<string, unknown> }[] = [];
  let getRoutes: string[] = [];

  beforeAll(async () => {
    harness = await startDashboards();
    variant = await harness.variant({ warehouse: recording(harness.warehouse, queries) });
    await harness.signIn('analyst');
    const analyst = await signInAs(variant.url, 'analyst', PASSWORD, 'analyst');
    const openapi = await analyst.json<{ paths: Record<string, Record<string, unknown>> }>(
      '/api/v1/openapi.json',
    );
    getRoutes = Object.entries(openapi.paths)
      .filter(([path, methods]) => 'get' in methods && !path.includes('{') && path.startsWith('/api/v1/'))
      .map(([path]) => path);
    const to = new Date(harness.now).toISOString().slice(0, 10);
    const from = new Date(harness.now - 27 * 86_400_000).toISOString().slice(0, 10);
    for (const path of getRoutes) {
      const response = await analyst.fetch(`${path}?site=${SITE}&from=${from}&to=${to}`);
      expect(response.status, path).toBeLessThan(500);
      await response.arrayBuffer();
    }
  }, 120_000);
  afterAll(async () => {
    await variant?.close();
    await harness?.close();
  });

  it('exercises the report API (the check below is not vacuous)', () => {
    expect(getRoutes.length).toBeGreaterThan(15);
    expect(queries.length).toBeGreaterThan(15);
  });

  it('reads published tables (and its own users, product catalogue and report e-mail tables) only, never staging or system tables', async () => {
    // The catalogue is the shops' product feeds (shop data, no shopper's): it names products. The
    // report e-mail choices are the dashboards users' own, as app_users.
    const allowed = new Set(
      [...ANALYST_TABLES, USERS_TABLE, CATALOG_TABLE, CATALOG_VERSIONS_TABLE, REPORT_SUBSCRIPTIONS_TABLE].map(
        (table) => `${harness.warehouse.database}.${table}`,
      ),
    );
    for (const { sql, params } of queries) {
      const tree = await harness.warehouse.query({
        name: 'explain',
        sql: `EXPLAIN QUERY TREE ${sql}`,
        params,
        row: z.object({ explain: z.string() }),
      });
      const reads = readsOf(tree.map((row) => row.explain).join('\n'));
      expect(reads.tables.length, sql).toBeGreaterThan(0);
      for (const table of reads.tables) expect(allowed.has(table), `${table} in ${sql}`).toBe(true);
    }
  });

  it('answers every API route with 401 and every page with a sign-in redirect when signed out', async () => {
    for (const path of getRoutes.filter((route) => route !== '/api/v1/openapi.json')) {
      const response = await fetch(`${variant.url}${path}?site=${SITE}`);
      expect(response.status, path).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
    }
    const page = await fetch(`${variant.url}/products`, { redirect: 'manual' });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toMatch(/^\/login/);
  });

  it('keeps the query API from viewers', async () => {
    await harness.signIn('viewer');
    const viewer = await signInAs(variant.url, 'viewer', PASSWORD, 'viewer');
    const response = await viewer.fetch('/api/v1/query', { method: 'POST', json: { sql: 'SELECT 1' } });
    expect(response.status).toBe(403);
  });
});

/** Probes `npm run sql` runs as a process of its own: every family, and the roundabout ways. */
const CLI_SAMPLE = [
  'reads a file',
  'reads a file through the table function',
  'reads a file in a lambda',
  'reads a file in a scalar subquery',
  'reads a file through APPLY',
  'opens a URL',
  'runs a program',
  'reads a server setting',
  'reads the database name through an alias',
  'probes another table for a column',
  "learns a system table's content from an error code",
  'reads the users table',
  'reads the host name',
  'reads the uptime',
  'reads the free disk space',
  'sleeps',
];

/** Runs `work` over `items`, `width` at a time (each CLI run is a process of its own). */
async function inBatches<T, R>(
  items: readonly T[],
  width: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += width) {
    results.push(...(await Promise.all(items.slice(start, start + width).map(work))));
  }
  return results;
}

describe('invariant 9: analysts’ SQL reaches published tables and ordinary functions only', () => {
  let harness: DashboardsHarness;
  let analyst: Client;
  let database: string;
  let cliEnv: Record<string, string>;
  let control: { url: string };
  let controlToken: string;
  let stopServing: () => Promise<void> | undefined;

  beforeAll(async () => {
    harness = await startDashboards();
    analyst = await harness.signIn('analyst');
    database = harness.warehouse.database;
    // `npm run sql` with Kanon running goes through the running process, as after `npm start`.
    const dataDir = mkdtempSync(join(tmpdir(), 'kanon-analyst-cli-'));
    const served = await serveControlToken(dataDir);
    stopServing = () => served?.close();
    controlToken = served!.token;
    control = await harness.variant({ controlToken });
    cliEnv = { KANON_DATA_DIR: dataDir, KANON_DASHBOARDS_PORT: new URL(control.url).port };
  }, 120_000);
  afterAll(async () => {
    await harness?.close();
    await stopServing?.();
  });

  const query = async (sql: string) => {
    const response = await analyst.fetch('/api/v1/query', { method: 'POST', json: { sql } });
    return {
      status: response.status,
      body: (await response.json()) as { error?: { code: string; message: string } },
    };
  };

  it.each(PROBES)(
    'refuses over POST /api/v1/query a query that %s, with 403 query_not_allowed',
    async (_what, sql, name) => {
      const { status, body } = await query(withDatabase(sql, database));
      expect(status).toBe(403);
      expect(body.error?.code).toBe('query_not_allowed');
      if (name) expect(body.error?.message).toContain(`${withDatabase(name, database)}`);
    },
  );

  it.each(ORDINARY_QUERIES)('answers over POST /api/v1/query a query with %s', async (_what, sql) => {
    const { status, body } = await query(sql);
    expect(status, JSON.stringify(body)).toBe(200);
  });

  it.each(PROBES)(
    'refuses over /control/v1/query, the route of npm run sql, a query that %s',
    async (_what, sql, name) => {
      const response = await fetch(`${control.url}/control/v1/query`, {
        method: 'POST',
        headers: { authorization: `Bearer ${controlToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ sql: withDatabase(sql, database) }),
      });
      const body = (await response.json()) as { error?: { code: string; message: string } };
      expect(response.status).toBe(403);
      expect(body.error?.code).toBe('query_not_allowed');
      if (name) expect(body.error?.message).toContain(withDatabase(name, database));
    },
  );

  it('refuses probes of every family through the npm run sql process, and answers ordinary queries', async () => {
    // A process costs about a second of CPU, so the CLI runs a sample; the route above runs all.
    const sample = PROBES.filter(([what]) => CLI_SAMPLE.includes(what));
    expect(sample).toHaveLength(CLI_SAMPLE.length);
    const refusals = await inBatches(sample, 4, async ([what, sql, name]) => ({
      what,
      name: name && withDatabase(name, database),
      ...(await runCli('sql', ['--format', 'json', withDatabase(sql, database)], cliEnv)),
    }));
    for (const run of refusals) {
      expect(run.code, run.what).toBe(1);
      expect(run.stdout, run.what).toBe('');
      expect(run.stderr, run.what).toMatch(/^error: query_not_allowed: /);
      if (run.name) expect(run.stderr, run.what).toContain(run.name);
    }
    const ordinary = ORDINARY_QUERIES.filter(([what]) =>
      ['aggregates', 'window functions', 'dates', 'a join between published tables'].includes(what),
    );
    const answers = await inBatches(ordinary, 4, async ([what, sql]) => ({
      what,
      ...(await runCli('sql', ['--format', 'json', sql], cliEnv)),
    }));
    for (const run of answers) expect(run.code, `${run.what}: ${run.stderr}`).toBe(0);
  }, 120_000);

  it('keeps the control token where not even a file() past the allowlist could read it', async () => {
    const dataDir = cliEnv.KANON_DATA_DIR!;
    // The read-only engine itself, without the analyst guard: what a function that slipped
    // through would get. chDB reads any path its process can (it ignores user_files_path) ...
    const engine = await harness.warehouse.openReadOnlyEngine({
      maxSeconds: 5,
      maxMemoryBytes: 256 * 1024 ** 2,
    });
    try {
      const beside = join(dataDir, 'beside.txt');
      writeFileSync(beside, 'readable\n');
      expect(await engine.readOnly(`SELECT file('${beside}')`, 'TSVRaw', 5)).toContain('readable');
      // ... but the token is in no file: its socket has nothing to read.
      await expect(
        engine.readOnly(`SELECT file('${controlSocketPath(dataDir)}')`, 'TSVRaw', 5),
      ).rejects.toThrow();
      expect(
        await engine.readOnly(`SELECT file('${controlSocketPath(dataDir)}', 'nothing')`, 'TSVRaw', 5),
      ).toBe('nothing\n');
    } finally {
      await engine.close();
    }
    for (const entry of readdirSync(dataDir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile())
        expect(readFileSync(join(entry.parentPath, entry.name), 'utf8')).not.toContain(controlToken);
    }
  });

  it('refuses a file read through npm run sql on the store directly, with no Kanon running', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kanon-analyst-direct-'));
    expect((await runCli('kanon', ['migrate'], { KANON_DATA_DIR: dataDir })).code).toBe(0);
    const run = await runCli('sql', ["SELECT file('/etc/hostname')"], { KANON_DATA_DIR: dataDir });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('error: query_not_allowed: The function file() is not available');
  }, 120_000);
});
