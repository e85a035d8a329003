import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, stagedEvents } from '../fixtures/counts.js';
import { browserHeaders, SHOP_ORIGIN, startTestPipeline, type TestPipeline } from '../fixtures/pipeline.js';
import { requestHead, requestsAcrossClose } from '../fixtures/raw-http.js';

const pageview = { site: 'shop', type: 'pageview', url: `${SHOP_ORIGIN}/` };
const codeOf = async (response: Response) =>
  ((await response.json()) as { error: { code: string } }).error.code;

/**
 * Refusals given before the beacon handler runs (the rate limit, the body parser, a closing
 * collector) must carry the CORS header for a registered page like every other answer: otherwise
 * the browser reports a CORS failure instead, the tag cannot tell a 503 (which it sends again)
 * from a network error (which it does not), and the shop developer sees no error code.
 */
describe('collector: refusals before the handler can be read by the shop page', () => {
  let pipeline: TestPipeline;
  beforeAll(async () => {
    pipeline = await startTestPipeline(
      { KANON_RATE_LIMIT: '3', KANON_TRUST_PROXY: 'true', KANON_MAX_BODY_BYTES: '2048' },
      { worker: false },
    );
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  const from = (address: string, overrides: Record<string, string> = {}) =>
    browserHeaders({ 'x-forwarded-for': address, ...overrides });

  it.each([
    [
      'a body over the size limit',
      413,
      'body_too_large',
      JSON.stringify({ ...pageview, url: `${SHOP_ORIGIN}/${'a'.repeat(4000)}` }),
      {},
    ],
    ['a body that is not JSON', 400, 'invalid_json', '{"site":', {}],
    [
      'a body of an unsupported type',
      415,
      'unsupported_media_type',
      'site=shop',
      { 'content-type': 'application/x-www-form-urlencoded' },
    ],
    ['an invalid event', 400, 'invalid_event', JSON.stringify({ ...pageview, type: 'nonsense' }), {}],
  ])('%s: %i %s with the CORS header', async (_what, status, code, body, overrides) => {
    // An address of its own for each case, so the rate limit of 3 a minute never answers first.
    const response = await pipeline.send(body, from(`198.51.100.${10 + status + code.length}`, overrides));
    expect(response.status).toBe(status);
    expect(await codeOf(response)).toBe(code);
    expect(response.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
    expect(response.headers.get('vary')).toMatch(/Origin/);
  });

  it('a rate-limited page: 429 rate_limited with the CORS header and Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1)
      statuses.push((await pipeline.send(pageview, from('198.51.100.2'))).status);
    expect(statuses).toEqual([202, 202, 202]);
    const limited = await pipeline.send(pageview, from('198.51.100.2'));
    expect(limited.status).toBe(429);
    expect(await codeOf(limited)).toBe('rate_limited');
    expect(limited.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('gives no CORS header to an origin that is not registered, whatever the answer', async () => {
    const evil = { origin: 'https://evil.example' };
    const tooLarge = await pipeline.send('x'.repeat(3000), from('198.51.100.3', evil));
    expect(tooLarge.status).toBe(413);
    const refused = await pipeline.send(pageview, from('198.51.100.3', evil));
    expect(refused.status).toBe(403);
    expect(await codeOf(refused)).toBe('origin_not_allowed');
    for (let i = 0; i < 3; i += 1) await pipeline.send(pageview, from('198.51.100.3', evil));
    const limited = await pipeline.send(pageview, from('198.51.100.3', evil));
    expect(limited.status).toBe(429);
    for (const response of [tooLarge, refused, limited])
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('gives the CORS header on /e only: a shop page cannot read the other routes', async () => {
    for (const path of ['/metrics', '/readyz', '/no-such-route']) {
      const response = await fetch(`${pipeline.url}${path}`, { headers: { origin: SHOP_ORIGIN } });
      await response.arrayBuffer();
      expect(response.headers.get('access-control-allow-origin'), path).toBeNull();
    }
  });
});

describe('collector: a request that arrives while the collector closes', () => {
  let pipeline: TestPipeline;
  beforeAll(async () => {
    pipeline = await startTestPipeline();
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  it("is refused with 503 shutting_down in Kanon's error body, readable by the page, and nothing of it is stored", async () => {
    const { host, port } = new URL(pipeline.url);
    const body = JSON.stringify(pageview);
    const request = requestHead('POST', '/e', host, browserHeaders(), body);
    const [first, second, ...more] = await requestsAcrossClose({
      server: pipeline.collector.server,
      port: Number(port),
      first: { head: request, body },
      second: request + body,
      close: () => pipeline.collector.close(),
    });
    expect(more).toEqual([]);
    expect(first?.status).toBe(202);
    expect(second?.status).toBe(503);
    expect(JSON.parse(second?.body ?? '')).toEqual({
      error: { code: 'shutting_down', message: 'The collector is shutting down; the tag will retry.' },
    });
    expect(second?.headers['access-control-allow-origin']).toBe(SHOP_ORIGIN);
    expect(second?.headers.connection).toBe('close');
    expect(second?.headers['retry-after']).toBe('1');
    expect(await metricValue(pipeline.metrics, 'kanon_collector_rejected_total{code="shutting_down"}')).toBe(
      1,
    );
    await pipeline.drain();
    expect(await stagedEvents(pipeline.warehouse)).toBe(1);
  });
});
