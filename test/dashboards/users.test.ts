import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, describe, expect, it } from 'vitest';
import { connectRedis } from '../../core/redis/connect.js';
import {
  controlSocketPath,
  readControlToken,
  serveControlToken,
} from '../../dashboards/auth/control-token.js';
import { generatePassword, hashPassword, verifyPassword } from '../../dashboards/auth/passwords.js';
import { RedisSessionStore } from '../../dashboards/auth/session-store.js';
import { ClickHouseUserStore } from '../../dashboards/auth/user-store.js';
import { ensureDemoAdmin } from '../../dashboards/bootstrap.js';
import { captureLogs } from '../fixtures/log-sink.js';
import { testRedisUrl, uniquePrefix } from '../fixtures/redis.js';
import { runCli } from '../fixtures/run-cli.js';
import { type DashboardsHarness, PASSWORD, signInAs, startDashboards } from './fixtures/dashboards-app.js';

const test = base.extend(
  'dash',
  { scope: 'file' },
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern.
  async ({}, { onCleanup }): Promise<DashboardsHarness & { dataDir: string }> => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kanon-dash-control-'));
    const control = await serveControlToken(dataDir);
    const harness = await startDashboards({ controlToken: control?.token });
    onCleanup(async () => {
      await harness.close();
      await control?.close();
    });
    return Object.assign(harness, { dataDir });
  },
);

describe('passwords', () => {
  it('hashes with scrypt (N = 2^15, r = 8) and a random salt, and verifies only the right password', async () => {
    const first = await hashPassword(PASSWORD);
    const second = await hashPassword(PASSWORD);
    expect(first).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(first).not.toBe(second);
    expect(await verifyPassword(PASSWORD, first)).toBe(true);
    expect(await verifyPassword(`${PASSWORD}!`, first)).toBe(false);
    expect(await verifyPassword(PASSWORD, first.replace('$32768$', '$1048576000$'))).toBe(false);
    expect(await verifyPassword(PASSWORD, 'plain text')).toBe(false);
  });

  it('generates 20-character passwords from an unambiguous alphabet', () => {
    const passwords = new Set(Array.from({ length: 50 }, () => generatePassword()));
    expect(passwords.size).toBe(50);
    for (const password of passwords) expect(password).toMatch(/^[a-km-np-zA-HJ-NP-Z2-9]{20}$/);
  });
});

describe('the user store in ClickHouse', () => {
  test('keeps users durably: another store over the same engine finds them, with their role', async ({
    dash,
  }) => {
    await dash.users.create('Durable', 'analyst', PASSWORD);
    const reopened = await ClickHouseUserStore.open(dash.warehouse);
    expect(await reopened.find('durable')).toMatchObject({ name: 'durable', role: 'analyst' });
    expect((await reopened.authenticate('durable', PASSWORD))?.name).toBe('durable');
    expect(await reopened.authenticate('durable', 'wrong password!')).toBeUndefined();
    expect(await reopened.authenticate('nobody', PASSWORD)).toBeUndefined();
  });

  test('refuses a second user of the same name, and lets a removed name be used again', async ({ dash }) => {
    await dash.users.create('twice', 'viewer', PASSWORD);
    await expect(dash.users.create('twice', 'admin', PASSWORD)).rejects.toMatchObject({
      code: 'user_exists',
    });
    await dash.users.remove('twice');
    expect(await dash.users.find('twice')).toBeUndefined();
    expect(await dash.users.authenticate('twice', PASSWORD)).toBeUndefined();
    await dash.users.create('twice', 'admin', 'a brand new password');
    expect((await dash.users.find('twice'))?.role).toBe('admin');
    await expect(dash.users.remove('ghost')).rejects.toMatchObject({ code: 'unknown_user' });
  });
});

describe('sessions in Redis', () => {
  it('slide their idle timeout and end at their absolute lifetime', async () => {
    let now = Date.UTC(2026, 0, 1);
    const redis = connectRedis(testRedisUrl(), 'consumer');
    const sessions = new RedisSessionStore(redis, {
      prefix: uniquePrefix('sess'),
      idleSeconds: 3600,
      maxAgeSeconds: 8 * 3600,
      clock: () => now,
    });
    try {
      const session = await sessions.create({ name: 'ann', role: 'viewer', version: 1 });
      expect((await sessions.get(session.id))?.user).toBe('ann');
      now += 8 * 3600 * 1000 + 1;
      expect(await sessions.get(session.id)).toBeUndefined();
      const other = await sessions.create({ name: 'ann', role: 'viewer', version: 1 });
      await sessions.deleteForUser('ann');
      expect(await sessions.get(other.id)).toBeUndefined();
      expect(await sessions.get('not-a-session-id')).toBeUndefined();
    } finally {
      redis.disconnect();
    }
  });
});

describe('control token', () => {
  it('is served on a socket only its owner reaches (0600 in a 0700 directory), fresh at each start, and removed only by its server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kanon-token-'));
    const first = await serveControlToken(dir);
    expect(statSync(controlSocketPath(dir)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'control')).mode & 0o777).toBe(0o700);
    expect(await readControlToken(dir)).toBe(first?.token);
    const second = await serveControlToken(dir);
    expect(second?.token).not.toBe(first?.token);
    expect(await readControlToken(dir)).toBe(second?.token);
    await first?.close();
    expect(await readControlToken(dir)).toBe(second?.token);
    await second?.close();
    expect(await readControlToken(dir)).toBeUndefined();
  });

  it('is kept in no file, and the token file of earlier versions goes at start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kanon-token-'));
    writeFileSync(join(dir, 'control-token'), 'an old token\n', { mode: 0o600 });
    const control = await serveControlToken(dir);
    try {
      const entries = readdirSync(dir, { recursive: true, withFileTypes: true });
      const files = entries.filter((entry) => entry.isFile());
      for (const file of files) {
        expect(readFileSync(join(file.parentPath, file.name), 'utf8')).not.toContain(control!.token);
      }
      expect(files).toEqual([]);
      expect(entries.filter((entry) => entry.isSocket()).map((entry) => entry.name)).toEqual(['token.sock']);
    } finally {
      await control?.close();
    }
  });

  it('is not served when the data directory is too long for a socket path', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'kanon-token-')), 'd'.repeat(100));
    expect(await serveControlToken(dir)).toBeUndefined();
    expect(await readControlToken(dir)).toBeUndefined();
  });
});

describe('npm run user and npm run sql', () => {
  test('work directly on the store when no Kanon is running', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kanon-cli-direct-'));
    const env = { KANON_DATA_DIR: dataDir };
    expect((await runCli('kanon', ['migrate'], env)).code).toBe(0);
    const added = await runCli('user', ['add', 'Ann', '--role', 'admin'], env, `${PASSWORD}\n`);
    expect(added.stderr).toBe('');
    expect(added.stdout).toContain('Added ann (admin)');
    const listed = await runCli('user', ['list'], env);
    expect(listed.stdout).toMatch(/^ann\s+admin\s+since \d{4}-\d{2}-\d{2}$/m);
    const sql = await runCli('sql', ['--format', 'csv', 'SELECT count() AS n FROM pub_releases'], env);
    expect(sql.stdout).toBe('n\r\n0\r\n');
    const refused = await runCli('sql', ['SELECT * FROM app_users'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('query_not_allowed');
    expect(refused.stdout).not.toContain('scrypt');
  });

  test('go through the running dashboards with the control token when Kanon holds the store', async ({
    dash,
  }) => {
    const port = new URL(dash.url).port;
    const env = { KANON_DATA_DIR: dash.dataDir, KANON_DASHBOARDS_PORT: port };
    expect(await readControlToken(dash.dataDir)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const added = await runCli('user', ['add', 'bob', '--role', 'analyst'], env, `${PASSWORD}\n`);
    expect(added.stdout, added.stderr).toContain('Added bob (analyst)');
    expect((await dash.users.find('bob'))?.role).toBe('analyst');
    const bob = await signInAs(dash.url, 'bob', PASSWORD, 'analyst');
    expect((await runCli('user', ['list'], env)).stdout).toMatch(/^bob\s+analyst/m);
    const changed = await runCli('user', ['passwd', 'bob'], env, 'another long password\n');
    expect(changed.code, changed.stderr).toBe(0);
    expect((await bob.fetch('/api/v1/session')).status).toBe(401);
    const sql = await runCli(
      'sql',
      ['--format', 'json', 'SELECT count() AS n FROM pub_overview_by_day'],
      env,
    );
    expect(JSON.parse(sql.stdout).n).toBeGreaterThan(0);
    expect((await runCli('user', ['remove', 'bob'], env)).code).toBe(0);
    expect(await dash.users.find('bob')).toBeUndefined();
  });

  test('refuse a short password and explain usage', async () => {
    const env = { KANON_DATA_DIR: mkdtempSync(join(tmpdir(), 'kanon-cli-usage-')) };
    const short = await runCli('user', ['add', 'ann', '--role', 'admin'], env, 'short\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('password: must be at least 10 characters');
    const usage = await runCli('user', ['frobnicate'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('usage: npm run user');
  });
});

describe('first start', () => {
  // Last in the file: it empties app_users.
  test('creates an admin with a random password when there is no user, and nothing once there is one', async ({
    dash,
  }) => {
    const logs = captureLogs();
    expect(await ensureDemoAdmin(dash.users, logs.log)).toBeUndefined();
    await dash.warehouse.exec('TRUNCATE TABLE app_users');
    const created = await ensureDemoAdmin(dash.users, logs.log);
    expect(created?.name).toBe('admin');
    expect(created?.password).toMatch(/^[A-Za-z0-9]{20}$/);
    expect((await dash.users.authenticate('admin', created!.password))?.role).toBe('admin');
    expect(logs.text()).toContain('created the first admin user');
    expect(logs.text()).not.toContain(created!.password);
    expect(await ensureDemoAdmin(dash.users, logs.log)).toBeUndefined();
  });
});
