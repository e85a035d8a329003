import { z } from 'zod';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import type { ReportName } from '../../schema/reports.js';
import { RELEASES_TABLE } from '../../schema/tables.js';
import type { Filters } from '../query/filters.js';

export interface PrivacyNote {
  k: number;
  /**
   * The release periods the note counts: windows for the site totals (the overview), days for
   * breakdowns (released once per day, over the whole day).
   */
  grain: 'window' | 'day';
  /** Periods of the range released for these reports. */
  released: number;
  /** Small groups folded into "(other)" rows. */
  groupsGeneralised: number;
  /**
   * Periods of fewer than K visitors, of which nothing was published. How many groups they held is
   * never counted: that count would describe fewer than K visitors.
   */
  withheld: number;
  /** One plain sentence for the UI, or undefined when nothing was held back. */
  text: string | undefined;
}

const Row = z.object({
  periods: z.number(),
  generalised: z.number(),
  withheld: z.number(),
  k: z.number(),
});

/**
 * What the release held back over the range, from the manifest (`pub_releases`), so each view can
 * explain generalised and withheld figures in place: the windows' rows for the site totals, the
 * days' rows for breakdowns (windows publish no breakdown).
 */
export async function getPrivacyNote(
  warehouse: Warehouse,
  filters: Filters,
  reports: readonly ReportName[],
  defaultK: number,
): Promise<PrivacyNote> {
  const grain = reports.includes('overview') ? 'window' : 'day';
  const [row] = await warehouse.query({
    name: 'dashboard_privacy_note',
    sql: `SELECT toUInt64(uniqExact(period_start)) AS periods,
            toUInt64(sum(groups_generalised)) AS generalised,
            toUInt64(uniqExactIf(period_start, withheld = 1)) AS withheld,
            toUInt32(max(k)) AS k
          FROM ${RELEASES_TABLE} FINAL
          WHERE site = {site:String} AND grain = {grain:String} AND report IN {reports:Array(String)}
            AND period_start >= toDateTime({from:Date}, 'UTC')
            AND period_start < toDateTime({to:Date}, 'UTC') + INTERVAL 1 DAY`,
    params: { site: filters.site, grain, from: filters.from, to: filters.to, reports: [...reports] },
    row: Row,
  });
  const k = row && row.k > 0 ? row.k : defaultK;
  const generalised = row?.generalised ?? 0;
  const withheld = row?.withheld ?? 0;
  return {
    k,
    grain,
    released: row?.periods ?? 0,
    groupsGeneralised: generalised,
    withheld,
    text: describeHeldBack(generalised, withheld, k, grain),
  };
}

function describeHeldBack(
  generalised: number,
  withheld: number,
  k: number,
  grain: PrivacyNote['grain'] = 'window',
): string | undefined {
  const parts: string[] = [];
  if (generalised > 0)
    parts.push(
      `${generalised === 1 ? '1 small group' : `${generalised.toLocaleString('en')} small groups`} (fewer than ${k} visitors each) combined into "Other" rows`,
    );
  if (withheld > 0) {
    const unit = grain === 'day' ? ['day', 'days'] : ['release window', 'release windows'];
    parts.push(
      `${withheld === 1 ? `1 ${unit[0]}` : `${withheld.toLocaleString('en')} ${unit[1]}`} with fewer than ${k} visitors left out`,
    );
  }
  if (parts.length === 0) return undefined;
  return `${parts.join('; ')}, to protect shoppers' privacy. Figures that fewer than ${k} visitors made are left out too.`;
}
