import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { browserHeaders, SHOP_ORIGIN, startTestPipeline } from '../fixtures/pipeline.js';
import { openMigratedWarehouse } from '../fixtures/warehouse.js';

/**
 * The collector's rate limit and the visitor token read the client address. Whatever
 * KANON_TRUST_PROXY says, that is the rightmost address no trusted proxy added, so one client
 * cannot pose as many visitors (invariant 3) or dodge the rate limit by writing X-Forwarded-For.
 */
const REAL = '203.0.113.7';
const OTHER_REAL = '203.0.113.8';
const forged = (n: number) => `198.51.100.${n}`;

/**
 * Each form of the setting, and the X-Forwarded-For its proxies would pass on for a client at
 * `real` that sent `X-Forwarded-For: <spoof>` itself. The test connects over loopback, so it
 * stands in for the nearest proxy.
 */
const FORMS: { setting: string; header(spoof: string, real: string): string; believesProxy: boolean }[] = [
  { setting: 'false', header: (spoof) => spoof, believesProxy: false },
  { setting: 'true', header: (spoof, real) => `${spoof}, ${real}`, believesProxy: true },
  { setting: '1', header: (spoof, real) => `${spoof}, ${real}`, believesProxy: true },
  { setting: '2', header: (spoof, real) => `${spoof}, ${real}, 10.0.0.2`, believesProxy: true },
  // npm start's demo default: the proxy (or the simulator) is on loopback.
  { setting: '127.0.0.1,::1', header: (spoof, real) => `${spoof}, ${real}`, believesProxy: true },
  {
    setting: '127.0.0.0/8 10.0.0.0/8',
    header: (spoof, real) => `${spoof}, ${real}, 10.0.0.2`,
    believesProxy: true,
  },
  { setting: '10.0.0.1', header: (spoof) => spoof, believesProxy: false },
];

const Visitors = z.object({ n: z.coerce.number() });

/** Distinct visitor tokens staged for one page path. */
async function stagedVisitors(warehouse: Warehouse, path: string): Promise<number> {
  const rows = await warehouse.query({
    name: 'visitors_of_path',
    sql: "SELECT length(groupUniqArrayMerge(visitors)) AS n FROM stg_cells WHERE report = 'pages' AND d1 = {path:String}",
    params: { path },
    row: Visitors,
  });
  return rows[0]?.n ?? 0;
}

describe('collector: the client address cannot be chosen through X-Forwarded-For', () => {
  let warehouse: Warehouse;
  beforeAll(async () => {
    warehouse = await openMigratedWarehouse();
  });
  afterAll(async () => {
    await warehouse?.close();
  });

  it.each(FORMS.map((form, index) => ({ ...form, path: `/form-${index}` })))(
    'KANON_TRUST_PROXY=$setting gives one client one rate-limit bucket and one visitor token under any forged address',
    async ({ setting, header, believesProxy, path }) => {
      const pipeline = await startTestPipeline(
        { KANON_TRUST_PROXY: setting, KANON_RATE_LIMIT: '3' },
        { warehouse },
      );
      try {
        const send = (xff: string) =>
          pipeline.send(
            { site: 'shop', type: 'pageview', url: `${SHOP_ORIGIN}${path}` },
            browserHeaders({ 'x-forwarded-for': xff }),
          );
        const statuses: number[] = [];
        for (let n = 1; n <= 4; n += 1) statuses.push((await send(header(forged(n), REAL))).status);
        // Soft, so a failure also shows how many visitors the forged addresses made.
        expect.soft(statuses).toEqual([202, 202, 202, 429]);
        // Another client behind the same proxy is another visitor, with a bucket of its own.
        expect.soft((await send(header(forged(5), OTHER_REAL))).status).toBe(believesProxy ? 202 : 429);
        await pipeline.drain();
        expect(await stagedVisitors(warehouse, path)).toBe(believesProxy ? 2 : 1);
      } finally {
        await pipeline.close();
      }
    },
  );
});
