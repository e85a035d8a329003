import { z } from 'zod';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { REPORTS, type ReportName } from '../../schema/reports.js';
import { publishedTable, RELEASES_TABLE } from '../../schema/tables.js';
import { type Filters, rangeParams } from './filters.js';
import { getDayScales, ROWS_PER_DAY, RowsPerDay, type Spreads, spreadsOf } from './noise-spread.js';

/**
 * One row per day and published group of a report over `{rangeFrom:Date}..{rangeTo:Date}`:
 * `pub_<report>_by_day` for days whose roll-up is complete (its manifest row in pub_releases is
 * written last), and the sum of the day's `pub_<report>_by_window` rows for the others (today, or a
 * day not rolled up yet). Each day comes from exactly one of the two, so nothing is counted twice.
 * Only days of the range and of the previous period are read: a year-ago comparison does not scan
 * the year in between.
 *
 * `visitors` of a window-built day is the sum over its windows (a shopper active in two windows
 * counts twice) until the day is rolled up; the UI says so. Column names come from the catalogue
 * (a closed set), values only through bound parameters.
 */
/** The days a range query reads: the range and the period it is compared with. */
const IN_PERIODS = (day: string) =>
  `(${day} BETWEEN {from:Date} AND {to:Date} OR ${day} BETWEEN {previousFrom:Date} AND {previousTo:Date})`;

export function dailyRowsSql(report: ReportName): string {
  const spec = REPORTS[report];
  const dims = spec.dims.map((dim) => dim.name);
  const measures = spec.measures.map((measure) => measure.name);
  const dimList = dims.map((name) => `${name}, `).join('');
  const rolledUp = `SELECT toDate(period_start) FROM ${RELEASES_TABLE}
      WHERE site = {site:String} AND grain = 'day' AND report = '${report}'
        AND period_start >= toDateTime({rangeFrom:Date}, 'UTC')
        AND period_start < toDateTime({rangeTo:Date}, 'UTC') + INTERVAL 1 DAY`;
  return `SELECT day, ${dimList}level, ${measures.join(', ')}, visitors
    FROM ${publishedTable(report, 'day')}
    WHERE site = {site:String} AND day BETWEEN {rangeFrom:Date} AND {rangeTo:Date} AND ${IN_PERIODS('day')}
      AND day IN (${rolledUp})
    UNION ALL
    SELECT toDate(window_start) AS day, ${dimList}level,
      ${measures.map((name) => `sum(${name}) AS ${name}`).join(', ')}, sum(visitors) AS visitors
    FROM ${publishedTable(report, 'window')}
    WHERE site = {site:String}
      AND window_start >= toDateTime({rangeFrom:Date}, 'UTC')
      AND window_start < toDateTime({rangeTo:Date}, 'UTC') + INTERVAL 1 DAY
      AND ${IN_PERIODS('toDate(window_start)')}
      AND toDate(window_start) NOT IN (${rolledUp})
    GROUP BY day, ${dimList}level`;
}

export interface GroupSums {
  period: 'current' | 'previous';
  level: number;
  dims: Record<string, string>;
  measures: Record<string, number>;
  /** Sum of daily distinct visitors (visitor-days); every summand is a published row of ≥ K. */
  visitors: number;
  /** Noise mode: the noise each figure adds up (measures by name, and `visitors`); unset in plain mode. */
  spread?: Spreads;
}

/**
 * Sums a report's published rows per group (dimensions + level) and period (the range, and the
 * previous period when comparison is on). `where` narrows rows on the report's own dimensions
 * with bound parameters only, e.g. `device = {device:String}`.
 */
export async function sumReport(
  warehouse: Warehouse,
  report: ReportName,
  filters: Filters,
  options: { where?: string; params?: Record<string, unknown>; dims?: readonly string[] } = {},
): Promise<GroupSums[]> {
  const spec = REPORTS[report];
  const dims = options.dims ?? spec.dims.map((dim) => dim.name);
  const measures = spec.measures.map((measure) => measure.name);
  // Noise mode: how many noisy rows of each day a group adds up, for the margins of its figures.
  const scales = await getDayScales(warehouse, report, filters);
  const noisy = scales.size > 0;
  const Row = z.object({
    period: z.enum(['current', 'previous']),
    level: z.number(),
    visitors: z.number(),
    ...Object.fromEntries(dims.map((name) => [name, z.string()])),
    ...Object.fromEntries(measures.map((name) => [name, z.number()])),
    ...(noisy ? { rows_per_day: RowsPerDay } : {}),
  });
  const groupDims = dims.map((name) => `, ${name}`).join('');
  const rows = await warehouse.query({
    name: `dashboard_sums_${report}`,
    sql: `SELECT if(day >= {from:Date}, 'current', 'previous') AS period, level${groupDims},
            ${measures.map((name) => `toUInt64(sum(${name})) AS ${name}`).join(', ')},
            toUInt64(sum(visitors)) AS visitors${noisy ? `, ${ROWS_PER_DAY}` : ''}
          FROM (${dailyRowsSql(report)})
          WHERE (day BETWEEN {from:Date} AND {to:Date} OR day BETWEEN {previousFrom:Date} AND {previousTo:Date})${options.where ? ` AND (${options.where})` : ''}
          GROUP BY period, level${groupDims}`,
    params: { ...rangeParams(filters), ...options.params },
    row: Row,
  });
  return rows.map((row) => {
    const record = row as Record<string, unknown>;
    return {
      period: row.period,
      level: row.level,
      visitors: row.visitors,
      dims: Object.fromEntries(dims.map((name) => [name, String(record[name])])),
      measures: Object.fromEntries(measures.map((name) => [name, Number(record[name])])),
      ...(noisy
        ? { spread: spreadsOf(RowsPerDay.parse(record.rows_per_day), scales, [...measures, 'visitors']) }
        : {}),
    };
  });
}

/** A report's daily totals over the range (and the previous period), for trend charts. */
export async function sumReportByDay(
  warehouse: Warehouse,
  report: ReportName,
  filters: Filters,
  options: { where?: string; params?: Record<string, unknown> } = {},
): Promise<{ day: string; measures: Record<string, number>; visitors: number; spread?: Spreads }[]> {
  const measures = REPORTS[report].measures.map((measure) => measure.name);
  const scales = await getDayScales(warehouse, report, filters);
  const noisy = scales.size > 0;
  const Row = z.object({
    date: z.string(),
    visitors: z.number(),
    ...Object.fromEntries(measures.map((name) => [name, z.number()])),
    ...(noisy ? { rows_per_day: RowsPerDay } : {}),
  });
  const rows = await warehouse.query({
    name: `dashboard_days_${report}`,
    sql: `SELECT toString(day) AS date,
            ${measures.map((name) => `toUInt64(sum(${name})) AS ${name}`).join(', ')},
            toUInt64(sum(visitors)) AS visitors${noisy ? `, ${ROWS_PER_DAY}` : ''}
          FROM (${dailyRowsSql(report)})
          WHERE day BETWEEN {rangeFrom:Date} AND {rangeTo:Date}${options.where ? ` AND (${options.where})` : ''}
          GROUP BY day ORDER BY day`,
    params: { ...rangeParams(filters), ...options.params },
    row: Row,
  });
  return rows.map((row) => {
    const record = row as Record<string, unknown>;
    return {
      day: row.date,
      visitors: row.visitors,
      measures: Object.fromEntries(measures.map((name) => [name, Number(record[name])])),
      ...(noisy
        ? { spread: spreadsOf(RowsPerDay.parse(record.rows_per_day), scales, [...measures, 'visitors']) }
        : {}),
    };
  });
}

/** A report's per-window totals of one day, for the intraday trend of a one-day range. */
export async function sumReportByWindow(
  warehouse: Warehouse,
  report: ReportName,
  filters: Filters,
  options: { where?: string; params?: Record<string, unknown> } = {},
): Promise<{ day: string; start: number; measures: Record<string, number>; visitors: number }[]> {
  const measures = REPORTS[report].measures.map((measure) => measure.name);
  const Row = z.object({
    day: z.string(),
    start: z.number(),
    visitors: z.number(),
    ...Object.fromEntries(measures.map((name) => [name, z.number()])),
  });
  const rows = await warehouse.query({
    name: `dashboard_windows_${report}`,
    sql: `SELECT toString(toDate(window_start)) AS day, toUInt32(toUnixTimestamp(window_start)) AS start,
            ${measures.map((name) => `toUInt64(sum(${name})) AS ${name}`).join(', ')},
            toUInt64(sum(visitors)) AS visitors
          FROM ${publishedTable(report, 'window')}
          WHERE site = {site:String}
            AND window_start >= toDateTime({rangeFrom:Date}, 'UTC')
            AND window_start < toDateTime({rangeTo:Date}, 'UTC') + INTERVAL 1 DAY
            AND ${IN_PERIODS('toDate(window_start)')}
            ${options.where ? ` AND (${options.where})` : ''}
          GROUP BY window_start ORDER BY window_start`,
    params: { ...rangeParams(filters), ...options.params },
    row: Row,
  });
  return rows.map((row) => {
    const record = row as Record<string, unknown>;
    return {
      day: row.day,
      start: row.start,
      visitors: row.visitors,
      measures: Object.fromEntries(measures.map((name) => [name, Number(record[name])])),
    };
  });
}
