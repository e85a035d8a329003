import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../core/free-port.js';
import { EVENTS_QUEUE } from '../../core/queue/events-queue.js';
import { connectRedis } from '../../core/redis/connect.js';
import { type PrivateRedis, startPrivateRedis } from '../../core/redis/private-redis.js';
import { ChdbWarehouse } from '../../core/warehouse/chdb-embedded.js';
import { stagedEvents } from '../fixtures/counts.js';
import { beaconLanes, waitUntilAnswering } from '../fixtures/kanon-process.js';
import { SHOP_ORIGIN } from '../fixtures/pipeline.js';
import { redisServersIn } from '../fixtures/redis.js';

const root = new URL('../../', import.meta.url).pathname;
const tsxCli = join(root, 'node_modules/tsx/dist/cli.mjs');

const dataDir = mkdtempSync(join(tmpdir(), 'kanon-ctrl-c-'));
const children: ChildProcess[] = [];
let drainRedis: PrivateRedis | undefined;

const kill = (pid: number) => {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
};

afterAll(async () => {
  for (const child of children) if (child.pid) kill(-child.pid);
  await drainRedis?.stop();
  for (const pid of redisServersIn(dataDir)) kill(pid);
  rmSync(dataDir, { recursive: true, force: true });
});

/**
 * `npm start` stopped with Ctrl-C while beacons arrive. A terminal's Ctrl-C sends SIGINT to the
 * whole foreground process group: npm, tsx (which relays it to the node process it started), Kanon
 * itself, and any child it did not put in a group of its own. Kanon must finish its shutdown
 * however many copies of the signal reach it (flush the collector's micro-batches into the queue,
 * close the workers), stop its private redis-servers itself, and lose no acknowledged event.
 */
describe('fault: Ctrl-C to npm start under load', () => {
  it('finishes its shutdown, stops its private Redis, and keeps every acknowledged event', async () => {
    const port = await freePort();
    const env: Record<string, string> = {
      ...(Object.fromEntries(
        Object.entries(process.env).filter(
          ([key]) => !key.startsWith('KANON_') && !key.startsWith('REDIS_') && !key.startsWith('CLICKHOUSE_'),
        ),
      ) as Record<string, string>),
      KANON_DATA_DIR: dataDir,
      KANON_DEMO_SEED: 'never',
      KANON_COLLECTOR_PORT: String(port),
      KANON_DASHBOARDS_PORT: String(await freePort()),
      KANON_DEMO_PORT: '0',
      KANON_SITES: `shop=${SHOP_ORIGIN}`,
      KANON_TRUST_PROXY: 'true',
      KANON_RATE_LIMIT: '0',
      // A long wait holds batches in the collector's memory, so the signal finds some to flush.
      KANON_BATCH_MAX_WAIT_MS: '200',
      KANON_BATCH_MAX_EVENTS: '5000',
    };
    // As `npm start` runs it (tsx's CLI), in a process group of its own, which the test signals
    // as a whole the way a terminal does.
    const kanon = spawn(process.execPath, [tsxCli, 'bin/kanon.ts', 'start'], {
      cwd: root,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(kanon);
    let output = '';
    kanon.stdout!.on('data', (chunk) => {
      output += chunk;
    });
    kanon.stderr!.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => kanon.once('exit', resolve));
    const url = `http://127.0.0.1:${port}`;
    await waitUntilAnswering(`${url}/readyz`, kanon, { timeoutMs: 60_000, output: () => output });

    const load = beaconLanes(url, 8);
    // The signal lands under load: after 1.5 s and once over 100 beacons were acknowledged (a busy
    // host may need longer for that), at most 30 s.
    const loadStarted = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    while (load.counts.acknowledged <= 100 && Date.now() - loadStarted < 30_000)
      await new Promise((resolve) => setTimeout(resolve, 100));
    process.kill(-kanon.pid!, 'SIGINT');
    const code = await Promise.race([
      exited,
      new Promise<string>((resolve) =>
        setTimeout(() => resolve('still running 60 s after the signal'), 60_000),
      ),
    ]);
    await load.stop();
    const { acknowledged } = load.counts;

    expect(output.split('\n').slice(-15).join('\n'), 'the end of its output').toContain('"msg":"bye"');
    expect(code).toBe(0);
    expect(redisServersIn(dataDir), 'redis-servers left running').toEqual([]);
    expect(acknowledged).toBeGreaterThan(100);
    for (const refusal of Object.keys(load.counts.refusals)) expect(refusal).toBe('503 shutting_down');

    // What the queue kept is staged by a workers process on the same data directory (its private
    // queue Redis reloads the append-only file), then staging is counted.
    drainRedis = await startPrivateRedis({ dir: join(dataDir, 'redis-queue'), persistent: true });
    const workers = spawn(process.execPath, [tsxCli, 'bin/kanon.ts', 'workers'], {
      cwd: root,
      env: { ...env, REDIS_URL: drainRedis.url, KANON_METRICS_PORT: '0' },
      detached: true,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(workers);
    const redis = connectRedis(drainRedis.url, 'consumer');
    const jobs = new Queue(EVENTS_QUEUE, { connection: redis, prefix: 'kanon' });
    try {
      for (let i = 0; i < 600; i += 1) {
        const counts = await jobs.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'failed');
        const pending = await redis.zcard('kanon:pending-batches');
        if (pending === 0 && Object.values(counts).every((count) => count === 0)) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      await jobs.close();
      redis.disconnect();
    }
    const workersExited = new Promise((resolve) => workers.once('exit', resolve));
    process.kill(-workers.pid!, 'SIGTERM');
    await workersExited;
    const warehouse = await ChdbWarehouse.open({ dataDir, database: 'kanon' });
    try {
      expect(await stagedEvents(warehouse)).toBe(acknowledged);
    } finally {
      await warehouse.close();
    }
  });
});
