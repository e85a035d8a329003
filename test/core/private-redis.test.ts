import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { type PrivateRedis, startPrivateRedis } from '../../core/redis/private-redis.js';
import { redisServersIn } from '../fixtures/redis.js';

const dir = mkdtempSync(join(tmpdir(), 'kanon-private-redis-'));

const LOOPBACK = new Set(['0100007F', '00000000000000000000000001000000']); // 127.0.0.1, ::1 as /proc/net has them

/** The local addresses (as /proc/net/tcp{,6} writes them) of the TCP sockets `pid` listens on. */
function listeningAddresses(pid: number): string[] {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`)
      .map((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`).match(/^socket:\[(\d+)\]$/)?.[1])
      .filter((inode) => inode !== undefined),
  );
  return ['tcp', 'tcp6'].flatMap((table) =>
    readFileSync(`/proc/${pid}/net/${table}`, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[3] === '0A' && inodes.has(fields[9] ?? '')) // 0A: LISTEN
      .map((fields) => (fields[1] ?? '').split(':')[0] ?? ''),
  );
}
const started: PrivateRedis[] = [];

afterAll(async () => {
  for (const redis of started) await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a private redis-server', () => {
  it('listens on the loopback interface only, as its settings, its sockets and the process list show', async () => {
    const own = mkdtempSync(join(tmpdir(), 'kanon-private-redis-bind-'));
    try {
      for (const persistent of [true, false]) {
        const redis = await startPrivateRedis({ dir: own, persistent });
        started.push(redis);
        const [pid] = redisServersIn(own);
        const port = new URL(redis.url).port;
        // redis-server writes what it listens on into its command line: `*:<port>` for every address.
        const args = execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim();
        expect.soft(args).toBe(`redis-server 127.0.0.1:${port}`);
        const sockets = listeningAddresses(pid!);
        expect.soft(sockets.length).toBeGreaterThan(0);
        for (const address of sockets) expect.soft(LOOPBACK, `listening on ${address}`).toContain(address);
        const probe = new Redis(redis.url);
        const [, bind] = (await probe.config('GET', 'bind')) as [string, string];
        probe.disconnect();
        expect.soft(bind.split(' ')).toEqual(['127.0.0.1']);
        await redis.stop();
      }
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

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
