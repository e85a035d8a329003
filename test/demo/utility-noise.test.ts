import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { REPORT_LIST } from '../../schema/reports.js';
import { publishedTable } from '../../schema/tables.js';
import {
  BREAKDOWNS,
  DEMO_K,
  namedShares,
  percent,
  releaseDemoWeek,
  type Share,
  week,
} from '../fixtures/demo-week.js';
import { linkedReportViolations, type PublishedScope } from '../fixtures/linked-release-check.js';
import type { TestPipeline } from '../fixtures/pipeline.js';
import { openMigratedWarehouse } from '../fixtures/warehouse.js';

/**
 * Useful at K in noise mode (issue 27): the demo's week released with KANON_EPSILON = 8 per
 * visitor-day and the default bounds, beside the same week released exactly. Printed for README:
 * each breakdown's share in named rows, and how far the noisy figures are from the exact ones
 * (each breakdown's weekly total, and the median named row). Checked: the noisy days add up.
 */
const EPSILON = 8;
type Shares = Map<string, z.infer<typeof Share>>;
const Row = z.record(z.string(), z.unknown());

async function namedRows(pipeline: TestPipeline, site: string, report: string, measure: string, where = '') {
  const rows = await pipeline.warehouse.query({
    name: 'utility_rows',
    sql: `SELECT toString(tuple(*)) AS row FROM (
            SELECT day, ${REPORT_LIST.find((spec) => spec.name === report)!
              .dims.map((dim) => dim.name)
              .join(', ')}, ${measure} AS value
            FROM ${publishedTable(report as never, 'day')}
            WHERE site = {site:String} AND level = 0 AND day >= {from:Date} AND day < {to:Date}${where ? ` AND ${where}` : ''})`,
    params: { ...week, site },
    row: z.object({ row: z.string() }),
  });
  return new Map(
    rows.map(({ row }) => [row.replace(/,\s*\d+\)$/, ')'), Number(/(\d+)\)$/.exec(row)?.[1] ?? 0)]),
  );
}

describe("useful at K in noise mode: the demo's week at ε = 8", () => {
  let warehouse: Warehouse;
  let exact: TestPipeline;
  let noisy: TestPipeline;
  const shares: { exact?: Shares; noisy?: Shares } = {};
  const lines: string[] = [];

  beforeAll(async () => {
    // One engine for both (chDB: one data directory a process), the noisy week as another site.
    warehouse = await openMigratedWarehouse('kanon_utility_noise');
    exact = await releaseDemoWeek({}, { warehouse });
    shares.exact = await namedShares(exact);
    await exact.close();
    noisy = await releaseDemoWeek({ KANON_EPSILON: String(EPSILON) }, { site: 'noisy', warehouse });
    shares.noisy = await namedShares(noisy, 'noisy');
    for (const breakdown of BREAKDOWNS) {
      const before = shares.exact.get(breakdown.name)!;
      const after = shares.noisy.get(breakdown.name)!;
      const a = await namedRows(exact, 'demo', breakdown.report, breakdown.measure, breakdown.where);
      const b = await namedRows(noisy, 'noisy', breakdown.report, breakdown.measure, breakdown.where);
      const errors = [...a]
        .filter(([key, value]) => b.has(key) && value > 0)
        .map(([key, value]) => Math.abs(b.get(key)! - value) / value)
        .sort((x, y) => x - y);
      const median = errors[Math.floor(errors.length / 2)] ?? 0;
      lines.push(
        `  ${breakdown.name}: named ${percent(before)} exact, ${percent(after)} noisy; weekly total off by ${((100 * Math.abs(after.total - before.total)) / Math.max(1, before.total)).toFixed(1)} %, median named row by ${(100 * median).toFixed(0)} % (${errors.length} rows)`,
      );
    }
    console.info(`[utility, noise mode] ε = ${EPSILON} per visitor-day, K = ${DEMO_K}:\n${lines.join('\n')}`);
  }, 600_000);
  afterAll(async () => {
    await noisy?.close();
    await warehouse?.close();
  });

  it('releases noisy days whose reports add up to their overview', async () => {
    const days = new Map<string, PublishedScope>();
    for (const spec of REPORT_LIST) {
      for (const row of await noisy.warehouse.query({
        name: 'utility_noisy_rows',
        sql: `SELECT *, toString(day) AS on FROM ${publishedTable(spec.name, 'day')} WHERE site = 'noisy'`,
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
    for (const [day, scope] of days) expect(linkedReportViolations(scope, DEMO_K), day).toEqual([]);
  });

  it('publishes the same rows as the exact release (the thresholds decide them), with noisy figures', async () => {
    for (const breakdown of BREAKDOWNS) {
      const a = await namedRows(noisy, 'demo', breakdown.report, breakdown.measure, breakdown.where);
      const b = await namedRows(noisy, 'noisy', breakdown.report, breakdown.measure, breakdown.where);
      expect(b.size, breakdown.name).toBeGreaterThan(0);
      expect(shares.noisy!.get(breakdown.name)!.total).toBeGreaterThan(0);
      expect([...b.values()]).not.toEqual([...a.values()]);
    }
  });
});
