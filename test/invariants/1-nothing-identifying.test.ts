import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../../core/redis/connect.js';
import { sensitiveValue } from '../collector/scrub/sensitive-values.js';
import { dumpRedis, dumpWarehouse } from '../fixtures/inspect-stores.js';
import {
  afterToday,
  browserHeaders,
  SHOP_ORIGIN,
  startTestPipeline,
  type TestPipeline,
} from '../fixtures/pipeline.js';

/**
 * Invariant 1 (and 2 through the whole pipeline): IP addresses, user agents, cookies, headers and
 * query-string values never reach Redis, ClickHouse or the logs. Several hundred requests each
 * carry unique markers in every place a shop or a shopper could put them; after the pipeline has
 * queued, staged and released them, every Redis key, every row of every table and every log line
 * is searched for every marker.
 */
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

interface Leak {
  body: unknown;
  headers: Record<string, string>;
  markers: string[];
}

const marker = () => `mk${randomBytes(6).toString('hex')}`;

/**
 * Product and promotion ids are the shop's own identifiers, so numeric ids, UUIDs and hex SKUs
 * stay (docs/privacy.md); only values that cannot be an id are scrubbed there.
 */
const SCRUBBED_IN_IDS = new Set(['email', 'jwt', 'iban']);

function request(index: number, secret: string, place: number, kind = 'email'): Leak {
  const ip = `198.51.${Math.floor(index / 250)}.${(index % 250) + 1}`;
  const tag = marker();
  const ua = `${CHROME} ${tag}UA`;
  const headers = browserHeaders({
    'x-forwarded-for': ip,
    'user-agent': ua,
    cookie: `session=${marker()}; cart=${marker()}`,
    'x-request-note': marker(),
    authorization: `Bearer ${marker()}`,
  });
  const queryMarker = marker();
  const referrerMarker = marker();
  const events: Record<string, unknown>[] = [
    {
      type: 'pageview',
      url: `${SHOP_ORIGIN}/account/${encodeURIComponent(secret)}/orders?session=${queryMarker}&utm_source=mail#frag-${marker()}`,
      referrer: `https://mail.example/inbox/${referrerMarker}?u=${encodeURIComponent(secret)}`,
    },
  ];
  // Names are capped at 64 characters; a longer secret goes into a search term instead.
  if (secret.length > 55 || (place % 3 === 2 && !SCRUBBED_IN_IDS.has(kind))) place = 0;
  if (place % 3 === 0 && secret.length < 190)
    events.push({
      type: 'search',
      url: `${SHOP_ORIGIN}/search?q=${encodeURIComponent(secret)}`,
      query: `shoes ${secret}`,
    });
  if (place % 3 === 1)
    events.push({ type: 'slot_click', url: `${SHOP_ORIGIN}/`, slot: `hero ${secret}`, position: 1 });
  if (place % 3 === 2)
    events.push({ type: 'promo_view', url: `${SHOP_ORIGIN}/`, promo: `sale-${secret}`, slot: 'hero' });
  const markers = [
    ip,
    ua,
    tag,
    queryMarker,
    referrerMarker,
    ...headers.cookie!.match(/mk[0-9a-f]+/g)!,
    headers['x-request-note']!,
    headers.authorization!.slice(7),
  ];
  return { body: { site: 'shop', events }, headers, markers };
}

describe('invariant 1: nothing identifying is stored', () => {
  let pipeline: TestPipeline;
  const sent: { markers: string[]; secrets: string[] }[] = [];

  beforeAll(async () => {
    pipeline = await startTestPipeline({ KANON_TRUST_PROXY: 'true', KANON_K: '2' });
    const secrets = fc.sample(sensitiveValue, { numRuns: 300, seed: 20261125 });
    for (const [index, secret] of secrets.entries()) {
      const leak = request(index, secret.text, index, secret.kind);
      const response = await pipeline.send(leak.body, leak.headers);
      expect(response.status, await response.clone().text()).toBe(202);
      sent.push({ markers: leak.markers, secrets: [...secret.forbidden] });
    }
    await pipeline.drain();
    await pipeline.release(afterToday());
  }, 120_000);

  afterAll(async () => {
    await pipeline?.close();
  });

  it('queues, stages and releases the traffic (the test is not vacuous)', async () => {
    const dump = await dumpWarehouse(pipeline.warehouse);
    expect(dump).toContain('/account/');
    expect(dump).toMatch(/pub_pages_by_day\n\{/);
  });

  it('keeps no IP, user agent, cookie, header or query-string value in any ClickHouse table', async () => {
    const dump = (await dumpWarehouse(pipeline.warehouse)).toLowerCase();
    for (const { markers } of sent)
      for (const value of markers) expect(dump).not.toContain(value.toLowerCase());
  });

  it('keeps no sensitive value from paths, referrers, names or search terms in any ClickHouse table', async () => {
    const dump = (await dumpWarehouse(pipeline.warehouse)).toLowerCase();
    for (const { secrets } of sent)
      for (const value of secrets) expect(dump).not.toContain(value.toLowerCase());
  });

  it('leaves nothing identifying in Redis', async () => {
    const redis = connectRedis(pipeline.redisUrl, 'consumer');
    try {
      const dump = (await dumpRedis(redis, pipeline.prefix)).toLowerCase();
      for (const { markers, secrets } of sent) {
        for (const value of [...markers, ...secrets]) expect(dump).not.toContain(value.toLowerCase());
      }
    } finally {
      redis.disconnect();
    }
  });

  it('queues nothing identifying: batches waiting in Redis hold anonymous events only', async () => {
    await pipeline.pauseWorker();
    const waiting: Leak[] = [];
    try {
      const secrets = fc.sample(sensitiveValue, { numRuns: 40, seed: 7 });
      for (const [index, secret] of secrets.entries()) {
        const leak = request(600 + index, secret.text, index, secret.kind);
        expect((await pipeline.send(leak.body, leak.headers)).status).toBe(202);
        waiting.push({ ...leak, markers: [...leak.markers, ...secret.forbidden] });
      }
      const redis = connectRedis(pipeline.redisUrl, 'consumer');
      try {
        const dump = (await dumpRedis(redis, pipeline.prefix)).toLowerCase();
        expect(dump).toContain('pageview'); // the batches are really there
        for (const { markers } of waiting)
          for (const value of markers) expect(dump).not.toContain(value.toLowerCase());
      } finally {
        redis.disconnect();
      }
    } finally {
      pipeline.resumeWorker();
      await pipeline.drain();
    }
  });

  it('logs nothing identifying, not even on errors', async () => {
    // An error path too: a rejected beacon carrying the same kinds of markers.
    const leak = request(999, 'jane.doe@example.com', 0);
    const bad = await pipeline.send('{"site":"shop","events":[{"type":"nope"', leak.headers);
    expect(bad.status).toBe(400);
    const logs = pipeline.logs().toLowerCase();
    expect(logs.length).toBeGreaterThan(0);
    for (const { markers, secrets } of [
      ...sent,
      { markers: leak.markers, secrets: ['jane.doe@example.com'] },
    ]) {
      for (const value of [...markers, ...secrets]) expect(logs).not.toContain(value.toLowerCase());
    }
    expect(logs).not.toContain('remoteaddress');
    expect(logs).not.toContain('user-agent');
  });
});
