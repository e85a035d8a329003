import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { forged, OTHER_REAL, REAL, TRUST_PROXY_FORMS } from '../fixtures/forged-addresses.js';
import { browserHeaders, SHOP_ORIGIN, startTestPipeline } from '../fixtures/pipeline.js';
import { openMigratedWarehouse } from '../fixtures/warehouse.js';

/**
 * The collector's rate limit and the visitor token read the client address. Whatever
 * KANON_TRUST_PROXY says, that is the rightmost address no trusted proxy added, so one client
 * cannot pose as many visitors (invariant 3) or dodge the rate limit by writing X-Forwarded-For.
 */
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

  it.each(TRUST_PROXY_FORMS.map((form, index) => ({ ...form, path: `/form-${index}` })))(
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
