import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DAY_MS } from '../../demo/simulator/timeline.js';
import { EVENT_KINDS_REPORT, type ReportName } from '../../schema/reports.js';
import { publishedTable } from '../../schema/tables.js';
import type { StagedCell } from '../../workers/release/generalise.js';
import { releaseLinkedReports } from '../../workers/release/link-reports.js';
import {
  NETWORKS_OF,
  NO_EXCLUSIONS,
  readCellVisitors,
  readStagedCells,
  type StagedPeriod,
} from '../../workers/release/staged-cells.js';
import {
  BREAKDOWNS,
  DEMO_K,
  namedShares,
  percent,
  releaseDemoWeek,
  Share,
  today,
} from '../fixtures/demo-week.js';
import { linkedReportViolations, type PublishedScope } from '../fixtures/linked-release-check.js';
import type { TestPipeline } from '../fixtures/pipeline.js';

/**
 * Useful at K (issue 25): the demo's week, the same generator and seed as `npm start`'s demo (5,000
 * shoppers over 7 days), through the real collector, queue, workers and release at K = 5 with
 * one-hour windows. For each breakdown, the share of its main measure over the week that is in
 * named rows (level 0) rather than "Other": what a merchandiser can act on. The privacy tests are
 * elsewhere (test/invariants/3-*); this one checks the release does not hide the shop.
 */
const K = DEMO_K;

/** Reads every cell's tokens, so that any threshold can be applied to the cells without the engine. */
async function readAllTokens(
  warehouse: TestPipeline['warehouse'],
  period: StagedPeriod,
  staged: Map<string, StagedCell[]>,
): Promise<void> {
  const cells = [...staged.entries()]
    .filter(([report]) => report !== EVENT_KINDS_REPORT)
    .flatMap(([report, list]) => list.map((cell) => ({ report: report as ReportName, cell })));
  await readCellVisitors(warehouse, period, NO_EXCLUSIONS, cells);
  await readCellVisitors(
    warehouse,
    period,
    NO_EXCLUSIONS,
    (staged.get(EVENT_KINDS_REPORT) ?? []).map((cell) => ({
      report: EVENT_KINDS_REPORT as ReportName,
      cell,
    })),
  );
}

describe("useful at K: the demo's week in named rows", () => {
  let pipeline: TestPipeline;
  const shares = new Map<string, { named: number; total: number }>();

  beforeAll(async () => {
    pipeline = await releaseDemoWeek();
    for (const [name, share] of await namedShares(pipeline)) shares.set(name, share);
    // What each networks threshold would cost: the day's reports released over the same staged
    // cells with 1, 2, ceil(K/2) and K networks, rows published and rows withheld by it.
    const costs: string[] = [];
    const base = new Map<number, number>();
    for (const networks of [1, 2, Math.ceil(K / 2), K]) {
      let rows = 0;
      let named = 0;
      for (let day = 7; day >= 1; day -= 1) {
        const from = (today - day * DAY_MS) / 1000;
        const staged = await readStagedCells(
          pipeline.warehouse,
          { site: 'demo', from, to: from + 86_400 },
          { k: K, networks },
        );
        await readAllTokens(pipeline.warehouse, { site: 'demo', from, to: from + 86_400 }, staged);
        const linked = releaseLinkedReports(
          staged as Map<ReportName, StagedCell[]>,
          staged.get(EVENT_KINDS_REPORT) ?? [],
          { k: K, networks },
        );
        for (const release of linked.releases.values()) {
          rows += release.rows.length;
          named += release.rows.filter((row) => row.level === 0).length;
        }
      }
      base.set(networks, rows);
      costs.push(
        `  ${networks} network${networks === 1 ? '' : 's'}: ${rows} rows (${named} named), ${(base.get(1) ?? rows) - rows} fewer than with 1`,
      );
    }
    const [spread] = await pipeline.warehouse.query({
      name: 'utility_networks',
      sql: `SELECT toUInt64(length(tokens)) AS named, toUInt64(length(${NETWORKS_OF('tokens')})) AS total
            FROM (SELECT groupUniqArrayMerge(visitors) AS tokens FROM stg_cells
                  WHERE site = 'demo' AND report = 'overview' AND toDate(window_start) = {day:Date})`,
      params: { day: new Date(today - DAY_MS).toISOString().slice(0, 10) },
      row: Share,
    });
    const [windows] = await pipeline.warehouse.query({
      name: 'utility_windows',
      sql: `SELECT toUInt64(countIf(v >= ${K} AND n < 2)) AS named, toUInt64(countIf(v >= ${K} AND n < ${K})) AS total
            FROM (SELECT length(tokens) AS v, length(${NETWORKS_OF('tokens')}) AS n
                  FROM (SELECT groupUniqArrayMerge(visitors) AS tokens FROM stg_cells
                        WHERE site = 'demo' AND report = 'overview' GROUP BY window_start))`,
      row: Share,
    });
    costs.push(
      `  hourly site totals: ${windows!.named} windows of ${K}+ visitors on fewer than 2 networks, ${windows!.total} on fewer than ${K}`,
    );
    console.info(
      `[utility] the networks threshold over the week, K = ${K} (yesterday: ${spread!.named} visitors on ${spread!.total} networks):\n${costs.join('\n')}`,
    );
    const [campaigns] = await pipeline.warehouse.query({
      name: 'utility_campaign_orders',
      sql: `SELECT toUInt64(sumIf(orders, utm_source != '(none)' OR utm_campaign != '(none)')) AS named, toUInt64(sum(orders)) AS total
            FROM ${publishedTable('campaigns', 'day')} WHERE site = 'demo'`,
      row: Share,
    });
    shares.set('campaigns: orders a campaign brought (info)', campaigns!);
    console.info(
      `[utility] share of each breakdown's measure in named rows, 7 days, K = ${K}:\n${[...shares]
        .map(([name, share]) => `  ${name}: ${percent(share)}`)
        .join('\n')}`,
    );
  }, 600_000);
  afterAll(async () => {
    await pipeline?.close();
  });

  for (const breakdown of BREAKDOWNS) {
    it(`puts at least ${breakdown.target * 100} % of ${breakdown.name} in named rows`, () => {
      const { named, total } = shares.get(breakdown.name)!;
      expect(total).toBeGreaterThan(0);
      expect(named / total).toBeGreaterThanOrEqual(breakdown.target);
    });
  }

  it('releases days whose reports all agree with the overview', async () => {
    const Row = z.record(z.string(), z.unknown());
    const days = new Map<string, PublishedScope>();
    const { REPORT_LIST } = await import('../../schema/reports.js');
    for (const spec of REPORT_LIST) {
      for (const row of await pipeline.warehouse.query({
        name: 'utility_day_rows',
        sql: `SELECT *, toString(day) AS on FROM ${publishedTable(spec.name, 'day')} WHERE site = 'demo'`,
        row: Row,
      })) {
        const scope = days.get(String(row.on)) ?? new Map();
        days.set(String(row.on), scope);
        scope.set(spec.name, [
          ...(scope.get(spec.name) ?? []),
          {
            dims: spec.dims.map((dim) => String(row[dim.name])),
            level: Number(row.level),
            measures: Object.fromEntries(spec.measures.map((m) => [m.name, Number(row[m.name])])),
            visitors: Number(row.visitors),
          },
        ]);
      }
    }
    expect(days.size).toBe(7);
    for (const [day, scope] of days) expect(linkedReportViolations(scope, K), day).toEqual([]);
  });
});
