import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../core/free-port.js';
import { serveControlToken } from '../../dashboards/auth/control-token.js';
import { waitUntilAnswering } from '../fixtures/kanon-process.js';
import { testRedisUrl, uniquePrefix } from '../fixtures/redis.js';
import { runCli } from '../fixtures/run-cli.js';

const PASSWORD = 'a password long enough';
const running: ChildProcess[] = [];
const dataDirs: string[] = [];

function tempDataDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `kanon-cli-${label}-`));
  dataDirs.push(dir);
  return dir;
}

/** `kanon <command>` as a real process on `dataDir`, the way `npm start` and its siblings run. */
function startKanon(command: 'dashboards' | 'workers', env: Record<string, string>) {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/kanon.ts', command], {
    cwd: new URL('../../', import.meta.url).pathname,
    env: {
      PATH: process.env.PATH ?? '',
      REDIS_URL: testRedisUrl(),
      KANON_SALT_REDIS_URL: testRedisUrl(),
      KANON_QUEUE_PREFIX: uniquePrefix('cli'),
      KANON_METRICS_PORT: '0',
      KANON_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  running.push(child);
  return { child, output: () => output };
}

async function waitForLine(started: ReturnType<typeof startKanon>, line: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!started.output().includes(line)) {
    if (started.child.exitCode !== null || Date.now() > deadline)
      throw new Error(`kanon never logged "${line}"\n${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

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
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

describe('npm run user and npm run sql with a Kanon running on other ports', () => {
  let dataDir: string;
  let dashboardsUrl: string;

  beforeAll(async () => {
    dataDir = tempDataDir('running');
    expect((await runCli('kanon', ['migrate'], { KANON_DATA_DIR: dataDir })).code).toBe(0);
    const port = await freePort();
    dashboardsUrl = `http://127.0.0.1:${port}`;
    const kanon = startKanon('dashboards', { KANON_DATA_DIR: dataDir, KANON_DASHBOARDS_PORT: String(port) });
    await waitUntilAnswering(`${dashboardsUrl}/healthz`, kanon.child, { output: kanon.output });
    await waitForLine(kanon, 'dashboards listening');
  });

  it('find it from KANON_DATA_DIR alone, without being given its port', async () => {
    // The CLI's own idea of the port points where nothing listens, as when it is run without the
    // variables Kanon was started with.
    const env = { KANON_DATA_DIR: dataDir, KANON_DASHBOARDS_PORT: String(await freePort()) };
    const added = await runCli('user', ['add', 'carol', '--role', 'viewer'], env, `${PASSWORD}\n`);
    expect(added.stderr).toBe('');
    expect(added.stdout).toContain(`Added carol (viewer). They can sign in at ${dashboardsUrl}/login`);
    const listed = await runCli('user', ['list'], env);
    expect(listed.stdout, listed.stderr).toMatch(/^carol\s+viewer/m);
    const sql = await runCli('sql', ['--format', 'csv', 'SELECT count() AS n FROM pub_releases'], env);
    expect(sql.stderr).toBe('');
    expect(sql.stdout).toBe('n\r\n0\r\n');
  });
});

describe('npm run user and npm run sql when they cannot reach a Kanon', () => {
  it('say which process holds the store and what to do, never the engine’s own line, when it serves no dashboards', async () => {
    const dataDir = tempDataDir('workers');
    const workers = startKanon('workers', { KANON_DATA_DIR: dataDir });
    await waitForLine(workers, 'warehouse open');
    for (const [script, args] of [
      ['user', ['list']],
      ['sql', ['SELECT 1']],
    ] as const) {
      const result = await runCli(script, [...args], { KANON_DATA_DIR: dataDir });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`is held by another process (pid ${workers.child.pid})`);
      expect(result.stderr).toContain('npm run workers');
      expect(result.stderr).toContain('Run this command while npm start or npm run dashboards runs');
      expect(result.stderr).not.toContain('DB::Exception');
      expect(result.stderr).not.toContain('Cannot lock file');
    }
    const purge = await runCli('purge', ['--site', 'demo'], { KANON_DATA_DIR: dataDir });
    expect(purge.code).toBe(1);
    expect(purge.stderr).toContain(`is held by another process (pid ${workers.child.pid}): stop it`);
    expect(purge.stderr).not.toContain('DB::Exception');
    // A control socket whose dashboards are gone (a Kanon stopping): the CLI says where it looked.
    const gone = `http://127.0.0.1:${await freePort()}`;
    const socket = await serveControlToken(dataDir, { url: gone });
    try {
      const result = await runCli('user', ['list'], { KANON_DATA_DIR: dataDir });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `the Kanon that holds KANON_DATA_DIR (${dataDir}; pid ${workers.child.pid}) serves its dashboards at ${gone}, but the connection was refused there`,
      );
      expect(result.stderr).not.toContain('DB::Exception');
    } finally {
      await socket?.close();
    }
  });

  it('say there is no store, and how to point at one, instead of making an empty one', async () => {
    const dataDir = tempDataDir('empty');
    for (const [script, args] of [
      ['user', ['list']],
      ['sql', ['SELECT 1']],
    ] as const) {
      const result = await runCli(script, [...args], { KANON_DATA_DIR: dataDir });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`there is no Kanon store in ${dataDir} (KANON_DATA_DIR)`);
      expect(result.stderr).toContain('npm run migrate');
    }
    expect(existsSync(join(dataDir, 'clickhouse'))).toBe(false);
  });
});
