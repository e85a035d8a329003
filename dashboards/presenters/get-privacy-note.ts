import { z } from 'zod';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import type { ReportName } from '../../schema/reports.js';
import { RELEASES_TABLE } from '../../schema/tables.js';
import type { Filters } from '../query/filters.js';

export interface PrivacyNote {
  k: number;
  /** Release windows of the range that have been published for these reports. */
  windowsReleased: number;
  /** Small groups folded into "(other)" rows. */
  groupsGeneralised: number;
  /**
   * Windows of fewer than K visitors, of which nothing was published. How many groups they held is
   * never counted: that count would describe fewer than K visitors.
   */
  windowsWithheld: number;
  /** One plain sentence for the UI, or undefined when nothing was held back. */
  text: string | undefined;
}

const Row = z.object({
  windows: z.number(),
  generalised: z.number(),
  withheld: z.number(),
  k: z.number(),
});

/**
 * What the release held back over the range, from the manifest (`pub_releases`, window grain; day
 * roll-ups add nothing of their own), so each view can explain suppressed figures in place.
 */
export async function getPrivacyNote(
  warehouse: Warehouse,
  filters: Filters,
  reports: readonly ReportName[],
  defaultK: number,
): Promise<PrivacyNote> {
  const [row] = await warehouse.query({
    name: 'dashboard_privacy_note',
    sql: `SELECT toUInt64(uniqExact(period_start)) AS windows,
            toUInt64(sum(groups_generalised)) AS generalised,
            toUInt64(uniqExactIf(period_start, withheld = 1)) AS withheld,
            toUInt32(max(k)) AS k
          FROM ${RELEASES_TABLE} FINAL
          WHERE site = {site:String} AND grain = 'window' AND report IN {reports:Array(String)}
            AND period_start >= toDateTime({from:Date}, 'UTC')
            AND period_start < toDateTime({to:Date}, 'UTC') + INTERVAL 1 DAY`,
    params: { site: filters.site, from: filters.from, to: filters.to, reports: [...reports] },
    row: Row,
  });
  const k = row && row.k > 0 ? row.k : defaultK;
  const generalised = row?.generalised ?? 0;
  const withheld = row?.withheld ?? 0;
  return {
    k,
    windowsReleased: row?.windows ?? 0,
    groupsGeneralised: generalised,
    windowsWithheld: withheld,
    text: describeHeldBack(generalised, withheld, k),
  };
}

export function describeHeldBack(
  generalised: number,
  windowsWithheld: number,
  k: number,
): string | undefined {
  const parts: string[] = [];
  if (generalised > 0)
    parts.push(
      `${generalised === 1 ? '1 small group' : `${generalised.toLocaleString('en')} small groups`} (fewer than ${k} visitors each) combined into "Other" rows`,
    );
  if (windowsWithheld > 0)
    parts.push(
      `${windowsWithheld === 1 ? '1 period' : `${windowsWithheld.toLocaleString('en')} periods`} with fewer than ${k} visitors left out`,
    );
  if (parts.length === 0) return undefined;
  return `${parts.join('; ')}, to protect shoppers' privacy. Figures that fewer than ${k} visitors made are left out too.`;
}
