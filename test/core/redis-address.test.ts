import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.js';
import { keyLayout, queueOfSite } from '../../core/redis/key-layout.js';
import { parseRedisAddress } from '../../core/redis/redis-address.js';
import { hashSlot } from '../../core/redis/replicated.js';

describe('Redis addresses', () => {
  it('reads a single server, a cluster and a Sentinel primary, with credentials and TLS', () => {
    expect(parseRedisAddress('redis://127.0.0.1:6379/2')).toEqual({
      ok: true,
      address: { kind: 'single', url: 'redis://127.0.0.1:6379/2', tls: false },
    });
    expect(parseRedisAddress('rediss-cluster://user:p%40ss@10.0.0.1:7001,10.0.0.2,[::1]:7003')).toEqual({
      ok: true,
      address: {
        kind: 'cluster',
        nodes: [
          { host: '10.0.0.1', port: 7001 },
          { host: '10.0.0.2', port: 6379 },
          { host: '::1', port: 7003 },
        ],
        username: 'user',
        password: 'p@ss',
        tls: true,
      },
    });
    expect(parseRedisAddress('redis-sentinel://:secret@s1:26380,s2/3#kanon')).toEqual({
      ok: true,
      address: {
        kind: 'sentinel',
        sentinels: [
          { host: 's1', port: 26380 },
          { host: 's2', port: 26379 },
        ],
        primary: 'kanon',
        db: 3,
        username: undefined,
        password: 'secret',
        tls: false,
      },
    });
  });

  it('refuses a malformed address with a message that never repeats it', () => {
    for (const bad of [
      'http://secret-host:6379',
      'redis-cluster://h1:6379/1',
      'redis-cluster://h1:6379#name',
      'redis-sentinel://h1:99999#m',
      'redis-sentinel://h1:26379#bad name',
      'redis-cluster://:hunter2@h1:70000',
    ]) {
      const parsed = parseRedisAddress(bad);
      expect(parsed.ok, bad).toBe(false);
      if (!parsed.ok) expect(parsed.problem).not.toMatch(/secret-host|hunter2|h1/);
    }
  });

  it('is checked at start-up, and a bad REDIS_URL names the variable only', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis-cluster://:hunter2@h1:70000' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({ REDIS_URL: 'redis-cluster://:hunter2@h1:70000' })).not.toThrow(/hunter2/);
    const config = loadConfig({ REDIS_URL: 'redis-cluster://h1:7001,h2:7002', KANON_REDIS_QUEUES: '4' });
    expect(config.redis.queues).toBe(4);
    expect(() => loadConfig({ KANON_REDIS_QUEUES: '0' })).toThrow(/KANON_REDIS_QUEUES/);
  });
});

describe('key layout', () => {
  it('keeps the key names of one queue on one Redis, so a deployment keeps what it has queued', () => {
    const layout = keyLayout({ prefix: 'kanon', queues: 1, cluster: false });
    expect(layout.queues).toEqual(['kanon']);
    expect(layout.release).toBe('kanon');
    expect(layout.visitKey('shop', '2026-12-07', '42')).toBe('kanon:visit:shop:2026-12-07:42');
  });

  it('gives each queue on a cluster a hash tag of its own, and keeps the first one of several', () => {
    expect(keyLayout({ prefix: 'kanon', queues: 3, cluster: true }).queues).toEqual([
      '{kanon}',
      '{kanon:1}',
      '{kanon:2}',
    ]);
    expect(keyLayout({ prefix: 'kanon', queues: 2, cluster: false }).queues).toEqual(['kanon', '{kanon:1}']);
    // A queue's job keys, its pending set and its batch groups are in one slot.
    const [, second] = keyLayout({ prefix: 'kanon', queues: 2, cluster: true }).queues;
    const slots = ['events:wait', 'events:123', 'pending-batches', 'batch-group:abc'].map((key) =>
      hashSlot(`${second}:${key}`),
    );
    expect(new Set(slots).size).toBe(1);
    const visits = keyLayout({ prefix: 'kanon', queues: 2, cluster: true });
    expect(hashSlot(visits.visitKey('shop', '2026-12-07', '1'))).toBe(
      hashSlot(visits.visitKey('shop', '2026-12-08', '2')),
    );
  });

  it('computes the hash slots Redis computes', () => {
    // What `redis-cli cluster keyslot` answered (Redis 7.0).
    const keyslot = {
      '123456789': 12_739,
      'foo{}{bar}': 8363,
      '{kanon:1}:events:wait': 13_699,
      'a{b}c': 3300,
      '{}': 15_257,
      'shop{': 8122,
    };
    for (const [key, slot] of Object.entries(keyslot)) expect(hashSlot(key), key).toBe(slot);
  });

  it('sends a site to the same queue every time, and spreads sites over the queues', () => {
    expect(queueOfSite('shop', 1)).toBe(0);
    expect(queueOfSite('shop', 4)).toBe(queueOfSite('shop', 4));
    const used = new Set(Array.from({ length: 64 }, (_, n) => queueOfSite(`site-${n}`, 4)));
    expect(used.size).toBe(4);
  });
});
