import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyLayout } from '../../core/redis/key-layout.js';
import type { AnonymousEvent } from '../../schema/event.js';
import { createCampaignAttribution } from '../../workers/attribute-campaigns.js';
import { anonymousEvent } from '../fixtures/anonymous-event.js';
import { testRedisUrl, uniquePrefix } from '../fixtures/redis.js';

/**
 * First-touch campaign attribution (workers/attribute-campaigns.ts) against a real Redis: a visit's
 * add-to-carts and orders, in later batches, carry the campaign of its landing page, for live
 * traffic and for a backfilled past day alike (the record once expired at the event's day plus an
 * hour, which for a past day is already over, so every backfilled order went unattributed).
 */
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

describe('campaign attribution', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(testRedisUrl());
  });
  afterAll(async () => {
    await redis?.quit();
  });

  const visit = (ts: number, visitor: string): AnonymousEvent[][] => [
    [
      anonymousEvent({
        ts,
        visitor,
        referrer: 'news.example',
        utm_source: 'news',
        utm_medium: 'email',
        utm_campaign: 'spring',
      }),
    ],
    [
      anonymousEvent({ ts: ts + 60_000, visitor, type: 'add_to_cart', referrer: '(internal)' }),
      anonymousEvent({
        ts: ts + 120_000,
        visitor,
        type: 'purchase',
        referrer: '(internal)',
        value_cents: 1000,
      }),
    ],
  ];

  async function attributeVisit(ts: number, now: number) {
    const prefix = uniquePrefix('attribution');
    const attribute = createCampaignAttribution(
      redis,
      keyLayout({ prefix, queues: 1, cluster: false }),
      () => now,
    );
    const [landing, later] = visit(ts, '4242');
    await attribute(landing!);
    const attributed = await attribute(later!);
    const ttl = await redis.pttl((await redis.keys(`${prefix}:visit:*`))[0] ?? 'none');
    return { attributed, ttl };
  }

  it("gives a live visit's add-to-cart and order the campaign of its landing page", async () => {
    const now = Date.now();
    const { attributed, ttl } = await attributeVisit(now - 10 * 60_000, now);
    for (const event of attributed)
      expect(event).toMatchObject({ utm_source: 'news', utm_medium: 'email', utm_campaign: 'spring' });
    // Kept until an hour after the visit's day ends, not longer.
    const dayEnd = (Math.floor(now / DAY_MS) + 1) * DAY_MS;
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(dayEnd + HOUR_MS - now);
  });

  it('attributes a backfilled past day too, and keeps its record an hour at most', async () => {
    const now = Date.now();
    const threeDaysAgo = (Math.floor(now / DAY_MS) - 3) * DAY_MS + 14 * HOUR_MS;
    const { attributed, ttl } = await attributeVisit(threeDaysAgo, now);
    for (const event of attributed)
      expect(event).toMatchObject({ utm_source: 'news', utm_medium: 'email', utm_campaign: 'spring' });
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(HOUR_MS);
  });
});
