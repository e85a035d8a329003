import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PUBLISHED_TABLES } from '../../schema/tables.js';
import {
  afterToday,
  browserHeaders,
  SHOP_ORIGIN,
  startTestPipeline,
  type TestPipeline,
} from '../fixtures/pipeline.js';

/**
 * Invariant 3: "nor may one client, by posing as several visitors, bring a group up to k". A
 * visitor is a daily token of an address and a user agent, so one client sending K user agents is
 * K visitors; every released group also needs KANON_MIN_NETWORKS distinct networks (/24, /48), so
 * one address, or one household's or office's /24, cannot reach the threshold alone
 * (collector/network-token.ts, workers/release/generalise.ts). Through the real collector, queue,
 * workers and day release, at K = 5 and the default of 2 networks.
 */
const K = 5;
const chrome = (n: number) =>
  `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/13${n}.0.0.0 Safari/537.36`;

describe('invariant 3: one client cannot pose as K visitors', () => {
  let pipeline: TestPipeline;
  let published: string;

  async function search(address: string, userAgent: string, term: string) {
    const response = await pipeline.send(
      {
        site: 'shop',
        events: [
          { type: 'pageview', url: `${SHOP_ORIGIN}/search?q=${encodeURIComponent(term)}` },
          {
            type: 'search',
            url: `${SHOP_ORIGIN}/search?q=${encodeURIComponent(term)}`,
            query: term,
            results: 2,
          },
        ],
      },
      browserHeaders({ 'x-forwarded-for': address, 'user-agent': userAgent }),
    );
    expect(response.status).toBe(202);
  }

  beforeAll(async () => {
    pipeline = await startTestPipeline({ KANON_K: String(K), KANON_TRUST_PROXY: '1' });
    // The attack: one address, K user agents, one rare term.
    for (let n = 0; n < K; n += 1) await search('198.51.100.7', chrome(n), 'attack term one');
    // One /24 (an office or a carrier's shared range), K addresses: still one network. (Another /24
    // than the first attack's, so that the two together reach the threshold as "Other" and the
    // control term below is not folded in with them.)
    for (let n = 0; n < K; n += 1) await search(`198.51.101.${20 + n}`, chrome(n), 'attack term two');
    // The control: K shoppers on K networks search a term, which is released by name.
    for (let n = 0; n < K; n += 1) await search(`203.0.${113 + n}.9`, chrome(n), 'kettle');
    await pipeline.drain();
    await pipeline.release(afterToday());
    const rows: unknown[] = [];
    for (const table of PUBLISHED_TABLES)
      rows.push(
        ...(await pipeline.warehouse.query({
          name: 'published',
          sql: `SELECT * FROM ${table}`,
          row: z.record(z.string(), z.unknown()),
        })),
      );
    published = JSON.stringify(rows);
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  it('releases a term that K visitors on K networks searched (the test can release a term)', () => {
    expect(published).toContain('kettle');
  });

  it('never releases a term that one address searched under K user agents', () => {
    expect(published).not.toContain('attack term one');
  });

  it('never releases a term that K addresses of one /24 searched', () => {
    expect(published).not.toContain('attack term two');
  });
});
