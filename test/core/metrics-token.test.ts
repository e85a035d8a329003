import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../core/config.js';
import { freePort } from '../../core/free-port.js';
import { waitUntilAnswering } from '../fixtures/kanon-process.js';
import { testRedisUrl, uniquePrefix } from '../fixtures/redis.js';

const TOKEN = 'scrape-me-with-this-token-0123456789';

const running: ChildProcess[] = [];
const dataDirs: string[] = [];

/** Starts `kanon <command>` as a real process and waits until `url/healthz` answers. */
async function startKanon(command: 'collector' | 'workers', env: Record<string, string>, url: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/kanon.ts', command], {
    cwd: new URL('../../', import.meta.url).pathname,
    env: {
      ...process.env,
      REDIS_URL: testRedisUrl(),
      KANON_SALT_REDIS_URL: testRedisUrl(),
      KANON_QUEUE_PREFIX: uniquePrefix('metrics'),
      KANON_LOG_LEVEL: 'error',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  running.push(child);
  await waitUntilAnswering(`${url}/healthz`, child);
}

/** What /metrics answers with no credentials, a wrong token, another scheme, and the token. */
async function scrape(url: string) {
  const get = (authorization?: string) =>
    fetch(`${url}/metrics`, { headers: authorization ? { authorization } : {} });
  const none = await get();
  const wrong = await get(`Bearer ${TOKEN.slice(0, -1)}x`);
  const prefix = await get(`Bearer ${TOKEN.slice(0, -1)}`);
  const basic = await get(`Basic ${Buffer.from(`prometheus:${TOKEN}`).toString('base64')}`);
  const right = await get(`Bearer ${TOKEN}`);
  return {
    refused: [none.status, wrong.status, prefix.status, basic.status],
    challenge: none.headers.get('www-authenticate'),
    error: ((await none.json()) as { error: { code: string } }).error.code,
    status: right.status,
    body: await right.text(),
  };
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

describe('KANON_METRICS_TOKEN guards /metrics', () => {
  it('on a collector process: 401 without the bearer token, the metrics with it', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    await startKanon('collector', { KANON_COLLECTOR_PORT: String(port), KANON_METRICS_TOKEN: TOKEN }, url);
    const result = await scrape(url);
    expect(result.refused).toEqual([401, 401, 401, 401]);
    expect(result.challenge).toBe('Bearer realm="kanon-metrics"');
    expect(result.error).toBe('metrics_unauthorized');
    expect(result.status).toBe(200);
    expect(result.body).toContain('kanon_collector_');
  });

  it("on a workers process's metrics port: the same", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'kanon-metrics-'));
    dataDirs.push(dataDir);
    await startKanon(
      'workers',
      { KANON_METRICS_PORT: String(port), KANON_METRICS_TOKEN: TOKEN, KANON_DATA_DIR: dataDir },
      url,
    );
    const result = await scrape(url);
    expect(result.refused).toEqual([401, 401, 401, 401]);
    expect(result.status).toBe(200);
    expect(result.body).toContain('kanon_workers_');
  });

  it('leaves /metrics open when no token is set', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    await startKanon('collector', { KANON_COLLECTOR_PORT: String(port) }, url);
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('kanon_collector_');
  });

  it('refuses to boot with a token that is short or has spaces', () => {
    for (const token of ['too-short', 'twenty-four characters with spaces']) {
      let problems: string[] = [];
      try {
        loadConfig({ KANON_METRICS_TOKEN: token });
      } catch (error) {
        if (error instanceof ConfigError) problems = error.problems;
      }
      expect(problems.join('\n')).toMatch(/^KANON_METRICS_TOKEN: /);
    }
    expect(loadConfig({ KANON_METRICS_TOKEN: TOKEN }).server.metricsToken).toBe(TOKEN);
  });
});
