import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Metrics } from '../../core/metrics.js';
import { DAY_SECONDS, toClickHouseDateTime } from '../../core/time.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import type { AnonymousEvent } from '../../schema/event.js';
import { REPORT_LIST } from '../../schema/reports.js';
import { publishedTable, RELEASES_TABLE, STAGING_TABLE } from '../../schema/tables.js';
import { foldBatch } from '../../workers/fold.js';
import { releaseDue } from '../../workers/release/release-due.js';
import { anonymousEvent, visitorOn } from '../fixtures/anonymous-event.js';
import {
  dayWindowViolations,
  linkedReportViolations,
  type PublishedScope,
} from '../fixtures/linked-release-check.js';
import { captureLogs } from '../fixtures/log-sink.js';
import { randomTraffic } from '../fixtures/random-traffic.js';
import { openMigratedWarehouse } from '../fixtures/warehouse.js';

/**
 * Invariant 3, differencing, on what real releases publish: random traffic over three windows of
 * yesterday is staged, the workers' release tick releases every window (site totals) and then the
 * day (every report over the whole day's cells), and the published tables are read back as an
 * analyst would. The day's reports are linked: every overview figure equals the sum of each report
 * that splits it, visitors included (docs/privacy.md, "Linked reports"). Day and windows: a day's
 * figure minus its windows' is zero or the figure of withheld windows whose makers are K or more
 * ("Days and windows"). The manifest of a window withheld whole says so and counts nothing.
 */
const WINDOW = 3600;
const K = 3;
const NETWORKS = 2;
const now = Date.now();
const yesterday = (Math.floor(now / 1000 / DAY_SECONDS) - 1) * DAY_SECONDS;
const start = (yesterday + 9 * WINDOW) * 1000;

const Row = z.record(z.string(), z.unknown());

describe('invariant 3: released reports and grains cannot be subtracted to isolate fewer than K', () => {
  let warehouse: Warehouse;
  let run = 0;
  beforeAll(async () => {
    warehouse = await openMigratedWarehouse('kanon_linked');
  });
  afterAll(async () => {
    await warehouse?.close();
  });

  async function published(
    site: string,
  ): Promise<{ windows: Map<number, PublishedScope>; day: PublishedScope }> {
    const windows = new Map<number, PublishedScope>();
    const day: PublishedScope = new Map();
    for (const spec of REPORT_LIST) {
      const toRow = (row: Record<string, unknown>) => ({
        dims: spec.dims.map((dim) => String(row[dim.name])),
        level: Number(row.level),
        measures: Object.fromEntries(spec.measures.map((m) => [m.name, Number(row[m.name])])),
        visitors: Number(row.visitors),
      });
      for (const row of await warehouse.query({
        name: 'test_window_rows',
        sql: `SELECT *, toUnixTimestamp(window_start) AS at FROM ${publishedTable(spec.name, 'window')} WHERE site = {site:String}`,
        params: { site },
        row: Row,
      })) {
        const scope = windows.get(Number(row.at)) ?? new Map();
        windows.set(Number(row.at), scope);
        scope.set(spec.name, [...(scope.get(spec.name) ?? []), toRow(row)]);
      }
      day.set(
        spec.name,
        (
          await warehouse.query({
            name: 'test_day_rows',
            sql: `SELECT * FROM ${publishedTable(spec.name, 'day')} WHERE site = {site:String}`,
            params: { site },
            row: Row,
          })
        ).map(toRow),
      );
    }
    return { windows, day };
  }

  async function stageAndRelease(site: string, traffic: readonly AnonymousEvent[]) {
    await warehouse.insert(STAGING_TABLE, foldBatch(traffic, WINDOW, now), { dedupToken: `${site}:cells` });
    await releaseDue({
      warehouse,
      settings: {
        k: K,
        minNetworks: NETWORKS,
        windowSeconds: WINDOW,
        graceSeconds: 0,
        stagingTtlSeconds: 2 * DAY_SECONDS,
        retentionSeconds: 400 * DAY_SECONDS,
      },
      holds: async () => undefined,
      clock: () => now,
      log: captureLogs().log,
      metrics: new Metrics(),
    });
  }

  it('leaves out of the day the visitors of a night window withheld whole, when they are fewer than K', async () => {
    const site = 'night';
    const at = (hour: number) => start + (hour - 9) * WINDOW * 1000;
    await stageAndRelease(site, [
      ...[1, 2, 3, 4, 5].map((n) => anonymousEvent({ site, ts: at(9), visitor: visitorOn(n, n) })),
      anonymousEvent({ site, ts: at(3), visitor: visitorOn(9, 9) }),
    ]);
    const { windows, day } = await published(site);
    expect([...windows.keys()]).toEqual([Math.floor(at(9) / 1000)]);
    expect(day.get('overview')![0]).toMatchObject({ visitors: 5, measures: { pageviews: 5 } });
  });

  it('publishes windows and days whose totals equal every report that splits them, over random traffic', async () => {
    await fc.assert(
      fc.asyncProperty(
        randomTraffic({ windows: 3, windowSeconds: WINDOW, start, maxVisitors: 10 }),
        async (events) => {
          const site = `linked${run++}`;
          const traffic = events.map((event) => ({ ...event, site }));
          await stageAndRelease(site, traffic);

          const { windows, day } = await published(site);
          for (const window of windows.values())
            expect(linkedReportViolations(window, K, ['overview'])).toEqual([]);
          expect(linkedReportViolations(day, K)).toEqual([]);
          expect(
            dayWindowViolations(traffic, { windowSeconds: WINDOW, k: K, networks: NETWORKS }, day, windows),
          ).toEqual([]);

          const manifest = await warehouse.query({
            name: 'test_manifest',
            sql: `SELECT * FROM ${RELEASES_TABLE} FINAL WHERE site = {site:String} AND grain = 'window'`,
            params: { site },
            row: Row,
          });
          expect(manifest).not.toHaveProperty('0.groups_suppressed');
          for (const row of manifest) {
            if (Number(row.withheld) === 1) {
              expect([row.rows_published, row.rows_generalised, row.groups_generalised].map(Number)).toEqual([
                0, 0, 0,
              ]);
            }
          }
          const withheldWindows = new Set(
            manifest.filter((row) => Number(row.withheld) === 1).map((row) => row.period_start),
          );
          const staged = new Set(
            traffic.map((event) => toClickHouseDateTime(Math.floor(event.ts / 1000 / WINDOW) * WINDOW)),
          );
          expect(withheldWindows.size + windows.size).toBe(staged.size);
        },
      ),
      { numRuns: 40, seed: 2024, endOnFailure: true },
    );
  }, 240_000);
});
