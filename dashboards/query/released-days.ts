import { z } from 'zod';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import type { ReportName } from '../../schema/reports.js';
import { RELEASES_TABLE } from '../../schema/tables.js';
import type { Filters } from './filters.js';

/**
 * Which days of a range a breakdown covers. Breakdowns are released once per UTC day, over the
 * whole day, once it has ended and its windows are released (workers/release/release-day.ts);
 * release windows publish only the site totals. So a breakdown over a range that reaches today
 * covers its released days, while the totals on top also count today's windows.
 */
export interface ReleasedDays {
  /** Days of the range whose day release of these reports is published (withheld days too). */
  days: string[];
  /** Days of the range without one yet that have figures coming: today, or a day with released windows. */
  pending: string[];
}

const Row = z.object({ day: z.string(), released: z.number(), windows: z.number() });

/**
 * From the manifest (`pub_releases`): a day is released for these reports when each has its
 * day row there (one release writes them together, the manifest last), and pending when it is
 * today or has released windows but no day release yet.
 */
export async function getReleasedDays(
  warehouse: Warehouse,
  filters: Pick<Filters, 'site' | 'from' | 'to' | 'today'>,
  reports: readonly ReportName[],
): Promise<ReleasedDays> {
  const rows = await warehouse.query({
    name: 'dashboard_released_days',
    sql: `SELECT toString(toDate(period_start)) AS day,
            toUInt8(uniqExactIf(report, grain = 'day') = {count:UInt32}) AS released,
            toUInt8(countIf(grain = 'window') > 0) AS windows
          FROM ${RELEASES_TABLE} FINAL
          WHERE site = {site:String}
            AND period_start >= toDateTime({from:Date}, 'UTC')
            AND period_start < toDateTime({to:Date}, 'UTC') + INTERVAL 1 DAY
            AND (grain = 'window' OR report IN {reports:Array(String)})
          GROUP BY day
          ORDER BY day`,
    params: {
      site: filters.site,
      from: filters.from,
      to: filters.to,
      reports: [...reports],
      count: new Set(reports).size,
    },
    row: Row,
  });
  const days = rows.filter((row) => row.released === 1).map((row) => row.day);
  const pending = rows.filter((row) => row.released === 0 && row.windows === 1).map((row) => row.day);
  // Today is pending from its first second, before any of its windows is released.
  if (filters.to === filters.today && !pending.includes(filters.today) && !days.includes(filters.today))
    pending.push(filters.today);
  return { days, pending };
}
