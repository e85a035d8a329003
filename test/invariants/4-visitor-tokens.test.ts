import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { resolveRedis } from '../../bin/runtime/redis.js';
import { RedisSaltStore, SALT_BYTES, saltExpiresAt } from '../../collector/salt-store.js';
import { mintVisitorToken } from '../../collector/visitor-token.js';
import { loadConfig } from '../../core/config.js';
import { createLogger } from '../../core/log.js';
import { connectRedis } from '../../core/redis/connect.js';
import { startPrivateRedis } from '../../core/redis/private-redis.js';
import { dayOfMs as dayOf } from '../../core/time.js';
import { dumpWarehouse } from '../fixtures/inspect-stores.js';
import {
  browserHeaders,
  SHOP_ORIGIN,
  shopperAddress,
  startTestPipeline,
  type TestPipeline,
  waitForRoomInWindow,
} from '../fixtures/pipeline.js';
import { testRedisUrl, uniquePrefix } from '../fixtures/redis.js';

/**
 * Invariant 4: the salt rotates daily, lives only in Redis with an expiry, never reaches ClickHouse
 * or a log, and once it is gone the day's tokens cannot be recomputed. Tokens stay in staging.
 */
describe('invariant 4: visitor tokens are unlinkable after the day ends', () => {
  const redis = connectRedis(testRedisUrl(), 'consumer');
  afterAll(() => redis.disconnect());

  it('gives the same visitor the same token all day, and a different one on another day or site', async () => {
    const store = new RedisSaltStore(redis, uniquePrefix('salt'));
    const monday = await store.saltFor('2026-11-23');
    const tuesday = await store.saltFor('2026-11-24');
    expect(mintVisitorToken(monday, '203.0.113.9', 'UA', 'shop', 0x1234)).toBe(
      mintVisitorToken(monday, '203.0.113.9', 'UA', 'shop', 0x1234),
    );
    expect(mintVisitorToken(monday, '203.0.113.9', 'UA', 'shop', 0x1234)).not.toBe(
      mintVisitorToken(tuesday, '203.0.113.9', 'UA', 'shop', 0x1234),
    );
    expect(mintVisitorToken(monday, '203.0.113.9', 'UA', 'shop', 0x1234)).not.toBe(
      mintVisitorToken(monday, '203.0.113.9', 'UA', 'other', 0x1234),
    );
    expect(mintVisitorToken(monday, '203.0.113.9', 'UA', 'shop', 0x1234)).toMatch(/^\d{1,20}$/);
  });

  it("is HMAC-SHA256 of ip|ua|site under the salt, its first 64 bits in decimal, the top 16 the network's code", () => {
    const reference = (salt: Buffer) => {
      const digest = createHmac('sha256', salt).update('203.0.113.9|UA|shop').digest();
      digest.writeUInt16BE(0x1234, 0);
      return digest.readBigUInt64BE(0).toString();
    };
    for (const fill of [7, 8, 7]) {
      // A new Buffer each time: the collector keys its HMACs by the salt it was handed.
      expect(mintVisitorToken(Buffer.alloc(32, fill), '203.0.113.9', 'UA', 'shop', 0x1234)).toBe(
        reference(Buffer.alloc(32, fill)),
      );
    }
    expect(reference(Buffer.alloc(32, 7))).not.toBe(reference(Buffer.alloc(32, 8)));
  });

  it('creates one salt a day shared by every collector, even when they race for it', async () => {
    const prefix = uniquePrefix('salt');
    const stores = Array.from({ length: 8 }, () => new RedisSaltStore(redis, prefix));
    const salts = await Promise.all(stores.map((store) => store.saltFor('2026-11-25')));
    expect(new Set(salts.map((salt) => salt.toString('hex'))).size).toBe(1);
    expect(salts[0]).toHaveLength(SALT_BYTES);
  });

  it('stores the salt with an expiry about two days after its day began', async () => {
    const prefix = uniquePrefix('salt');
    const day = dayOf(Date.now());
    await new RedisSaltStore(redis, prefix).saltFor(day);
    const expiresAt = await redis.expiretime(`${prefix}:salt:${day}`);
    expect(expiresAt).toBe(saltExpiresAt(day));
    const dayStart = Date.parse(`${day}T00:00:00Z`) / 1000;
    expect(expiresAt - dayStart).toBeLessThanOrEqual(2 * 86_400);
  });

  it("cannot recompute a day's tokens once its salt has expired", async () => {
    const prefix = uniquePrefix('salt');
    const day = '2026-11-20';
    const before = mintVisitorToken(
      await new RedisSaltStore(redis, prefix).saltFor(day),
      '203.0.113.9',
      'UA',
      'shop',
      0x1234,
    );
    await redis.del(`${prefix}:salt:${day}`); // what the expiry does
    const after = mintVisitorToken(
      await new RedisSaltStore(redis, prefix).saltFor(day),
      '203.0.113.9',
      'UA',
      'shop',
      0x1234,
    );
    expect(after).not.toBe(before);
  });

  it('refuses to start with a salts Redis that writes to disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kanon-persistent-'));
    const persistent = await startPrivateRedis({ dir, persistent: true });
    try {
      const config = loadConfig({ REDIS_URL: testRedisUrl(), KANON_SALT_REDIS_URL: persistent.url });
      await expect(resolveRedis(config, createLogger('silent'), { salts: true })).rejects.toMatchObject({
        code: 'salt_redis_persists',
      });
    } finally {
      await persistent.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('through the pipeline', () => {
    let pipeline: TestPipeline;
    beforeAll(async () => {
      pipeline = await startTestPipeline({ KANON_TRUST_PROXY: 'true' });
      await waitForRoomInWindow(10_000); // one published row is expected
      for (let n = 1; n <= 6; n += 1) {
        const headers = browserHeaders({ 'x-forwarded-for': shopperAddress(n) });
        await pipeline.send({ site: 'shop', type: 'pageview', url: `${SHOP_ORIGIN}/` }, headers);
        await pipeline.send({ site: 'shop', type: 'pageview', url: `${SHOP_ORIGIN}/again` }, headers);
      }
      await pipeline.drain();
      await pipeline.release();
    });
    afterAll(async () => {
      await pipeline?.close();
    });

    it('counts distinct visitors, not events', async () => {
      const rows = await pipeline.warehouse.query({
        name: 'overview',
        sql: 'SELECT pageviews, visitors FROM pub_overview_by_window',
        row: z.object({ pageviews: z.number(), visitors: z.number() }),
      });
      expect(rows).toEqual([{ pageviews: 12, visitors: 6 }]);
    });

    it('never writes the salt to ClickHouse or the logs', async () => {
      const salt = await redis.get(`${pipeline.prefix}:salt:${dayOf(Date.now())}`);
      expect(salt).toBeTruthy();
      const hex = Buffer.from(salt!, 'base64').toString('hex');
      const dump = await dumpWarehouse(pipeline.warehouse);
      for (const form of [salt!, hex]) {
        expect(dump).not.toContain(form);
        expect(pipeline.logs()).not.toContain(form);
      }
    });

    it('keeps tokens in the staging tier only: no published table has them', async () => {
      const tokens = await pipeline.warehouse.query({
        name: 'tokens',
        sql: "SELECT arrayJoin(arrayMap(x -> toString(x), groupUniqArrayMerge(visitors))) AS token FROM stg_cells WHERE report = 'overview'",
        row: z.object({ token: z.string() }),
      });
      expect(tokens).toHaveLength(6);
      const dump = await dumpWarehouse(pipeline.warehouse);
      const published = dump
        .split(/\n(?=[a-z_]+\n)/)
        .filter((section) => section.startsWith('pub_'))
        .join('\n');
      for (const { token } of tokens) expect(published).not.toContain(token);
    });
  });
});
