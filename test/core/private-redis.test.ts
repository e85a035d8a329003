import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { type PrivateRedis, startPrivateRedis } from '../../core/redis/private-redis.js';
import { redisServersIn } from '../fixtures/redis.js';

const dir = mkdtempSync(join(tmpdir(), 'kanon-private-redis-'));
const started: PrivateRedis[] = [];

afterAll(async () => {
  for (const redis of started) await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a private redis-server', () => {
  it('shuts down the one an earlier process left running in its directory, and keeps its data', async () => {
    // An earlier Kanon killed with SIGKILL: its detached redis-server runs on, never stopped.
    const leftover = await startPrivateRedis({ dir, persistent: true });
    started.push(leftover);
    expect(leftover.leftoverStopped).toBe(false);
    const writer = new Redis(leftover.url);
    await writer.set('kanon-test:acknowledged', 'batch-1');
    writer.disconnect();
    expect(redisServersIn(dir)).toHaveLength(1);

    const next = await startPrivateRedis({ dir, persistent: true });
    started.push(next);
    expect(next.leftoverStopped).toBe(true);
    expect(redisServersIn(dir)).toHaveLength(1); // only the new one
    const reader = new Redis(next.url);
    expect(await reader.get('kanon-test:acknowledged')).toBe('batch-1'); // flushed to the AOF, reloaded
    reader.disconnect();
  });

  it('shuts down a leftover salts server without writing its salts to disk (invariant 4)', async () => {
    const salts = mkdtempSync(join(tmpdir(), 'kanon-private-redis-salts-'));
    try {
      const leftover = await startPrivateRedis({ dir: salts, persistent: false });
      started.push(leftover);
      const writer = new Redis(leftover.url);
      await writer.set('kanon-test:salt:2026-12-05', 'secret');
      writer.disconnect();
      const next = await startPrivateRedis({ dir: salts, persistent: false });
      started.push(next);
      expect(next.leftoverStopped).toBe(true);
      // Nothing but the marker: no RDB snapshot and no append-only file from the shutdown.
      expect(readdirSync(salts)).toEqual(['kanon-redis.json']);
      const reader = new Redis(next.url);
      expect(await reader.get('kanon-test:salt:2026-12-05')).toBeNull();
      reader.disconnect();
    } finally {
      rmSync(salts, { recursive: true, force: true });
    }
  });

  it('leaves alone a server that answers on the recorded port but works in another directory', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'kanon-private-redis-other-'));
    try {
      const other = await startPrivateRedis({ dir: elsewhere, persistent: false });
      started.push(other);
      // This directory's marker points at the other server's port, as if the port had been reused.
      writeFileSync(join(dir, 'kanon-redis.json'), JSON.stringify({ port: Number(new URL(other.url).port) }));
      const next = await startPrivateRedis({ dir, persistent: false });
      started.push(next);
      expect(next.leftoverStopped).toBe(false);
      const probe = new Redis(other.url);
      expect(await probe.ping()).toBe('PONG');
      probe.disconnect();
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
