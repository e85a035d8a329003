import { DAY_SECONDS, toClickHouseDate } from '../../core/time.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import type { ReportName } from '../../schema/reports.js';
import type { Filters } from '../query/filters.js';
import { getReleasedDays } from '../query/released-days.js';
import { type ComparedStretch, describeComparison } from './day-notes.js';

/**
 * One rule for every comparison on every page. The previous period is first cut to the stretch
 * the current figures cover: a table's released days are compared with as many days before
 * (query/filters.ts, comparedWithReleasedDays), today's totals with the same part of the day
 * (get-overview.ts). Then a change is shown only when every day of that previous stretch has
 * released figures: against a week with one released day, a shop would "grow" by 600 %.
 */
export interface Comparison extends ComparedStretch {
  text: string;
}

const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / 1000 / DAY_SECONDS;

function daysFrom(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = dayNumber(from); day <= dayNumber(to); day++) days.push(toClickHouseDate(day * DAY_SECONDS));
  return days;
}

/**
 * The comparison of `filters.previous` (or of `options.days`, the previous days a filtered overview
 * compares), or null when nothing is compared. A day counts as covered when its day release of
 * `reports` is published; for the site totals (`overview`) released windows count too, since the
 * totals add them up until the day is released.
 */
export async function getComparison(
  warehouse: Warehouse,
  filters: Pick<Filters, 'site' | 'previous' | 'today'> & Partial<Pick<Filters, 'compare'>>,
  reports: readonly ReportName[],
  options: { days?: readonly string[]; until?: number | null } = {},
): Promise<Comparison | null> {
  if (!filters.previous) return null;
  const days = options.days ? [...options.days].sort() : daysFrom(filters.previous.from, filters.previous.to);
  const first = days[0];
  const last = days.at(-1);
  if (first === undefined || last === undefined) return null;
  const released = await getReleasedDays(
    warehouse,
    { site: filters.site, from: first, to: last, today: filters.today },
    reports,
  );
  const withWindows = reports.includes('overview');
  const covered = days.filter(
    (day) => released.days.includes(day) || (withWindows && released.pending.includes(day)),
  ).length;
  const stretch: ComparedStretch = {
    from: first,
    to: last,
    until: options.until ?? null,
    days: days.length,
    covered,
    compared: covered === days.length,
    ...(filters.compare === 'year' ? { yearBefore: true } : {}),
  };
  return { ...stretch, text: describeComparison(stretch, filters.today) };
}
