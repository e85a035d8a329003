import { test as base, describe, expect } from 'vitest';
import { z } from 'zod';
import { connectRedis } from '../../core/redis/connect.js';
import { isLoopback } from '../../dashboards/auth/access.js';
import { DEFAULT_LOGIN_LIMITS } from '../../dashboards/routes/auth.js';
import { PAGES } from '../../dashboards/routes/pages.js';
import { TABLE_ENDPOINTS } from '../../dashboards/routes/reports.js';
import { testRedisUrl } from '../fixtures/redis.js';
import { type DashboardsHarness, PASSWORD, signInAs, startDashboards } from './fixtures/dashboards-app.js';

const CONTROL_TOKEN = 'control-token-for-tests-0123456789abcdef';

const test = base.extend(
  'dash',
  { scope: 'file' },
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern.
  async ({}, { onCleanup }): Promise<DashboardsHarness> => {
    const harness = await startDashboards({ controlToken: CONTROL_TOKEN });
    onCleanup(() => harness.close());
    return harness;
  },
);

const errorCode = async (response: Response) =>
  ((await response.json()) as { error: { code: string } }).error.code;

/** Every JSON route with a method: what a signed-out caller must be refused. */
const API_ROUTES: [string, string][] = [
  ['GET', '/api/v1/session'],
  ['GET', '/api/v1/me/report-mail'],
  ['PUT', '/api/v1/me/report-mail'],
  ['POST', '/api/v1/logout'],
  ['GET', '/api/v1/overview'],
  ...TABLE_ENDPOINTS.map((endpoint): [string, string] => ['GET', endpoint.path]),
  ['POST', '/api/v1/query'],
  ['POST', '/api/query'],
  ['GET', '/api/v1/catalogue'],
  ['GET', '/api/v1/openapi.json'],
  ['GET', '/api/v1/users'],
  ['POST', '/api/v1/users'],
  ['PATCH', '/api/v1/users/someone'],
  ['DELETE', '/api/v1/users/someone'],
  ['GET', '/api/v1/sites'],
  ['GET', '/api/v1/settings'],
];

describe('signed out', () => {
  test('every API route answers 401 unauthenticated', async ({ dash }) => {
    for (const [method, path] of API_ROUTES) {
      const response = await fetch(`${dash.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', origin: dash.url },
        body: method === 'GET' ? undefined : '{}',
      });
      expect(response.status, `${method} ${path}`).toBe(401);
      expect(await errorCode(response)).toBe('unauthenticated');
    }
  });

  test('every page redirects to the sign-in page, which then returns there', async ({ dash }) => {
    for (const page of PAGES) {
      const response = await fetch(`${dash.url}${page.path}?from=2025-01-01`, { redirect: 'manual' });
      expect(response.status, page.path).toBe(302);
      // Back to the same view and filters after signing in.
      expect(response.headers.get('location')).toBe(
        `/login?next=${encodeURIComponent(`${page.path}?from=2025-01-01`)}`,
      );
    }
    const login = await fetch(`${dash.url}/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('/assets/app.');
  });

  test('a made-up or expired session cookie counts as signed out', async ({ dash }) => {
    for (const cookie of ['kanon_session=abc', `kanon_session=${'A'.repeat(43)}`]) {
      const response = await fetch(`${dash.url}/api/v1/session`, { headers: { cookie } });
      expect(response.status).toBe(401);
    }
  });

  test('an asset named after an Object property (constructor, __proto__, ...) answers 404 not_found and logs no error', async ({
    dash,
  }) => {
    const errorLines = () =>
      dash
        .logs()
        .split('\n')
        .filter((line) => line !== '' && (JSON.parse(line) as { level: number }).level >= 50);
    const before = errorLines().length;
    for (const name of [
      'constructor',
      '__proto__',
      'toString',
      'hasOwnProperty',
      'valueOf',
      'no-such-file.js',
    ]) {
      const response = await fetch(`${dash.url}/assets/${name}`);
      expect(response.status, name).toBe(404);
      expect(await errorCode(response), name).toBe('not_found');
    }
    expect(errorLines().slice(before)).toEqual([]);
    expect((await fetch(`${dash.url}/assets/favicon.svg`)).status).toBe(200);
  });
});

describe('roles', () => {
  test('a viewer gets 403 forbidden on analyst and admin routes, and downloads the CSV of what a view shows', async ({
    dash,
  }) => {
    const viewer = await dash.signIn('viewer');
    const refused: [string, string, unknown?][] = [
      ['POST', '/api/v1/query', { sql: 'SELECT 1' }],
      ['GET', '/api/v1/catalogue'],
      ['POST', '/api/v1/query', { sql: 'SELECT 1', format: 'csv' }],
      ['GET', '/api/v1/users'],
      ['POST', '/api/v1/users', { name: 'eve', role: 'admin' }],
      ['DELETE', '/api/v1/users/admin'],
      ['GET', '/api/v1/sites'],
      ['GET', '/api/v1/settings'],
    ];
    for (const [method, path, json] of refused) {
      const response = await viewer.fetch(path, { method, json });
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(await errorCode(response)).toBe('forbidden');
    }
    expect((await viewer.fetch('/api/v1/products')).status).toBe(200);
    // A merchandiser exports what a view shows: the same released rows as its JSON.
    const json = (await (await viewer.fetch('/api/v1/products')).json()) as { table: { rows: unknown[] } };
    const csv = await viewer.fetch('/api/v1/products?format=csv');
    expect(csv.status, await csv.clone().text()).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect((await csv.text()).trim().split('\n')).toHaveLength(json.table.rows.length + 1);
    for (const path of ['/sql', '/admin']) {
      const page = await viewer.fetch(path);
      expect(page.status).toBe(403);
      expect(await page.text()).toContain('This page is not available to you');
    }
  });

  test('an analyst may query and export but gets 403 on admin routes', async ({ dash }) => {
    const analyst = await dash.signIn('analyst');
    const csv = await analyst.fetch('/api/v1/products?format=csv');
    expect(csv.status, await csv.clone().text()).toBe(200);
    const query = await analyst.fetch('/api/v1/query', {
      method: 'POST',
      json: { sql: 'SELECT count() AS days FROM pub_overview_by_day' },
    });
    expect(query.status, await query.clone().text()).toBe(200);
    expect((await analyst.fetch('/sql')).status).toBe(200);
    expect((await analyst.fetch('/api/v1/users')).status).toBe(403);
    expect((await analyst.fetch('/admin')).status).toBe(403);
  });
});

describe('CSRF protection', () => {
  test('a state-changing request without the CSRF token is refused with 403 csrf_failed', async ({
    dash,
  }) => {
    const admin = await dash.signIn('admin');
    const post = (headers: Record<string, string>) =>
      fetch(`${dash.url}/api/v1/users`, {
        method: 'POST',
        headers: { cookie: admin.cookie, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ name: 'csrf-victim', role: 'admin' }),
      });
    const missing = await post({ origin: dash.url });
    expect(missing.status).toBe(403);
    expect(await errorCode(missing)).toBe('csrf_failed');
    expect((await post({ origin: dash.url, 'x-csrf-token': 'wrong' })).status).toBe(403);
    // The right token from a page of another site: refused by the origin check.
    const foreign = await post({ origin: 'https://evil.example', 'x-csrf-token': admin.csrfToken });
    expect(foreign.status).toBe(403);
    expect(await errorCode(foreign)).toBe('csrf_failed');
    expect((await post({ 'sec-fetch-site': 'cross-site', 'x-csrf-token': admin.csrfToken })).status).toBe(
      403,
    );
    expect(await dash.users.find('csrf-victim')).toBeUndefined();
    const logout = await fetch(`${dash.url}/api/v1/logout`, {
      method: 'POST',
      headers: { cookie: admin.cookie },
    });
    expect(logout.status).toBe(403);
  });

  test('a sign-in posted from another origin is refused', async ({ dash }) => {
    await dash.signIn('viewer');
    const response = await fetch(`${dash.url}/api/v1/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ username: 'viewer', password: PASSWORD }),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('set-cookie')).toBeNull();
  });
});

describe('behind a TLS proxy', () => {
  test('with public origins configured, only those origins may sign in and write', async ({ dash }) => {
    await dash.signIn('viewer');
    const proxied = await dash.variant({ publicOrigins: ['https://stats.shop.example'] });
    const login = (origin: string) =>
      fetch(`${proxied.url}/api/v1/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body: JSON.stringify({ username: 'viewer', password: PASSWORD }),
      });
    expect((await login(proxied.url)).status).toBe(403);
    expect((await login('https://stats.shop.example')).status).toBe(200);
  });
});

describe('sign-in', () => {
  test('a wrong password gets 401 invalid_credentials, the same as an unknown user', async ({ dash }) => {
    await dash.signIn('viewer');
    const attempt = (username: string) =>
      fetch(`${dash.url}/api/v1/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: dash.url },
        body: JSON.stringify({ username, password: 'not the password' }),
      });
    const wrong = await attempt('viewer');
    const unknown = await attempt('nobody-here');
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(await wrong.json()).toEqual(await unknown.json());
  });

  test('more sign-in attempts than the limit for one address and user name get 429 rate_limited', async ({
    dash,
  }) => {
    await dash.users.create('mallory', 'viewer', PASSWORD);
    // The deployment's default limits: 5 a minute per address and user name, 30 per address.
    const limited = await dash.variant({ loginLimits: DEFAULT_LOGIN_LIMITS });
    const attempt = (username: string, password = 'guess guess guess') =>
      fetch(`${limited.url}/api/v1/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: limited.url },
        body: JSON.stringify({ username, password }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await attempt('mallory')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const right = await attempt('mallory', PASSWORD);
    expect(right.status).toBe(429);
    expect(await errorCode(right)).toBe('rate_limited');
    expect(right.headers.get('retry-after')).toMatch(/^\d+$/);
    // Another user name from the same address is still let through (up to the per-address limit).
    expect((await attempt('someone-else')).status).toBe(401);
  });

  test('the session cookie is HttpOnly, SameSite=Strict and random; Secure with the __Host- prefix behind HTTPS', async ({
    dash,
  }) => {
    await dash.signIn('viewer');
    const login = (url: string) =>
      fetch(`${url}/api/v1/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: url },
        body: JSON.stringify({ username: 'viewer', password: PASSWORD }),
      });
    const cookie = (await login(dash.url)).headers.get('set-cookie')!;
    expect(cookie).toMatch(/^kanon_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/viewer/);
    const secure = await dash.variant({ secureCookies: true });
    const secureCookie = (await login(secure.url)).headers.get('set-cookie')!;
    expect(secureCookie).toMatch(/^__Host-kanon_session=/);
    expect(secureCookie).toMatch(/Secure/);
  });

  test('signing out deletes the session, so the old cookie stops working', async ({ dash }) => {
    const viewer = await dash.signIn('viewer');
    expect((await viewer.fetch('/api/v1/session')).status).toBe(200);
    expect((await viewer.fetch('/api/v1/logout', { method: 'POST' })).status).toBe(204);
    expect((await viewer.fetch('/api/v1/session')).status).toBe(401);
  });

  test('Redis keeps sessions under their hash, never the cookie value, with an idle timeout', async ({
    dash,
  }) => {
    const viewer = await dash.signIn('viewer');
    const id = viewer.cookie.split('=')[1]!;
    const redis = connectRedis(testRedisUrl(), 'consumer');
    try {
      const keys = await redis.keys('*dash:session:*');
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        expect(key).not.toContain(id);
        expect(await redis.get(key)).not.toContain(id);
        const ttl = await redis.ttl(key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(12 * 3600);
      }
    } finally {
      redis.disconnect();
    }
  });
});

describe('user changes end sessions', () => {
  test("a new password, a new role or removal ends the user's sessions at once", async ({ dash }) => {
    const admin = await dash.signIn('admin');
    for (const change of ['password', 'role', 'remove'] as const) {
      const name = `temp-${change}`;
      const created = await admin.fetch('/api/v1/users', {
        method: 'POST',
        json: { name, role: 'analyst', password: PASSWORD },
      });
      expect(created.status).toBe(201);
      const user = await signInAs(dash.url, name, PASSWORD, 'analyst');
      expect((await user.fetch('/api/v1/session')).status).toBe(200);
      const response =
        change === 'remove'
          ? await admin.fetch(`/api/v1/users/${name}`, { method: 'DELETE' })
          : await admin.fetch(`/api/v1/users/${name}`, {
              method: 'PATCH',
              json: change === 'password' ? { password: 'another long password' } : { role: 'viewer' },
            });
      expect(response.status, change).toBeLessThan(300);
      expect((await user.fetch('/api/v1/session')).status, change).toBe(401);
    }
  });

  test('an admin adds a user with a generated password, shown once, that signs in', async ({ dash }) => {
    const admin = await dash.signIn('admin');
    const response = await admin.fetch('/api/v1/users', {
      method: 'POST',
      json: { name: 'Maria', role: 'viewer' },
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { user: { name: string; role: string }; password: string };
    expect(body.user).toMatchObject({ name: 'maria', role: 'viewer' });
    expect(body.password).toMatch(/^[A-Za-z0-9]{20}$/);
    const maria = await signInAs(dash.url, 'maria', body.password, 'viewer');
    expect((await maria.json<{ user: { role: string } }>('/api/v1/session')).user.role).toBe('viewer');
    const again = await admin.fetch('/api/v1/users', {
      method: 'POST',
      json: { name: 'maria', role: 'viewer' },
    });
    expect(again.status).toBe(409);
  });

  test('the last admin can be neither removed nor demoted', async ({ dash }) => {
    const admin = await dash.signIn('admin');
    const admins = (await dash.users.list()).filter((user) => user.role === 'admin');
    for (const other of admins.filter((user) => user.name !== 'admin'))
      await dash.users.setRole(other.name, 'viewer');
    const demote = await admin.fetch('/api/v1/users/admin', { method: 'PATCH', json: { role: 'viewer' } });
    expect(demote.status).toBe(409);
    expect(await errorCode(demote)).toBe('last_admin');
    const remove = await admin.fetch('/api/v1/users/admin', { method: 'DELETE' });
    expect(remove.status).toBe(409);
  });
});

describe('what is stored and logged', () => {
  test('app_users holds scrypt hashes, never a password', async ({ dash }) => {
    await dash.signIn('viewer');
    const rows = await dash.warehouse.query({
      name: 'users',
      sql: 'SELECT username, password_hash FROM app_users',
      row: z.object({ username: z.string(), password_hash: z.string() }),
    });
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows.filter((r) => r.password_hash !== '')) {
      expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{88}$/);
    }
    expect(JSON.stringify(rows)).not.toContain(PASSWORD);
  });

  test('logs hold no password, session id, CSRF token, cookie or address', async ({ dash }) => {
    const viewer = await dash.signIn('viewer');
    await viewer.fetch('/api/v1/products');
    await fetch(`${dash.url}/api/v1/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: dash.url },
      body: JSON.stringify({ username: 'viewer', password: 'a wrong secret password' }),
    });
    // The server's own listening address is logged at start; any client address would be a leak.
    const logs = dash
      .logs()
      .split('\n')
      .filter((line) => !line.includes('Server listening'))
      .join('\n');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toMatch(/remoteAddress|remotePort|"ip"|user-agent|"cookie"|x-csrf-token/i);
    for (const secret of [
      PASSWORD,
      'a wrong secret password',
      viewer.cookie.split('=')[1]!,
      viewer.csrfToken,
      '127.0.0.1',
    ]) {
      expect(logs).not.toContain(secret);
    }
  });

  test('pages carry a strict Content-Security-Policy and the other security headers', async ({ dash }) => {
    const viewer = await dash.signIn('viewer');
    const response = await viewer.fetch('/');
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    const html = await response.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(html).not.toMatch(/https?:\/\//);
  });
});

describe('control routes for the CLIs', () => {
  test('answer only loopback requests with the control token, never a browser', async ({ dash }) => {
    expect((await fetch(`${dash.url}/control/v1/users`)).status).toBe(403);
    expect(
      (await fetch(`${dash.url}/control/v1/users`, { headers: { authorization: 'Bearer wrong' } })).status,
    ).toBe(403);
    const withOrigin = await fetch(`${dash.url}/control/v1/users`, {
      headers: { authorization: `Bearer ${CONTROL_TOKEN}`, origin: dash.url },
    });
    expect(withOrigin.status).toBe(403);
    expect(await errorCode(withOrigin)).toBe('control_forbidden');
    const ok = await fetch(`${dash.url}/control/v1/users`, {
      headers: { authorization: `Bearer ${CONTROL_TOKEN}` },
    });
    expect(ok.status).toBe(200);
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('10.0.0.1')).toBe(false);
    expect(isLoopback('::ffff:192.168.1.2')).toBe(false);
  });

  test('/metrics is open by default, and with KANON_METRICS_TOKEN wants that bearer token, not a session', async ({
    dash,
  }) => {
    expect((await fetch(`${dash.url}/metrics`)).status).toBe(200);
    const token = 'dashboards-metrics-token-0123456789';
    await dash.signIn('admin');
    const guarded = await dash.variant({ metricsToken: token });
    const admin = await signInAs(guarded.url, 'admin', PASSWORD, 'admin');
    expect((await fetch(`${guarded.url}/metrics`)).status).toBe(401);
    // A signed-in admin's session cookie is not the token.
    expect((await admin.fetch('/metrics')).status).toBe(401);
    const scraped = await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('kanon_dashboards_');
  });

  test('without a control token configured there are no control routes', async ({ dash }) => {
    const plain = await dash.variant({ controlToken: undefined });
    const response = await fetch(`${plain.url}/control/v1/users`, {
      headers: { authorization: `Bearer ${CONTROL_TOKEN}` },
    });
    expect(response.status).toBe(401);
  });

  test('add, change and remove users, and run SQL, through the control routes', async ({ dash }) => {
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${dash.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${CONTROL_TOKEN}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
    expect(
      (await call('POST', '/control/v1/users', { name: 'cli-user', role: 'analyst', password: PASSWORD }))
        .status,
    ).toBe(201);
    const user = await signInAs(dash.url, 'cli-user', PASSWORD, 'analyst');
    expect(
      (await call('PUT', '/control/v1/users/cli-user/password', { password: 'a different password' })).status,
    ).toBe(204);
    expect((await user.fetch('/api/v1/session')).status).toBe(401);
    expect((await call('DELETE', '/control/v1/users/cli-user')).status).toBe(204);
    expect(await dash.users.find('cli-user')).toBeUndefined();
    const sql = await call('POST', '/control/v1/query', {
      sql: 'SELECT count() AS n FROM pub_overview_by_day',
    });
    expect(((await sql.json()) as { rows: number[][] }).rows[0]![0]).toBeGreaterThan(0);
    const users = await call('POST', '/control/v1/query', { sql: 'SELECT * FROM app_users' });
    expect(users.status).toBe(403);
  });
});
