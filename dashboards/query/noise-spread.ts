import { z } from 'zod';
import { fourthCumulant, variance } from '../../core/discrete-laplace.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import type { ReportName } from '../../schema/reports.js';
import { RELEASES_TABLE } from '../../schema/tables.js';
import { type Filters, rangeParams } from './filters.js';

/**
 * Noise mode (KANON_EPSILON): the noise in a figure the dashboards add up from noisy published
 * values (a group over days, a device over its browsers): the sums of the values' noise variances
 * and fourth cumulants, and the largest scale among them. Each published value carries its own
 * independent draw, so cumulants add (presenters/margins.ts turns a spread into the ± margin shown
 * beside the figure).
 */
export interface Spread {
  variance: number;
  /** How heavy the tails are beside a normal's of the same variance (its fourth cumulant). */
  cumulant4: number;
  /** The widest single draw's scale. */
  scale: number;
  /** How many draws add up. */
  draws: number;
}

/** A group's spread per figure: each measure by name, and `visitors`. */
export type Spreads = Readonly<Record<string, Spread>>;

/** The noise scale of each figure of a report's day release, per day (`YYYY-MM-DD`). */
export type DayScales = ReadonlyMap<string, Readonly<Record<string, number>>>;

const ScalesRow = z.object({ day: z.string(), noise: z.record(z.string(), z.number()) });

/**
 * The scales the manifest states for `report`'s noisy days in the range and the previous period
 * (`pub_releases.noise`, written by the day release in noise mode). Empty in plain mode, and for
 * days released before noise mode was turned on: their figures are exact.
 */
export async function getDayScales(
  warehouse: Warehouse,
  report: ReportName,
  filters: Filters,
): Promise<DayScales> {
  const { site, rangeFrom, rangeTo } = rangeParams(filters);
  const rows = await warehouse.query({
    name: 'dashboard_noise_scales',
    sql: `SELECT toString(toDate(period_start)) AS day, noise
          FROM ${RELEASES_TABLE} FINAL
          WHERE site = {site:String} AND grain = 'day' AND report = {report:String} AND epsilon > 0
            AND period_start >= toDateTime({rangeFrom:Date}, 'UTC')
            AND period_start < toDateTime({rangeTo:Date}, 'UTC') + INTERVAL 1 DAY`,
    params: { site, report, rangeFrom, rangeTo },
    row: ScalesRow,
  });
  return new Map(rows.map((row) => [row.day, row.noise]));
}

/**
 * How many published rows of each day a group adds up, as a column of the grouped query:
 * `{ "2026-12-01": 3, ... }`. Only asked for when some day of the range is noisy.
 */
export const ROWS_PER_DAY = 'sumMap(map(toString(day), toUInt64(1))) AS rows_per_day';
export const RowsPerDay = z.record(z.string(), z.number());

/**
 * The spread of each figure of a group that adds up `rowsPerDay` published rows. A figure the
 * manifest gives no scale (the overview's `events`, the sum of other noisy figures) or a day
 * released without noise adds nothing.
 */
export function spreadsOf(
  rowsPerDay: Readonly<Record<string, number>>,
  scales: DayScales,
  figures: readonly string[],
): Spreads {
  const spreads: Record<string, Spread> = {};
  for (const figure of figures) {
    const spread = { variance: 0, cumulant4: 0, scale: 0, draws: 0 };
    for (const [day, rows] of Object.entries(rowsPerDay)) {
      const scale = scales.get(day)?.[figure] ?? 0;
      if (!(scale > 0)) continue;
      spread.variance += rows * variance(scale);
      spread.cumulant4 += rows * fourthCumulant(scale);
      spread.scale = Math.max(spread.scale, scale);
      spread.draws += rows;
    }
    if (spread.variance > 0) spreads[figure] = spread;
  }
  return spreads;
}

/** Two groups' figures added up: their spreads add figure by figure. */
export function addSpreads(a: Spreads | undefined, b: Spreads | undefined): Spreads | undefined {
  if (!a) return b;
  if (!b) return a;
  const sum: Record<string, Spread> = { ...a };
  for (const [figure, spread] of Object.entries(b)) {
    const other = sum[figure];
    sum[figure] = other
      ? {
          variance: other.variance + spread.variance,
          cumulant4: other.cumulant4 + spread.cumulant4,
          scale: Math.max(other.scale, spread.scale),
          draws: other.draws + spread.draws,
        }
      : spread;
  }
  return sum;
}
