import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../../core/redis/connect.js';
import { AnonymousBatch } from '../../schema/event.js';
import { SHOP_ORIGIN, startTestPipeline, type TestPipeline } from '../fixtures/pipeline.js';

/**
 * Invariant 2, at the queue: what the collector enqueues already has every sensitive value
 * replaced by its typed placeholder and every referrer reduced to its host. The worker is paused
 * and the queued job payloads are read back from Redis. (test/collector/scrub holds the detector
 * tables and ~2,700 property cases; test/invariants/1-* checks no raw value reaches any store.)
 */
describe('invariant 2: sensitive values are scrubbed before anything is enqueued', () => {
  let pipeline: TestPipeline;
  let queued: AnonymousBatch['events'];

  beforeAll(async () => {
    pipeline = await startTestPipeline();
    await pipeline.pauseWorker();
    const response = await pipeline.send({
      site: 'shop',
      events: [
        {
          type: 'pageview',
          url: `${SHOP_ORIGIN}/account/jane.doe@example.com/orders/123456789?token=abc&utm_source=news`,
          referrer: 'https://mail.example.com/read/9f8e7d6c5b4a39281716?u=jane@example.com',
        },
        {
          type: 'search',
          url: `${SHOP_ORIGIN}/search?q=x`,
          query: 'Call +49 151 2345 6789 about 4111 1111 1111 1111',
        },
        { type: 'slot_click', url: `${SHOP_ORIGIN}/`, slot: 'promo DE89370400440532013000', position: 2 },
        {
          type: 'promo_view',
          url: `${SHOP_ORIGIN}/`,
          promo: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlMTIzNDU2',
          slot: 'hero',
        },
        {
          type: 'pageview',
          url: `${SHOP_ORIGIN}/reset/3f2b8c1e-9d4a-4e2f-8b7c-6a5d4e3f2a1b`,
          referrer: `${SHOP_ORIGIN}/cart`,
        },
        {
          type: 'search',
          url: `${SHOP_ORIGIN}/search%E2%80%AE/%1B%5D0%3Bx%07?utm_source=news%E2%80%8B`,
          query: 'boots\u001b]0;pwned\u0007 \u202eexe.jpg',
        },
        { type: 'pageview', url: `${SHOP_ORIGIN}/users/maria-gonzalez-1987/profile` },
      ],
    });
    expect(response.status).toBe(202);
    const redis = connectRedis(pipeline.redisUrl, 'consumer');
    try {
      const keys = await redis.keys(`${pipeline.prefix}:events:*`);
      const payloads: string[] = [];
      for (const key of keys) {
        if ((await redis.type(key)) !== 'hash') continue;
        const data = await redis.hget(key, 'data');
        if (data) payloads.push(data);
      }
      queued = payloads.flatMap((data) => AnonymousBatch.parse(JSON.parse(data)).events);
    } finally {
      redis.disconnect();
    }
  });
  afterAll(async () => {
    pipeline?.resumeWorker();
    await pipeline?.close();
  });

  it('queues the seven events, parsed by the strict anonymous schema', () => {
    expect(queued).toHaveLength(7);
  });

  it('replaces an e-mail and a long id in a path, and drops the query except utm', () => {
    expect(queued[0]).toMatchObject({ path: '/account/:email/orders/:id', utm_source: 'news' });
  });

  it('reduces referrers to their host, or (internal) for the shop itself', () => {
    expect(queued[0]?.referrer).toBe('mail.example.com');
    expect(queued[4]?.referrer).toBe('(internal)');
    expect(queued[4]?.path).toBe('/reset/:uuid');
  });

  it('replaces phone and card numbers in search terms, IBANs in slot names, JWTs in promotion ids', () => {
    expect(queued[1]?.query).toBe('call :phone about :card');
    expect(queued[2]?.slot).toBe('promo :iban');
    expect(queued[3]?.promo).toBe(':jwt');
  });

  it('replaces the segment after a path keyword such as users with :name (KANON_PATH_TEMPLATES)', () => {
    expect(queued[6]?.path).toBe('/users/:name/profile');
  });

  it('removes terminal control sequences and bidi overrides from paths, campaigns and search terms', () => {
    expect(queued[5]).toMatchObject({
      path: '/search/]0;x',
      utm_source: 'news',
      query: 'boots]0;pwned exe.jpg',
    });
  });
});
