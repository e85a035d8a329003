import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SiteSecretStore } from '../../collector/site-secrets.js';
import { metricValue } from '../fixtures/counts.js';
import {
  afterToday,
  browserHeaders,
  SHOP_ORIGIN,
  startTestPipeline,
  type TestPipeline,
} from '../fixtures/pipeline.js';

/**
 * POST /api/event, a shop's backend sending an order confirmation: real HTTP to a started
 * collector, the real queue, worker, engine and release.
 */
const SHOPPER_UA = browserHeaders()['user-agent']!;
const purchase = (n: number) => ({
  site: 'shop',
  type: 'purchase',
  url: `${SHOP_ORIGIN}/thanks`,
  value: 25,
  currency: 'EUR',
  items: [{ id: 'p01', category: 'coffee', price: 25, quantity: 1 }],
  // A value that breaks its rule (the body is validated like /e's).
  ...(n < 0 ? { value: 'lots' } : {}),
});

describe('POST /api/event (server-side events)', () => {
  let pipeline: TestPipeline;
  let store: SiteSecretStore;
  let secret: string;

  const send = (
    body: unknown,
    options: {
      secret?: string;
      ip?: string;
      ua?: string;
      path?: string;
      headers?: Record<string, string>;
    } = {},
  ) =>
    fetch(`${pipeline.url}${options.path ?? '/api/event'}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'shop-backend/1.0 (order service)',
        ...(options.secret === undefined ? {} : { authorization: `Bearer ${options.secret}` }),
        ...(options.ip === undefined ? {} : { 'kanon-client-ip': options.ip }),
        ...(options.ua === undefined ? {} : { 'kanon-client-user-agent': options.ua }),
        'kanon-client-accept-language': 'de-DE,de;q=0.9',
        'kanon-client-sec-fetch-mode': 'navigate',
        ...options.headers,
      },
      body: JSON.stringify(body),
    });
  const code = async (response: Response) =>
    ((await response.json()) as { error: { code: string } }).error.code;

  beforeAll(async () => {
    pipeline = await startTestPipeline(
      { KANON_RATE_LIMIT: '600' },
      {
        siteSecrets: (warehouse) => {
          store = new SiteSecretStore(warehouse, { cacheMs: 0 });
          return store;
        },
      },
    );
    secret = await store.rotate('shop');
  }, 120_000);
  afterAll(async () => {
    await pipeline?.close();
  });

  it('takes a purchase from the shop backend with the shopper address and UA, and releases it', async () => {
    for (const [n, ip] of ['10.1.1.7', '10.2.2.9'].entries()) {
      const response = await send(purchase(n), { secret, ip, ua: SHOPPER_UA });
      expect(response.status, await response.clone().text()).toBe(202);
      expect(await response.json()).toEqual({ accepted: 1 });
    }
    await pipeline.drain();
    await pipeline.release(afterToday());
    const overview = await pipeline.warehouse.query({
      name: 'overview',
      sql: "SELECT orders, revenue_cents, visitors FROM pub_overview_by_day WHERE site = 'shop'",
      row: z.object({ orders: z.number(), revenue_cents: z.number(), visitors: z.number() }),
    });
    expect(overview).toEqual([{ orders: 2, revenue_cents: 5000, visitors: 2 }]);
  }, 120_000);

  it('refuses a missing, wrong or rotated secret, and a secret of another site', async () => {
    const headers = { ip: '10.3.3.3', ua: SHOPPER_UA };
    expect(await code(await send(purchase(0), headers))).toBe('site_secret_required');
    const wrong = await send(purchase(0), { ...headers, secret: `ks_${'A'.repeat(43)}` });
    expect(wrong.status).toBe(401);
    expect(await code(wrong)).toBe('site_secret_invalid');
    const previous = secret;
    secret = await store.rotate('shop');
    const rotated = await send(purchase(0), { ...headers, secret: previous });
    expect(await code(rotated)).toBe('site_secret_invalid');
    expect((await send(purchase(0), { ...headers, secret })).status).toBe(202);
    // The shop's secret does not open another site.
    const other = await send(
      { ...purchase(0), site: 'other', url: 'https://other.example/thanks' },
      { ...headers, secret },
    );
    expect(await code(other)).toBe('site_secret_invalid');
  });

  it('refuses a secret in the URL before anything else, whatever it is', async () => {
    for (const query of [`secret=${secret}`, `token=${secret}`, `key=x`]) {
      const response = await send(purchase(0), {
        ip: '10.3.3.3',
        ua: SHOPPER_UA,
        path: `/api/event?${query}`,
      });
      expect(response.status, query).toBe(400);
      expect(await code(response)).toBe('secret_in_url');
    }
  });

  it('needs the shopper address and user agent, and runs the same checks as /e', async () => {
    expect(await code(await send(purchase(0), { secret, ua: SHOPPER_UA }))).toBe('client_headers_required');
    expect(await code(await send(purchase(0), { secret, ip: 'not-an-ip', ua: SHOPPER_UA }))).toBe(
      'client_headers_required',
    );
    expect(await code(await send(purchase(0), { secret, ip: '10.3.3.3' }))).toBe('client_headers_required');
    // Validation as for /e: a value that breaks its rule is refused.
    const invalid = await send(purchase(-1), { secret, ip: '10.3.3.3', ua: SHOPPER_UA });
    expect(invalid.status).toBe(400);
    expect(await code(invalid)).toBe('invalid_event');
    // A bot's user agent is dropped as for /e, and a shopper's opt-out is honoured.
    const bot = await send(purchase(0), {
      secret,
      ip: '10.3.3.4',
      ua: 'Googlebot/2.1 (+http://www.google.com/bot.html)',
    });
    // The shop's backend is told why, and the drop is counted as /e's are.
    expect(await bot.json()).toEqual({ accepted: 0, dropped: { events: 1, reason: 'bot_user_agent' } });
    const optedOut = await send(purchase(0), {
      secret,
      ip: '10.3.3.5',
      ua: SHOPPER_UA,
      headers: { 'kanon-client-sec-gpc': '1' },
    });
    expect(await optedOut.json()).toEqual({ accepted: 0, dropped: { events: 1, reason: 'opted_out' } });
    expect(
      await metricValue(pipeline.metrics, 'kanon_collector_dropped_total{reason="bot_user_agent"}'),
    ).toBe(1);
    expect(await metricValue(pipeline.metrics, 'kanon_collector_dropped_total{reason="opted_out"}')).toBe(1);
    expect(await metricValue(pipeline.metrics, 'kanon_collector_opted_out_total')).toBe(1);
  });

  it("tells the shop's backend that events without the shopper's browser headers were dropped, and why", async () => {
    // A backend that forwards only the address and user agent: the bot checks miss the headers
    // every browser sends, and the events are dropped; the answer says so instead of a bare 0.
    const response = await fetch(`${pipeline.url}/api/event`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${secret}`,
        'kanon-client-ip': '10.3.3.6',
        'kanon-client-user-agent': SHOPPER_UA,
      },
      body: JSON.stringify(purchase(0)),
    });
    expect(response.status).toBe(202);
    const body = (await response.json()) as {
      accepted: number;
      dropped?: { events: number; reason: string };
    };
    expect(body.accepted).toBe(0);
    expect(body.dropped?.events).toBe(1);
    expect(body.dropped?.reason).toMatch(/^[a-z_]+$/);
    expect(
      await metricValue(pipeline.metrics, `kanon_collector_dropped_total{reason="${body.dropped?.reason}"}`),
    ).toBeGreaterThanOrEqual(1);
  });

  it('never logs the secret, the shopper address or user agent', async () => {
    const marker = 'MarkerBrowser/9.9';
    await send(purchase(0), { secret, ip: '10.77.66.55', ua: `${SHOPPER_UA} ${marker}` });
    await send(purchase(0), { secret: `${secret}x`, ip: '10.77.66.55', ua: marker });
    await send(purchase(0), { path: `/api/event?secret=${secret}`, ip: '10.77.66.55', ua: marker });
    const logs = pipeline.logs();
    expect(logs).not.toContain(secret);
    expect(logs).not.toContain(secret.slice(3, 20));
    expect(logs).not.toContain('10.77.66.55');
    expect(logs).not.toContain(marker);
  });
});
