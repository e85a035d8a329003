import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrivateRedis, startPrivateRedis } from '../../core/redis/private-redis.js';
import { stagedEvents } from '../fixtures/counts.js';
import { browserHeaders, SHOP_ORIGIN, startTestPipeline, type TestPipeline } from '../fixtures/pipeline.js';

/**
 * Redis stops while the collector is under load: beacons get 503 with a clear error, /readyz
 * turns red, and after Redis is back every event that got a 202 is counted exactly once.
 */
describe('fault: the queue Redis stops under load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kanon-redis-outage-'));
  let redis: PrivateRedis;
  let port: number;
  let pipeline: TestPipeline;

  beforeAll(async () => {
    redis = await startPrivateRedis({ dir, persistent: true });
    port = Number(new URL(redis.url).port);
    pipeline = await startTestPipeline({ REDIS_URL: redis.url, KANON_TRUST_PROXY: 'true' });
  });
  afterAll(async () => {
    await pipeline?.close().catch(() => {});
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses beacons with 503 while Redis is down and counts every acknowledged event once after', async () => {
    let acknowledged = 0;
    const statuses = new Map<number, number>();
    const codes = new Set<string>();
    let sending = true;
    const load = Promise.all(
      Array.from({ length: 8 }, async (_, lane) => {
        for (let n = 0; sending; n += 1) {
          const events = Array.from({ length: 3 }, (_, i) => ({
            type: 'pageview',
            url: `${SHOP_ORIGIN}/o${(n + i) % 5}`,
          }));
          const response = await pipeline
            .send(
              { site: 'shop', events },
              browserHeaders({ 'x-forwarded-for': `198.18.${lane}.${n % 250}` }),
            )
            .catch(() => undefined);
          if (!response) continue;
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          if (response.status === 202) acknowledged += 3;
          else codes.add(((await response.json()) as { error: { code: string } }).error.code);
        }
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await redis.stop(); // SIGTERM: the append-only file is flushed
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const ready = await fetch(`${pipeline.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { error: { code: string } }).error.code).toBe('not_ready');

    // Same port, same directory: the queue comes back from its append-only file.
    const restarted = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''],
      {
        stdio: 'ignore',
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 2500));
    sending = false;
    await load;
    try {
      expect((await fetch(`${pipeline.url}/readyz`)).status).toBe(200);
      expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
      expect([...codes].every((code) => ['queue_unavailable', 'overloaded'].includes(code))).toBe(true);
      expect(statuses.get(500) ?? 0).toBe(0);
      await pipeline.drain();
      const staged = await stagedEvents(pipeline.warehouse);
      expect(acknowledged).toBeGreaterThan(50);
      expect(staged).toBe(acknowledged);
    } finally {
      await pipeline.close().catch(() => {});
      restarted.kill('SIGTERM');
    }
  });
});
