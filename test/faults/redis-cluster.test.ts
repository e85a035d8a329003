import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, waitUntilConnected } from '../../core/redis/connect.js';
import { keyLayout, queueOfSite } from '../../core/redis/key-layout.js';
import { hashSlot } from '../../core/redis/replicated.js';
import { ClickHouseServerWarehouse } from '../../core/warehouse/clickhouse-server.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { RedisSessionStore } from '../../dashboards/auth/session-store.js';
import { migrate } from '../../schema/migrate.js';
import { releaseTwiceAtOnce, sendThroughFailover, siteOrigin } from '../fixtures/failover-load.js';
import { dumpRedis } from '../fixtures/inspect-stores.js';
import { startTestPipeline, type TestPipeline } from '../fixtures/pipeline.js';
import { uniquePrefix } from '../fixtures/redis.js';
import { startRedisCluster, type TestRedisCluster } from '../fixtures/redis-cluster.js';
import { TEST_SCHEMA } from '../fixtures/warehouse.js';

/**
 * Kanon on a real Redis Cluster (3 primaries, 3 replicas on loopback), with two events queues and
 * two worker processes consuming both (staging into one engine they share through the server
 * adapter, test/fixtures/chdb-http-server.ts): the collector spreads batches by site over the queues, whose hash
 * tags put them on different primaries, and a primary killed while the workers drain fails over
 * to its replica with nothing acknowledged lost and nothing counted twice (invariant 5).
 */
const SITES = ['shop', 'north'] as const;

/**
 * A key prefix whose two queues' hash tags fall into slots of different primaries: redis-cli gives
 * three primaries the slots 0-5460, 5461-10922 and 10923-16383.
 */
function prefixOnTwoPrimaries(): string {
  const primary = (key: string) => Math.min(2, Math.floor(hashSlot(key) / 5461));
  for (;;) {
    const prefix = uniquePrefix('cluster');
    const [first, second] = keyLayout({ prefix, queues: 2, cluster: true }).queues;
    if (primary(`${first}:x`) !== primary(`${second}:x`)) return prefix;
  }
}

const store = new URL('../fixtures/chdb-http-server.ts', import.meta.url).pathname;
const workerScript = new URL('../fixtures/queue-worker-process.ts', import.meta.url).pathname;

/** A child process and its first line of output (the fixtures print one when they are ready). */
function spawnReady(script: string, args: string[]): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve({ child, line: out.trim() });
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

describe('fault: a Redis Cluster primary killed during a drain', () => {
  let cluster: TestRedisCluster;
  let pipeline: TestPipeline;
  let engine: ChildProcess | undefined;
  let warehouse: Warehouse | undefined;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    cluster = await startRedisCluster();
    // One engine that the worker processes and this process share through the server adapter.
    const started = await spawnReady(store, [mkdtempSync(join(tmpdir(), 'kanon-cluster-engine-'))]);
    engine = started.child;
    const url = `http://127.0.0.1:${/^listening (\d+)$/.exec(started.line)?.[1]}`;
    warehouse = await ClickHouseServerWarehouse.open({
      url,
      user: 'default',
      password: '',
      database: 'default',
    });
    await migrate(warehouse, TEST_SCHEMA);
    pipeline = await startTestPipeline(
      {
        KANON_QUEUE_PREFIX: prefixOnTwoPrimaries(),
        REDIS_URL: cluster.url,
        KANON_REDIS_QUEUES: '2',
        KANON_SITES: SITES.map((site) => `${site}=${siteOrigin(site)}`).join(';'),
        KANON_TRUST_PROXY: 'true',
        KANON_BATCH_MAX_EVENTS: '50',
      },
      { worker: false, warehouse },
    );
    // Two worker processes, each consuming both queues.
    for (let n = 0; n < 2; n += 1) {
      const worker = await spawnReady(workerScript, [url, cluster.url, pipeline.prefix, '2']);
      workers.push(worker.child);
    }
  }, 170_000);
  afterAll(async () => {
    await Promise.all(workers.map(stop));
    await pipeline?.close();
    await warehouse?.close();
    await stop(engine);
    await cluster?.stop();
  });

  it('puts the two sites on two queues whose keys live on different primaries', async () => {
    expect(new Set(SITES.map((site) => queueOfSite(site, 2)))).toEqual(new Set([0, 1]));
    const layout = keyLayout({ prefix: pipeline.prefix, queues: 2, cluster: true });
    const primaries = await Promise.all(
      layout.queues.map((prefix) => cluster.primaryOf(`${prefix}:events:id`)),
    );
    expect(new Set(primaries).size).toBe(2);
  });

  it('stages every acknowledged request once and releases them once, through a failover', async () => {
    const layout = keyLayout({ prefix: pipeline.prefix, queues: 2, cluster: true });
    const shopQueue = layout.queues[queueOfSite('shop', 2)]!;
    const victim = await cluster.primaryOf(`${shopQueue}:pending-batches`);
    // The shop queue's primary dies while batches flow and both workers drain them.
    const result = await sendThroughFailover(pipeline, {
      sites: SITES,
      fault: () => cluster.kill(victim),
      healed: () => cluster.waitUntilHealthy(cluster.ports.find((port) => port !== victim)!),
    });
    expect({ lost: result.lost, doubled: result.doubled }).toEqual({ lost: [], doubled: [] });
    expect(result.acknowledged).toBeGreaterThan(result.killedAt); // taken again on the promoted replica
    // Answers of unknown outcome come only from the failover's few seconds, never in bulk.
    expect(result.unknown).toBeLessThan(result.acknowledged / 5);

    // The release reads the watermark of every queue; each window is published once, the same by
    // two releases at once and by a third.
    const { first, again } = await releaseTwiceAtOnce(pipeline, SITES);
    expect(again).toEqual(first);
    expect(first.duplicates).toBe(0);
    expect(first.pageviews).toBeLessThanOrEqual(result.staged);
    expect(first.pageviews).toBeGreaterThan(result.staged * 0.95);
  }, 300_000);

  it('keeps dashboard sessions on the cluster: a session and the set of its user share a slot', async () => {
    const sessions = RedisSessionStore.connect(cluster.url, {
      prefix: pipeline.prefix,
      idleSeconds: 3600,
      maxAgeSeconds: 8 * 3600,
    });
    try {
      const first = await sessions.create({ name: 'ann', role: 'viewer', version: 1 });
      expect((await sessions.get(first.id))?.user).toBe('ann');
      await sessions.delete(first.id);
      expect(await sessions.get(first.id)).toBeUndefined();
      const second = await sessions.create({ name: 'ann', role: 'viewer', version: 1 });
      await sessions.deleteForUser('ann');
      expect(await sessions.get(second.id)).toBeUndefined();
    } finally {
      await sessions.close();
    }
  });

  it('keeps no batch and no pending entry in the cluster once everything is staged', async () => {
    const redis = connectRedis(cluster.url, 'consumer');
    try {
      await waitUntilConnected(redis, 30_000);
      const layout = keyLayout({ prefix: pipeline.prefix, queues: 2, cluster: true });
      for (const prefix of layout.queues) {
        const dump = await dumpRedis(redis, prefix);
        expect(dump).not.toContain('pageview');
        expect(dump).not.toContain(`${prefix}:pending-batches`);
      }
    } finally {
      redis.disconnect();
    }
  });
});
