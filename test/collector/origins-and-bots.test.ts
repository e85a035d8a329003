import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue } from '../fixtures/counts.js';
import { browserHeaders, SHOP_ORIGIN, startTestPipeline, type TestPipeline } from '../fixtures/pipeline.js';

const pageview = { site: 'shop', type: 'pageview', url: `${SHOP_ORIGIN}/` };

describe('collector: sites, origins and CORS', () => {
  let pipeline: TestPipeline;
  beforeAll(async () => {
    pipeline = await startTestPipeline();
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  it('answers a CORS preflight from a registered origin', async () => {
    const response = await fetch(`${pipeline.url}/e`, {
      method: 'OPTIONS',
      headers: { origin: SHOP_ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
    expect(response.headers.get('access-control-allow-methods')).toBe('POST');
  });

  it('refuses a CORS preflight from any other origin with 403 and no CORS headers', async () => {
    const response = await fetch(`${pipeline.url}/e`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('origin_not_allowed');
  });

  it('lets the page read the 202 of an accepted beacon (CORS header on the POST)', async () => {
    const response = await pipeline.send(pageview);
    expect(response.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
  });

  it('serves /healthz and /readyz', async () => {
    expect((await fetch(`${pipeline.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${pipeline.url}/readyz`)).json()).toEqual({ status: 'ready' });
  });
});

describe('collector: a site that takes beacons from sandboxed frames (null among its origins)', () => {
  let pipeline: TestPipeline;
  beforeAll(async () => {
    // Shopify's Custom Pixels run in a sandboxed frame: its browser sends `Origin: null` and no Referer.
    pipeline = await startTestPipeline({
      KANON_SITES: `shop=${SHOP_ORIGIN},null;other=https://other.example`,
    });
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  const fromSandbox = browserHeaders({ origin: 'null', 'sec-fetch-mode': 'cors' });

  it('accepts Origin: null for that site, and lets the frame read the answer', async () => {
    const response = await pipeline.send(pageview, fromSandbox);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 1 });
    expect(response.headers.get('access-control-allow-origin')).toBe('null');
  });

  it('still drops an event whose page is not on the site’s own origins', async () => {
    const offSite = { ...pageview, url: 'https://evil.example/' };
    const response = await pipeline.send(offSite, fromSandbox);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 0 });
    expect(
      await metricValue(pipeline.metrics, 'kanon_collector_dropped_total{reason="url_not_site_origin"}'),
    ).toBe(1);
  });

  it('refuses Origin: null for a site that does not list null, with 403 origin_required', async () => {
    const response = await pipeline.send(
      { site: 'other', type: 'pageview', url: 'https://other.example/' },
      fromSandbox,
    );
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('origin_required');
  });
});

describe('collector: bots are dropped and only counted', () => {
  let pipeline: TestPipeline;
  beforeAll(async () => {
    pipeline = await startTestPipeline();
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  it.each([
    [
      'a crawler',
      { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' },
      'bot_user_agent',
    ],
    [
      'a link preview fetcher',
      { 'user-agent': 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' },
      'bot_user_agent',
    ],
    [
      'a headless browser',
      {
        'user-agent':
          'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36',
      },
      'headless',
    ],
    ['curl', { 'user-agent': 'curl/8.5.0' }, 'bot_user_agent'],
    ['no user agent', { 'user-agent': '' }, 'no_user_agent'],
    ['no Accept-Language', { 'accept-language': '' }, 'no_accept_language'],
    [
      'client hints on a Firefox',
      {
        'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
        'sec-ch-ua': '"Chromium";v="131"',
      },
      'client_hints_mismatch',
    ],
    ['headless client hints', { 'sec-ch-ua': '"HeadlessChrome";v="131", "Chromium";v="131"' }, 'headless'],
    ['a modern Chrome without fetch metadata', { 'sec-fetch-mode': '' }, 'missing_fetch_metadata'],
  ])('drops %s with 202 and counts it by reason', async (_what, overrides, reason) => {
    const headers = browserHeaders(overrides as Record<string, string>);
    for (const [key, value] of Object.entries(headers)) if (value === '') delete headers[key];
    const before = await metricValue(pipeline.metrics, `kanon_collector_dropped_total{reason="${reason}"}`);
    const response = await pipeline.sendRaw(pageview, headers);
    expect(response.status).toBe(202);
    expect(response.json).toEqual({ accepted: 0 });
    expect(await metricValue(pipeline.metrics, `kanon_collector_dropped_total{reason="${reason}"}`)).toBe(
      before + 1,
    );
  });

  it('drops events the tracker marks as sent by an automated browser', async () => {
    const response = await pipeline.send({ ...pageview, webdriver: true });
    expect(await response.json()).toEqual({ accepted: 0 });
    expect(
      await metricValue(pipeline.metrics, `kanon_collector_dropped_total{reason="${'webdriver'}"}`),
    ).toBe(1);
  });

  it('accepts a real browser', async () => {
    const response = await pipeline.sendRaw(pageview, browserHeaders());
    expect(response.json).toEqual({ accepted: 1 });
  });
});

describe("collector: events whose page is not on one of their site's origins are dropped and only counted", () => {
  let pipeline: TestPipeline;
  beforeAll(async () => {
    pipeline = await startTestPipeline();
  });
  afterAll(async () => {
    await pipeline?.close();
  });
  const dropped = () =>
    metricValue(pipeline.metrics, 'kanon_collector_dropped_total{reason="url_not_site_origin"}');

  it.each([
    ['another host', 'https://evil.example/p/shoes'],
    ["another site's origin", 'https://other.example/p/shoes'],
    ['a subdomain of the site', 'https://www.shop.example/p/shoes'],
    ["the site's host under another scheme", 'http://shop.example/p/shoes'],
    ["the site's host on another port", 'https://shop.example:8443/p/shoes'],
  ])('drops an event on %s with 202 and counts it as url_not_site_origin', async (_what, url) => {
    const before = await dropped();
    const response = await pipeline.send({ site: 'shop', type: 'pageview', url });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 0 });
    expect(await dropped()).toBe(before + 1);
  });

  it('keeps the other events of a batch and drops only the one on another host', async () => {
    const before = await dropped();
    const response = await pipeline.send({
      site: 'shop',
      events: [
        { type: 'pageview', url: `${SHOP_ORIGIN}/p/shoes` },
        { type: 'search', url: 'https://evil.example/search', query: 'boots' },
        { type: 'scroll', url: `${SHOP_ORIGIN}/p/shoes`, depth: 50 },
      ],
    });
    expect(await response.json()).toEqual({ accepted: 2 });
    expect(await dropped()).toBe(before + 1);
  });

  it("accepts a page on the site's origin written with another case or its default port", async () => {
    const before = await dropped();
    const response = await pipeline.send({
      site: 'shop',
      events: [
        { type: 'pageview', url: 'HTTPS://Shop.Example:443/p/shoes?q=1#top' },
        { type: 'pageview', url: `${SHOP_ORIGIN}` },
      ],
    });
    expect(await response.json()).toEqual({ accepted: 2 });
    expect(await dropped()).toBe(before);
  });
});
