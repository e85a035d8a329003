import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../../core/redis/connect.js';
import { dumpRedis } from '../fixtures/inspect-stores.js';
import { browserHeaders, SHOP_ORIGIN, startTestPipeline, type TestPipeline } from '../fixtures/pipeline.js';

/**
 * Invariant 6: bad input gets a clear 4xx with `{"error":{"code","message"}}`, never a 500 or a
 * crash, and nothing of a rejected request is stored.
 */
describe('invariant 6: bad input gets a clear 4xx and stores nothing', () => {
  let pipeline: TestPipeline;
  const queued = async () => {
    const redis = connectRedis(pipeline.redisUrl, 'consumer');
    try {
      return (await dumpRedis(redis, `${pipeline.prefix}:events:`)).includes('pageview');
    } finally {
      redis.disconnect();
    }
  };

  beforeAll(async () => {
    pipeline = await startTestPipeline({ KANON_MAX_BODY_BYTES: '4096', KANON_MAX_EVENTS_PER_REQUEST: '5' });
    await pipeline.pauseWorker();
  });
  // The positive probe below queues a batch; later tests must not mistake it for a leak.
  const settle = async () => {
    pipeline.resumeWorker();
    await pipeline.drain();
    await pipeline.pauseWorker();
  };
  afterAll(async () => {
    pipeline?.resumeWorker();
    await pipeline?.close();
  });

  const valid = { site: 'shop', type: 'pageview', url: `${SHOP_ORIGIN}/` };

  it.each([
    ['malformed JSON', '{"site":"shop",', {}, 400, 'invalid_json'],
    ['a JSON array', '[1,2]', {}, 400, 'invalid_event'],
    ['a JSON string', '"hello"', {}, 400, 'invalid_event'],
    ['an empty body', '', {}, 400, 'empty_body'],
    ['an unknown event type', { ...valid, type: 'mouse_move' }, {}, 400, 'invalid_event'],
    ['a number where a URL belongs', { ...valid, url: 42 }, {}, 400, 'invalid_event'],
    ['a relative URL', { ...valid, url: '/shoes' }, {}, 400, 'invalid_event'],
    ['a javascript: URL', { ...valid, url: 'javascript:alert(1)' }, {}, 400, 'invalid_event'],
    [
      'a negative price',
      { ...valid, type: 'product_view', product: { id: 'p', price: -1 } },
      {},
      400,
      'invalid_event',
    ],
    [
      'a purchase without items',
      { ...valid, type: 'purchase', value: 10, currency: 'EUR', items: [] },
      {},
      400,
      'invalid_event',
    ],
    ['no site', { type: 'pageview', url: `${SHOP_ORIGIN}/` }, {}, 400, 'invalid_event'],
    [
      'too many events',
      { site: 'shop', events: Array(6).fill({ type: 'pageview', url: `${SHOP_ORIGIN}/` }) },
      {},
      413,
      'too_many_events',
    ],
    ['a body over the limit', { ...valid, referrer: 'x'.repeat(5000) }, {}, 413, 'body_too_large'],
    ['an unknown site', { ...valid, site: 'nobody' }, {}, 403, 'unknown_site'],
    ['a disallowed origin', valid, { origin: 'https://evil.example' }, 403, 'origin_not_allowed'],
    ["another site's origin", valid, { origin: 'https://other.example' }, 403, 'origin_not_allowed'],
    ['no origin', valid, { origin: '' }, 403, 'origin_required'],
    [
      'an unsupported content type',
      valid,
      { 'content-type': 'application/xml' },
      415,
      'unsupported_media_type',
    ],
  ] as const)('answers %s with %i %s and queues nothing', async (_what, body, headers, status, code) => {
    const merged = { ...browserHeaders(), ...headers } as Record<string, string>;
    if (merged.origin === '') delete merged.origin;
    const response = await pipeline.send(body, merged);
    expect(response.status).toBe(status);
    const json = (await response.json()) as { error: { code: string; message: string } };
    expect(json.error.code).toBe(code);
    expect(json.error.message.length).toBeGreaterThan(10);
    expect(await queued()).toBe(false);
  });

  it('queues a valid beacon sent the same way (the checks above can see a queued batch)', async () => {
    const probe = await pipeline.send(valid);
    expect(probe.status).toBe(202);
    expect(await queued()).toBe(true);
    await settle();
    expect(await queued()).toBe(false);
  });

  it('names the field and the rule in an invalid-event message, without echoing the value', async () => {
    const secret = 'jane.doe@example.com';
    const response = await pipeline.send({ site: 'shop', events: [valid, { ...valid, page_type: secret }] });
    const json = (await response.json()) as { error: { message: string } };
    expect(json.error.message).toMatch(/^events\[1\]\.page_type: /);
    expect(JSON.stringify(json)).not.toContain(secret);
  });

  it('refuses a whole batch when one event is bad, so nothing is stored half-way', async () => {
    const response = await pipeline.send({ site: 'shop', events: [valid, valid, { ...valid, url: 7 }] });
    expect(response.status).toBe(400);
    expect(await queued()).toBe(false);
  });

  it('answers deeply nested JSON with a 4xx', async () => {
    const deep = `${'['.repeat(3000)}${']'.repeat(3000)}`;
    const response = await pipeline.send(deep);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });

  it('never answers a fuzzed body with a 5xx and never queues it', async () => {
    const anyJson = fc.oneof(
      fc.jsonValue(),
      fc.record({
        site: fc.oneof(fc.constant('shop'), fc.string()),
        events: fc.array(fc.jsonValue(), { maxLength: 6 }),
      }),
      fc.record({
        site: fc.constant('shop'),
        type: fc.constantFrom('pageview', 'purchase', 'search', 'slot_click', 'scroll', 'x'),
        url: fc.oneof(fc.webUrl(), fc.string()),
        product: fc.anything(),
        items: fc.anything(),
        depth: fc.anything(),
      }),
    );
    const bodies = fc.oneof(
      anyJson.map((value) => JSON.stringify(value)),
      fc.string({ maxLength: 300 }),
    );
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const response = await pipeline.send(body);
        expect(response.status).toBeLessThan(500);
        if (response.status === 202) accepted += 1;
        else expect(((await response.json()) as { error: { code: string } }).error.code).toMatch(/^[a-z_]+$/);
      }),
      { numRuns: 3000 },
    );
    // A fuzzed body that happens to be valid is accepted; every other one left nothing behind.
    if (accepted === 0) expect(await queued()).toBe(false);
  });
});

describe('invariant 6: floods', () => {
  let pipeline: TestPipeline;
  beforeAll(async () => {
    pipeline = await startTestPipeline({ KANON_RATE_LIMIT: '20', KANON_TRUST_PROXY: 'true' });
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  it('answers a flood from one address with 429 rate_limited while others still get 202', async () => {
    const flood = browserHeaders({ 'x-forwarded-for': '203.0.113.66' });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i += 1) {
      statuses.push(
        (await pipeline.send({ site: 'shop', type: 'pageview', url: `${SHOP_ORIGIN}/` }, flood)).status,
      );
    }
    expect(statuses.filter((status) => status === 202)).toHaveLength(20);
    const limited = await pipeline.send({ site: 'shop', type: 'pageview', url: `${SHOP_ORIGIN}/` }, flood);
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    const other = await pipeline.send(
      { site: 'shop', type: 'pageview', url: `${SHOP_ORIGIN}/` },
      browserHeaders({ 'x-forwarded-for': '203.0.113.67' }),
    );
    expect(other.status).toBe(202);
  });
});
