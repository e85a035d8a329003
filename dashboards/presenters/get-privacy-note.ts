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
  /**
   * Noise mode (KANON_EPSILON): the ε each visitor's data spent per day, as the manifest states it
   * (the day's reports' ε added up), and how many days of the range carry noise; null when every
   * figure of the range is exact.
   */
  noise: { epsilon: number; days: number } | null;
  /**
   * Noise mode releases whole days only: the range's release windows published no figure by
   * design (not for want of K), so "today" is empty until its day is released.
   */
  wholeDaysOnly: boolean;
  /** One plain sentence for the UI, or undefined when nothing was held back and nothing is noisy. */
  text: string | undefined;
}

const Row = z.object({
  periods: z.number(),
  generalised: z.number(),
  withheld_periods: z.number(),
  k: z.number(),
  /** Windows of the overview that published nothing by design (noise mode), not withheld. */
  by_design: z.number(),
});

const NoiseRow = z.object({ days: z.number(), epsilon: z.number() });

/** ε read back from Float64 sums (13 × ε/13): the figure a person set, not 1.9999999999999998. */
const roundEpsilon = (epsilon: number) => Math.round(epsilon * 1e6) / 1e6;

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
            toUInt64(uniqExactIf(period_start, withheld = 1)) AS withheld_periods,
            toUInt32(max(k)) AS k,
            toUInt64(uniqExactIf(period_start, grain = 'window' AND report = 'overview'
              AND withheld = 0 AND rows_published = 0)) AS by_design
          FROM ${RELEASES_TABLE} FINAL
          WHERE site = {site:String} AND grain = {grain:String} AND report IN {reports:Array(String)}
            AND period_start >= toDateTime({from:Date}, 'UTC')
            AND period_start < toDateTime({to:Date}, 'UTC') + INTERVAL 1 DAY`,
    params: { site: filters.site, grain, from: filters.from, to: filters.to, reports: [...reports] },
    row: Row,
  });
  const k = row && row.k > 0 ? row.k : defaultK;
  const generalised = row?.generalised ?? 0;
  const withheld = row?.withheld_periods ?? 0;
  const noise = await getNoiseFacts(warehouse, filters);
  const wholeDaysOnly = (row?.by_design ?? 0) > 0;
  const text = [
    describeHeldBack(generalised, withheld, k, grain),
    noise ? describeNoise(noise) : undefined,
    wholeDaysOnly ? WHOLE_DAYS_ONLY : undefined,
  ].filter((part) => part !== undefined);
  return {
    k,
    grain,
    released: row?.periods ?? 0,
    groupsGeneralised: generalised,
    withheld,
    noise,
    wholeDaysOnly,
    text: text.length > 0 ? text.join(' ') : undefined,
  };
}

/**
 * Noise mode's facts for the range, from the days' manifest rows: every report of a day states the
 * ε its figures spent, and a visitor-day spends their sum (docs/privacy.md, "Noise mode"). Windows
 * carry no ε: in noise mode they publish nothing.
 */
async function getNoiseFacts(warehouse: Warehouse, filters: Filters): Promise<PrivacyNote['noise']> {
  const [row] = await warehouse.query({
    name: 'dashboard_privacy_noise',
    sql: `SELECT toUInt64(count()) AS days, max(spent) AS epsilon
          FROM (SELECT period_start, sum(epsilon) AS spent
                FROM ${RELEASES_TABLE} FINAL
                WHERE site = {site:String} AND grain = 'day' AND epsilon > 0
                  AND period_start >= toDateTime({from:Date}, 'UTC')
                  AND period_start < toDateTime({to:Date}, 'UTC') + INTERVAL 1 DAY
                GROUP BY period_start)`,
    params: { site: filters.site, from: filters.from, to: filters.to },
    row: NoiseRow,
  });
  return row && row.days > 0 ? { epsilon: roundEpsilon(row.epsilon), days: row.days } : null;
}

function describeNoise(noise: NonNullable<PrivacyNote['noise']>): string {
  const days = noise.days === 1 ? '1 day' : `${noise.days.toLocaleString('en')} days`;
  return `Noise mode: the figures of ${days} carry random noise (differential privacy, ε = ${noise.epsilon.toLocaleString('en')} per visitor and day); the ± beside a figure is its 95 % margin.`;
}

const WHOLE_DAYS_ONLY =
  "Noise mode publishes whole days only: a day's figures appear once the day has ended and is released.";

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
