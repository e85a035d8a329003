import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  browserHeaders,
  SHOP_ORIGIN,
  shopperAddress,
  startTestPipeline,
  type TestPipeline,
} from '../fixtures/pipeline.js';

/**
 * Backfill (the simulator's past days): a day four days back keeps one salt for the whole run, so
 * distinct visitors are counted as visitors and not as events, and its windows and the day are
 * released although they are older than the staging TTL. (Both broke before: a past day's salt got
 * an expiry already in the past, and the release only looked 48 hours back.)
 */
const TOKEN = 'backfill-secret-for-tests-0123456789';
const DAY = 86_400_000;

describe('backfilled past days', () => {
  let pipeline: TestPipeline;
  const dayStart = Math.floor((Date.now() - 4 * DAY) / DAY) * DAY;

  beforeAll(async () => {
    pipeline = await startTestPipeline({
      KANON_TRUST_PROXY: 'true',
      KANON_BACKFILL_TOKEN: TOKEN,
      KANON_WINDOW: '1h',
    });
    for (let visitor = 1; visitor <= 3; visitor += 1) {
      for (let n = 0; n < 3; n += 1) {
        const response = await pipeline.send(
          {
            site: 'shop',
            type: 'pageview',
            url: `${SHOP_ORIGIN}/old`,
            ts: dayStart + 10 * 3_600_000 + n * 60_000,
          },
          browserHeaders({ 'x-forwarded-for': shopperAddress(visitor), 'x-kanon-backfill': TOKEN }),
        );
        expect(response.status).toBe(202);
      }
    }
    await pipeline.drain();
    await pipeline.release();
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  it('counts three visitors, not nine events, on a day four days back', async () => {
    const rows = await pipeline.warehouse.query({
      name: 'old_window',
      sql: 'SELECT toUnixTimestamp(window_start) AS start, pageviews, visitors FROM pub_overview_by_window',
      row: z.object({ start: z.number(), pageviews: z.number(), visitors: z.number() }),
    });
    expect(rows).toEqual([{ start: dayStart / 1000 + 10 * 3600, pageviews: 9, visitors: 3 }]);
  });

  it('rolls the old day up', async () => {
    const days = await pipeline.warehouse.query({
      name: 'old_day',
      sql: 'SELECT toString(day) AS day, pageviews, visitors FROM pub_overview_by_day',
      row: z.object({ day: z.string(), pageviews: z.number(), visitors: z.number() }),
    });
    expect(days).toEqual([{ day: new Date(dayStart).toISOString().slice(0, 10), pageviews: 9, visitors: 3 }]);
  });

  it('ignores ts without the backfill secret and stamps the time of arrival', async () => {
    const response = await pipeline.send(
      { site: 'shop', type: 'pageview', url: `${SHOP_ORIGIN}/now`, ts: dayStart },
      browserHeaders({ 'x-forwarded-for': '192.0.2.9' }),
    );
    expect(response.status).toBe(202);
    await pipeline.drain();
    const rows = await pipeline.warehouse.query({
      name: 'now_window',
      sql: "SELECT toUnixTimestamp(max(window_start)) AS latest FROM stg_cells WHERE report = 'pages' AND d1 = '/now'",
      row: z.object({ latest: z.number() }),
    });
    expect(rows[0]!.latest * 1000).toBeGreaterThan(Date.now() - 2 * 3_600_000);
  });
});

/**
 * A backfill older than KANON_RETENTION: its windows and day would be deleted by the published
 * tables' TTL anyway, so they are not published at all (invariant 8); until then they would show
 * on the dashboards past the retention. Days within the retention are published as usual.
 */
describe('backfilled days past the retention', () => {
  let pipeline: TestPipeline;
  // The release runs at one fixed time, and the days are counted back from it: counted from the
  // test's start instead, a run a few minutes before midnight UTC released at a time already in
  // the next day, and yesterday's day was then past the retention.
  const releaseAt = Date.now() + 5 * 60_000;
  const expired = Math.floor((releaseAt - 4 * DAY) / DAY) * DAY;
  const retained = Math.floor((releaseAt - DAY) / DAY) * DAY;
  const published = async (table: string, column: string) =>
    (
      await pipeline.warehouse.query({
        name: 'published_periods',
        sql: `SELECT DISTINCT toString(${column}) AS period FROM ${table} ORDER BY period`,
        row: z.object({ period: z.string() }),
      })
    ).map((row) => row.period);

  beforeAll(async () => {
    pipeline = await startTestPipeline({
      KANON_TRUST_PROXY: 'true',
      KANON_BACKFILL_TOKEN: TOKEN,
      KANON_WINDOW: '1h',
      KANON_RETENTION: '2d',
    });
    for (const day of [expired, retained]) {
      for (let visitor = 1; visitor <= 3; visitor += 1) {
        const response = await pipeline.send(
          { site: 'shop', type: 'pageview', url: `${SHOP_ORIGIN}/old`, ts: day + 10 * 3_600_000 },
          browserHeaders({ 'x-forwarded-for': shopperAddress(visitor), 'x-kanon-backfill': TOKEN }),
        );
        expect(response.status).toBe(202);
      }
    }
    await pipeline.drain();
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  it('publishes the day within the retention and nothing of the day past it', async () => {
    expect(await pipeline.release(releaseAt)).toEqual({ windows: 1, days: 1, more: false });
    const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
    expect(await published('pub_overview_by_window', 'window_start')).toEqual([iso(retained + 36_000_000)]);
    expect(await published('pub_overview_by_day', 'day')).toEqual([iso(retained).slice(0, 10)]);
    expect(await published('pub_releases', 'period_start')).toEqual([
      iso(retained),
      iso(retained + 36_000_000),
    ]);
  });

  it('does not come back to the expired day on later ticks', async () => {
    expect(await pipeline.release(releaseAt + 60_000)).toEqual({ windows: 0, days: 0, more: false });
    const staged = await pipeline.warehouse.query({
      name: 'expired_staged',
      sql: `SELECT count() AS cells FROM stg_cells WHERE toDate(window_start) = {day:Date}`,
      params: { day: new Date(expired).toISOString().slice(0, 10) },
      row: z.object({ cells: z.coerce.number() }),
    });
    // Left to the staging TTL, like every staged cell.
    expect(staged[0]!.cells).toBeGreaterThan(0);
  });
});
