import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrivateRedis, startPrivateRedis } from '../../core/redis/private-redis.js';
import { stagedEvents, stagedPageviews } from '../fixtures/counts.js';
import { browserHeaders, SHOP_ORIGIN, startTestPipeline, type TestPipeline } from '../fixtures/pipeline.js';
import { spawnRedisServer } from '../fixtures/redis.js';

/**
 * Redis stops while the collector is under load: beacons get 503 with a clear error, /readyz
 * turns red, and after Redis is back every event that got a 202 is counted exactly once.
 *
 * Each request carries its own page path, so the check is per request, not a total in which a
 * loss and a duplicate could cancel out. The tag sends a request answered 503 again, so a 503 must
 * mean that nothing of it was stored. A request whose batch reached Redis but whose reply was lost
 * as Redis went down (an ambiguous outcome no producer can rule out) is answered 504
 * `queue_outcome_unknown`, which the tag does not resend: it may be counted once, never twice.
 */
describe('fault: the queue Redis stops under load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kanon-redis-outage-'));
  let redis: PrivateRedis;
  let port: number;
  let pipeline: TestPipeline;

  beforeAll(async () => {
    redis = await startPrivateRedis({ dir, persistent: true });
    port = Number(new URL(redis.url).port);
    // A job the worker took as Redis went down (the reply lost) stays locked until its lock lapses,
    // 30 s by default; a short lock lets the worker retake it well within drain()'s deadline.
    pipeline = await startTestPipeline(
      { REDIS_URL: redis.url, KANON_TRUST_PROXY: 'true' },
      { lockDurationMs: 3000 },
    );
  });
  afterAll(async () => {
    await pipeline?.close().catch(() => {});
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses beacons with 503 while Redis is down and counts every acknowledged event once after', async () => {
    let acknowledged = 0;
    const acknowledgedPaths = new Set<string>();
    const refusedPaths = new Set<string>();
    /** Requests answered 503: the tag sends them again, so none may have been stored. */
    const retryablePaths = new Set<string>();
    const statuses = new Map<number, number>();
    const codes = new Set<string>();
    let sending = true;
    const load = Promise.all(
      Array.from({ length: 8 }, async (_, lane) => {
        for (let n = 0; sending; n += 1) {
          const path = `/o/l${lane}r${n}`;
          const events = Array.from({ length: 3 }, () => ({
            type: 'pageview',
            url: `${SHOP_ORIGIN}${path}`,
          }));
          const response = await pipeline
            .send(
              { site: 'shop', events },
              browserHeaders({ 'x-forwarded-for': `198.18.${lane}.${n % 250}` }),
            )
            .catch(() => undefined);
          if (!response) {
            refusedPaths.add(path);
            continue;
          }
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          if (response.status === 202) {
            acknowledged += 3;
            acknowledgedPaths.add(path);
          } else {
            refusedPaths.add(path);
            if (response.status === 503) retryablePaths.add(path);
            codes.add(((await response.json()) as { error: { code: string } }).error.code);
          }
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
    const restarted = spawnRedisServer(port, ['--dir', dir, '--appendonly', 'yes']);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    sending = false;
    await load;
    try {
      expect((await fetch(`${pipeline.url}/readyz`)).status).toBe(200);
      expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
      expect(
        [...codes].filter(
          (code) => !['queue_unavailable', 'overloaded', 'queue_outcome_unknown'].includes(code),
        ),
      ).toEqual([]);
      expect(statuses.get(500) ?? 0).toBe(0);
      await pipeline.drain();
      expect(acknowledged).toBeGreaterThan(50);
      const staged = await stagedPageviews(pipeline.warehouse);
      const missing = [...acknowledgedPaths].filter((path) => staged.get(path) !== 3);
      expect(missing, 'acknowledged requests not staged exactly once').toEqual([]);
      const refusedTwice = [...refusedPaths].filter((path) => ![undefined, 3].includes(staged.get(path)));
      expect(refusedTwice, 'refused requests staged more than once').toEqual([]);
      const unknown = [...staged.keys()].filter(
        (path) => !acknowledgedPaths.has(path) && !refusedPaths.has(path),
      );
      expect(unknown).toEqual([]);
      // Thousands of refusals, but the logs say it once per code (and every 10 s after).
      const failureLines = pipeline
        .logs()
        .split('\n')
        .filter((line) => line.includes('"msg":"request failed"'));
      expect(refusedPaths.size).toBeGreaterThan(100);
      expect(failureLines.length).toBeGreaterThan(0);
      expect(failureLines.length).toBeLessThanOrEqual(codes.size * 2);
      const retriedButStored = [...retryablePaths].filter((path) => staged.has(path));
      expect(retriedButStored, 'requests answered 503 (sent again by the tag) that were stored').toEqual([]);
      const refusedButStored = [...refusedPaths].filter((path) => staged.has(path)).length;
      console.info(
        `[redis-outage] ${acknowledgedPaths.size} requests acknowledged, ${refusedPaths.size} refused (${retryablePaths.size} with 503, ${statuses.get(504) ?? 0} with 504), ${refusedButStored} of those stored by Redis before its reply was lost`,
      );
      // The overview's event count agrees with the per-page one.
      expect(await stagedEvents(pipeline.warehouse)).toBe(
        [...staged.values()].reduce((sum, count) => sum + count, 0),
      );
    } finally {
      await pipeline.close().catch(() => {});
      restarted.kill('SIGTERM');
    }
  });
});
