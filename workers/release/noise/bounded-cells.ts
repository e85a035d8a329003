import { z } from 'zod';
import { toClickHouseDateTime } from '../../../core/time.js';
import type { Warehouse } from '../../../core/warehouse/warehouse.js';
import { REPORTS, type ReportName } from '../../../schema/reports.js';
import { STAGING_TABLE } from '../../../schema/tables.js';
import { compareText } from '../../fold.js';
import { CELL_SEPARATOR, CONTRIBUTION_PREFIX } from '../../fold-contributions.js';
import type { StagedCell } from '../generalise.js';
import type { StagedPeriod } from '../staged-cells.js';
import type { NoiseSettings } from './noisy-release.js';

/**
 * Noise mode: a day's cells with every visitor's contribution bounded, read from the per-visitor
 * rows the workers staged (fold-contributions.ts). A visitor counts in at most `rows` cells of each
 * report (the overview: its one cell), chosen by a hash of the visitor and the cell, so the choice
 * is the same every time and favours no cell; in each, every count it added is clamped at `clamp`
 * and every money sum at `moneyCents`. Then, per cell: the bounded measures and all its visitors'
 * tokens. All of them, unlike a plain release (staged-cells.ts), because a later read of the tokens
 * of a few cells would have to bound them the same way: noise mode costs a day's bounded pairs of
 * visitor and cell in the worker's memory once a day.
 */
const BoundedRow = z.object({
  report: z.string(),
  cell: z.string(),
  measures: z.record(z.string(), z.number()),
  visitor_count: z.number(),
  network_count: z.number(),
  visitors: z.array(z.string()),
  networks: z.array(z.string()),
});

export async function readBoundedCells(
  warehouse: Warehouse,
  period: StagedPeriod,
  settings: NoiseSettings,
): Promise<Map<ReportName, StagedCell[]>> {
  const rows = await warehouse.query({
    name: 'bounded_cells',
    sql: `SELECT spec AS report, cell, cell_measures AS measures, length(tokens) AS visitor_count, length(nets) AS network_count,
            arrayMap(x -> toString(x), tokens) AS visitors, arrayMap(x -> toString(x), nets) AS networks
          FROM (
            SELECT spec, cell, sumMap(clamped) AS cell_measures, groupArray(visitor) AS tokens,
              arrayDistinct(arrayMap(x -> bitShiftRight(x, 48), tokens)) AS nets
            FROM (
              SELECT spec, cell, visitor, clamped,
                row_number() OVER (PARTITION BY spec, visitor ORDER BY cityHash64(cell, visitor), cell) AS rank
              FROM (
                SELECT substring(toString(report), {prefixLength:UInt32} + 1) AS spec, d2 AS cell, toUInt64(d1) AS visitor,
                  mapApply((name, value) -> (name, least(value, if(endsWith(name, '_cents'), {money:UInt64}, {clamp:UInt64}))),
                    sumMap(measures)) AS clamped
                FROM ${STAGING_TABLE}
                WHERE site = {site:String} AND window_start >= {from:DateTime('UTC')} AND window_start < {to:DateTime('UTC')}
                  AND startsWith(toString(report), {prefix:String})
                GROUP BY report, d1, d2
              )
            )
            WHERE rank <= if(spec = 'overview', 1, {rows:UInt32})
            GROUP BY spec, cell
          )`,
    params: {
      site: period.site,
      from: toClickHouseDateTime(period.from),
      to: toClickHouseDateTime(period.to),
      prefix: CONTRIBUTION_PREFIX,
      prefixLength: CONTRIBUTION_PREFIX.length,
      money: settings.moneyCents,
      clamp: settings.clamp,
      rows: settings.rows,
    },
    row: BoundedRow,
  });
  rows.sort((a, b) => compareText(a.report, b.report) || compareText(a.cell, b.cell));
  const byReport = new Map<ReportName, StagedCell[]>();
  for (const row of rows) {
    const spec = REPORTS[row.report as ReportName];
    if (!spec) continue;
    const cells = byReport.get(spec.name) ?? [];
    cells.push({
      dims: row.cell.split(CELL_SEPARATOR).slice(0, spec.dims.length),
      measures: Object.fromEntries(Object.entries(row.measures).filter(([, value]) => value > 0)),
      visitors: row.visitors,
      visitorCount: row.visitor_count,
      networks: row.networks,
      networkCount: row.network_count,
    });
    byReport.set(spec.name, cells);
  }
  return byReport;
}
