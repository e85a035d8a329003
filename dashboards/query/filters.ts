import { z } from 'zod';
import { SITE_ID } from '../../core/sites.js';
import { DAY_SECONDS, toClickHouseDate } from '../../core/time.js';
import { DEVICE_CLASSES } from '../../schema/event.js';
import { invalidQuery, unknownSite } from '../errors.js';

/**
 * The filters every view takes: a site, a date range (UTC days, inclusive) compared with the period
 * just before it or the same days a year before, and up to three dimension filters (a clicked
 * product, source, device, country or campaign). Reports are not cross-tabulated (products are not
 * split by device), and must not be: a filtered copy of a report subtracted from the whole would
 * reveal groups below K. So a dimension filter applies only to views whose report has that
 * dimension; the others answer with `notSplitBy` and the UI says so.
 */
export const DIMENSION_FILTERS = ['device', 'country', 'campaign', 'source', 'product'] as const;
export type DimensionFilter = (typeof DIMENSION_FILTERS)[number];

/** Filters a view combines at most, as in Plausible; more would mostly be "not split here" notes. */
export const MAX_FILTERS = 3;

/** The longest range a view covers, and how far back it may start (published retention). */
export const MAX_RANGE_DAYS = 400;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
export const FilterQuery = z.object({
  site: z.string().regex(SITE_ID, 'must be a site id').optional(),
  from: z.string().regex(DATE, 'must be a date like 2025-01-31').optional(),
  to: z.string().regex(DATE, 'must be a date like 2025-01-31').optional(),
  compare: z.enum(['previous', 'year', 'none']).default('previous'),
  device: z.enum(DEVICE_CLASSES).optional(),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be a two-letter country code')
    .optional(),
  campaign: z.string().min(1).max(200, 'must be at most 200 characters').optional(),
  /** A referring host, or (direct): the sources report's dimension. */
  source: z.string().min(1).max(255, 'must be at most 255 characters').optional(),
  /** A product id as the tag sends it (schema/event.ts, LIMITS.id). */
  product: z.string().min(1).max(64, 'must be at most 64 characters').optional(),
  page_type: z.string().min(1).max(64, 'must be at most 64 characters').optional(),
  format: z.enum(['json', 'csv']).default('json'),
});
export type FilterQuery = z.infer<typeof FilterQuery>;

export interface Filters {
  site: string;
  /** First and last day of the range (inclusive, `YYYY-MM-DD`). */
  from: string;
  to: string;
  days: number;
  /**
   * The period compared with: the days just before, or the same calendar days a year before
   * (`compare=year`), the same number of days either way; undefined when comparison is off.
   */
  previous: { from: string; to: string } | undefined;
  /** Days from the previous period's first day to the range's first. */
  previousOffset: number;
  /** What `previous` is: the days just before, or the same days a year before. */
  compare: 'previous' | 'year' | 'none';
  today: string;
  device: string | undefined;
  country: string | undefined;
  campaign: string | undefined;
  source: string | undefined;
  product: string | undefined;
  /** The dimension filters set, in the order of the query string (the order they were clicked). */
  dimensions: DimensionFilter[];
  pageType: string | undefined;
  format: 'json' | 'csv';
}

const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / 1000 / DAY_SECONDS;
const dateOf = (day: number) => toClickHouseDate(day * DAY_SECONDS);

/** The same calendar day a year before; 29 February reads as the 28th. */
function yearBefore(day: number): number {
  const date = dateOf(day);
  const year = `${Number(date.slice(0, 4)) - 1}`.padStart(4, '0');
  return dayNumber(`${year}${date.slice(4) === '-02-29' ? '-02-28' : date.slice(4)}`);
}

/** The dimension filters of a query in the order they appear in it (query strings keep order). */
function dimensionsInOrder(query: unknown, parsed: FilterQuery): DimensionFilter[] {
  const order = query && typeof query === 'object' ? Object.keys(query) : [];
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  return DIMENSION_FILTERS.filter((name) => parsed[name] !== undefined).sort((a, b) => rank(a) - rank(b));
}

/** Reads and checks a query string; the default range is the last 7 days, today included. */
export function parseFilters(query: unknown, sites: readonly string[], now: number): Filters {
  const parsed = FilterQuery.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalidQuery(issue?.path.join('.') ?? '', issue?.message ?? 'is invalid');
  }
  const q = parsed.data;
  const site = q.site ?? sites[0];
  if (site === undefined || !sites.includes(site)) throw unknownSite();
  const today = Math.floor(now / 1000 / DAY_SECONDS);
  const to = q.to ? dayNumber(q.to) : today;
  const from = q.from ? dayNumber(q.from) : to - 6;
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw invalidQuery('from', 'is not a calendar date');
  if (from > to) throw invalidQuery('from', 'must not be after to');
  if (to > today) throw invalidQuery('to', 'must not be in the future');
  if (to - from + 1 > MAX_RANGE_DAYS)
    throw invalidQuery('from', `ranges cover at most ${MAX_RANGE_DAYS} days`);
  const dimensions = dimensionsInOrder(query, q);
  // Counted, never quoted: the message names the rule, not the values.
  if (dimensions.length > MAX_FILTERS)
    throw invalidQuery('', `at most ${MAX_FILTERS} filters combine (${dimensions.length} given)`);
  const days = to - from + 1;
  const previousFrom = q.compare === 'year' ? yearBefore(from) : from - days;
  return {
    site,
    from: dateOf(from),
    to: dateOf(to),
    days,
    previous:
      q.compare === 'none' ? undefined : { from: dateOf(previousFrom), to: dateOf(previousFrom + days - 1) },
    previousOffset: from - previousFrom,
    compare: q.compare,
    today: dateOf(today),
    device: q.device,
    country: q.country,
    campaign: q.campaign,
    source: q.source,
    product: q.product,
    dimensions,
    pageType: q.page_type,
    format: q.format,
  };
}

/** The dimension filters set but not applicable to a view backed by reports without them. */
export function notSplitBy(filters: Filters, supported: readonly DimensionFilter[]): DimensionFilter[] {
  return DIMENSION_FILTERS.filter((name) => filters[name] !== undefined && !supported.includes(name));
}

/**
 * Bound parameters shared by every range query: the range plus the previous period, which may be
 * shorter than the range (see comparedWithReleasedDays); `rangeFrom..rangeTo` spans both.
 */
export function rangeParams(filters: Filters) {
  return {
    site: filters.site,
    from: filters.from,
    to: filters.to,
    previousFrom: filters.previous?.from ?? filters.from,
    previousTo: filters.previous?.to ?? filters.to,
    rangeFrom: filters.previous?.from ?? filters.from,
    rangeTo: filters.to,
  };
}

/**
 * The filters of a breakdown whose range reaches days not released yet (today): its figures
 * cover the days before the first of them, so the previous period is cut to as many days, the
 * same days of the week before for a week. Five released days are compared with five, never with
 * seven, and nothing is compared when no day is released. Days are released in order, so the
 * pending ones are the last of the range.
 */
export function comparedWithReleasedDays(filters: Filters, pending: readonly string[]): Filters {
  const first = [...pending].sort()[0];
  if (!filters.previous || first === undefined || first > filters.to) return filters;
  const covered = dayNumber(first) - dayNumber(filters.from);
  if (covered <= 0) return { ...filters, previous: undefined };
  const from = dayNumber(filters.previous.from);
  return { ...filters, previous: { from: filters.previous.from, to: dateOf(from + covered - 1) } };
}
