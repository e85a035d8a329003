import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import type { ReportName } from '../../schema/reports.js';
import { csvFileName, tableToCsv } from '../csv.js';
import { type DayContext, describeDays, describeReleased, nextRelease } from '../presenters/day-notes.js';
import { getCampaigns } from '../presenters/get-campaigns.js';
import { getComparison } from '../presenters/get-comparison.js';
import { getCountries } from '../presenters/get-countries.js';
import { getDeviceMix } from '../presenters/get-device-mix.js';
import { getFunnel } from '../presenters/get-funnel.js';
import { getInsights, INSIGHT_REPORTS } from '../presenters/get-insights.js';
import { describeFunnelOrders, getOrdersSplit } from '../presenters/get-orders-split.js';
import { getOverview } from '../presenters/get-overview.js';
import { getPrivacyNote } from '../presenters/get-privacy-note.js';
import { getProductMovers } from '../presenters/get-product-movers.js';
import { getPromotionSlots, getPromotions } from '../presenters/get-promotions.js';
import { getReferrers } from '../presenters/get-referrers.js';
import { getScrollDepth } from '../presenters/get-scroll-depth.js';
import { getSearchTerms, SEARCHES } from '../presenters/get-search-terms.js';
import { getSlotClicks } from '../presenters/get-slot-clicks.js';
import { getTopCategories } from '../presenters/get-top-categories.js';
import { getTopPages } from '../presenters/get-top-pages.js';
import { getTopProducts, PRODUCT_VIEWS } from '../presenters/get-top-products.js';
import { getUnboughtProducts } from '../presenters/get-unbought-products.js';
import { getZeroResultSearches } from '../presenters/get-zero-result-searches.js';
import { type NamedShare, type NamedSpec, namedShare } from '../presenters/named-share.js';
import type { Table } from '../presenters/table.js';
import {
  comparedWithReleasedDays,
  type DimensionFilter,
  type Filters,
  notSplitBy,
  parseFilters,
} from '../query/filters.js';
import { getReleasedDays, type ReleasedDays } from '../query/released-days.js';

/**
 * One table endpoint per view: its reports (for the privacy note and the days it covers), the
 * dimension filters those reports can honour, what its rows are called ("products": "Today's
 * products are published ..."), the measure its named share is of, and the presenter. JSON by
 * default; `?format=csv` exports it for every role that sees the view: a merchandiser downloads
 * what they see, the same released rows (analysts' SQL stays theirs: routes/query.ts).
 */
export interface TableEndpoint {
  path: string;
  summary: string;
  reports: readonly ReportName[];
  filters: readonly DimensionFilter[];
  noun: string;
  /** The main measure (a column of the table) whose share in named rows is reported. */
  named: NamedSpec;
  /**
   * Resolves to the table, plus any extra fields the view needs (funnel steps, page types). A
   * presenter whose table keeps some rows only (movers) returns its own `named`.
   */
  load(
    warehouse: Warehouse,
    filters: Filters,
    days: DaysOfView,
  ): Promise<Table & { named?: NamedShare | null }>;
}

/** What a presenter knows of the days its view covers. */
export interface DaysOfView extends DayContext {
  released: ReleasedDays;
  /** K of the deployment, for the insights' rules ("found nothing at least K times"). */
  k: number;
}

const count = (measure: string, label: string): NamedSpec => ({ measure, label });
const PAGEVIEWS = count('pageviews', 'pageviews');
const IMPRESSIONS = count('impressions', 'promotion impressions');
const ORDERS = count('orders', 'orders');

export const TABLE_ENDPOINTS: readonly TableEndpoint[] = [
  {
    path: '/api/v1/pages',
    summary: 'Pages by pageviews',
    reports: ['pages'],
    filters: [],
    noun: 'pages',
    named: PAGEVIEWS,
    load: getTopPages,
  },
  {
    path: '/api/v1/referrers',
    summary: 'Sources of visits',
    reports: ['referrers'],
    filters: ['source'],
    noun: 'sources',
    named: count('entries', 'visits'),
    load: getReferrers,
  },
  {
    path: '/api/v1/devices',
    summary: 'Pageviews by device class',
    reports: ['devices'],
    filters: ['device'],
    noun: 'device figures',
    named: PAGEVIEWS,
    load: getDeviceMix,
  },
  {
    path: '/api/v1/countries',
    summary: 'Pageviews by country',
    reports: ['countries'],
    filters: ['country'],
    noun: 'country figures',
    named: count('visitors', 'visitors'),
    load: getCountries,
  },
  {
    path: '/api/v1/products',
    summary: 'Products ranked by views',
    reports: ['products'],
    filters: ['product'],
    noun: 'products',
    named: PRODUCT_VIEWS,
    load: getTopProducts,
  },
  {
    path: '/api/v1/categories',
    summary: 'Categories ranked by views',
    reports: ['products'],
    filters: [],
    noun: 'categories',
    named: PRODUCT_VIEWS,
    // Categories add up every product of theirs: one product's rows are not its category's.
    load: (warehouse, filters) => getTopCategories(warehouse, { ...filters, product: undefined }),
  },
  {
    path: '/api/v1/products/movers',
    summary: 'Products rising and falling against the previous period',
    reports: ['products'],
    filters: ['product'],
    noun: 'products',
    named: PRODUCT_VIEWS,
    load: (warehouse, filters) => getProductMovers(warehouse, filters),
  },
  {
    path: '/api/v1/products/unbought',
    summary: 'Products viewed often but rarely bought',
    reports: ['products'],
    filters: ['product'],
    noun: 'products',
    named: PRODUCT_VIEWS,
    load: getUnboughtProducts,
  },
  {
    path: '/api/v1/searches',
    summary: 'Search terms',
    reports: ['searches'],
    filters: [],
    noun: 'search terms',
    named: SEARCHES,
    load: (warehouse, filters) => getSearchTerms(warehouse, filters),
  },
  {
    path: '/api/v1/searches/zero-results',
    summary: 'Searches that found nothing',
    reports: ['searches'],
    filters: [],
    noun: 'search terms',
    named: SEARCHES,
    load: getZeroResultSearches,
  },
  {
    path: '/api/v1/slots',
    summary: 'Slot clicks by position',
    reports: ['slots'],
    filters: [],
    noun: 'slot clicks',
    named: count('clicks', 'slot clicks'),
    load: getSlotClicks,
  },
  {
    path: '/api/v1/scroll',
    summary: 'Scroll depth by page type',
    reports: ['scroll', 'pages'],
    filters: [],
    noun: 'scroll depths',
    named: count('reached', 'scroll milestones reached'),
    load: getScrollDepth,
  },
  {
    path: '/api/v1/promotions',
    summary: 'Promotions',
    reports: ['promotions'],
    filters: [],
    noun: 'promotions',
    named: IMPRESSIONS,
    load: getPromotions,
  },
  {
    path: '/api/v1/promotions/slots',
    summary: 'Promotion click-through by slot',
    reports: ['promotions'],
    filters: [],
    noun: 'promotions',
    named: IMPRESSIONS,
    load: getPromotionSlots,
  },
  {
    path: '/api/v1/campaigns',
    summary: 'Campaigns by visits',
    reports: ['campaigns'],
    filters: ['campaign'],
    noun: 'campaigns',
    named: ORDERS,
    load: getCampaigns,
  },
  {
    path: '/api/v1/funnel/categories',
    summary: 'Shopping funnel by category',
    reports: ['funnel_categories', 'funnel_devices'],
    filters: [],
    noun: 'funnel figures',
    named: ORDERS,
    load: async (warehouse, filters) => {
      // Categories are not split by device, so a device filter applies to none of this answer.
      const { steps, table } = await getFunnel(warehouse, { ...filters, device: undefined }, 'categories');
      return { ...table, steps };
    },
  },
  {
    path: '/api/v1/funnel/devices',
    summary: 'Shopping funnel by device class',
    reports: ['funnel_devices'],
    filters: ['device'],
    noun: 'funnel figures',
    named: ORDERS,
    load: async (warehouse, filters, days) => {
      const [{ steps, table }, split] = await Promise.all([
        getFunnel(warehouse, filters, 'devices'),
        getOrdersSplit(warehouse, filters, days.released.days, 'device', { device: filters.device }),
      ]);
      const text = describeFunnelOrders(split, days.released, { ...days, device: filters.device });
      return { ...table, steps, orders: { ...split, text: text ?? null } };
    },
  },
  {
    path: '/api/v1/insights',
    summary:
      'Insights: cards that each name an action, the figures behind it, its rule and its report, by impact',
    reports: INSIGHT_REPORTS,
    filters: [],
    noun: 'insights',
    // Unused: the cards are no breakdown, and their answer's `named` is null.
    named: count('impact', 'insights'),
    load: getInsights,
  },
];

export interface ReportRouteOptions {
  warehouse: Warehouse;
  siteIds: readonly string[];
  k: number;
  windowSeconds: number;
  /** KANON_GRACE: a day's breakdowns are released this long after midnight UTC at the earliest. */
  graceSeconds: number;
  clock: () => number;
}

function envelope(filters: Filters) {
  return { site: filters.site, from: filters.from, to: filters.to, previous: filters.previous ?? null };
}

function sendCsv(reply: FastifyReply, view: string, filters: Filters, table: Table) {
  return reply
    .header('Content-Disposition', `attachment; filename="${csvFileName(view, filters)}"`)
    .header('Cache-Control', 'no-store')
    .type('text/csv; charset=utf-8')
    .send(tableToCsv(table));
}

export function registerReportRoutes(app: FastifyInstance, options: ReportRouteOptions): void {
  const { warehouse } = options;
  const filtersOf = (query: unknown) => parseFilters(query, options.siteIds, options.clock());
  // Said beside "No released data yet", and on the overview while today is partly released.
  const next = () => nextRelease(options.clock(), options.windowSeconds, options.graceSeconds);

  app.get('/api/v1/overview', { config: { access: 'viewer' } }, async (request) => {
    const filters = filtersOf(request.query);
    const [overview, privacy] = await Promise.all([
      getOverview(warehouse, filters, {
        windowSeconds: options.windowSeconds,
        now: options.clock(),
        graceSeconds: options.graceSeconds,
      }),
      getPrivacyNote(warehouse, filters, ['overview'], options.k),
    ]);
    return { ...envelope(filters), k: privacy.k, privacy: { ...privacy, nextRelease: next() }, ...overview };
  });

  for (const endpoint of TABLE_ENDPOINTS) {
    const view = endpoint.path.replace('/api/v1/', '').replace(/\//g, '-');
    app.get(endpoint.path, { config: { access: 'viewer' } }, async (request, reply) => {
      const requested = filtersOf(request.query);
      const days = { today: requested.today, graceSeconds: options.graceSeconds };
      const released = await getReleasedDays(warehouse, requested, endpoint.reports);
      // A breakdown covers its released days: compare them with as many days before, and only
      // when those days are released too (presenters/get-comparison.ts).
      const cut = comparedWithReleasedDays(requested, released.pending);
      const comparison = await getComparison(warehouse, cut, endpoint.reports);
      const filters = comparison?.compared === false ? { ...cut, previous: undefined } : cut;
      const [{ columns, rows, named, ...extra }, privacy] = await Promise.all([
        endpoint.load(warehouse, filters, { ...days, released, k: options.k }),
        getPrivacyNote(warehouse, filters, endpoint.reports, options.k),
      ]);
      if (filters.format === 'csv') return sendCsv(reply, view, filters, { columns, rows });
      return {
        ...envelope(filters),
        k: privacy.k,
        notSplitBy: notSplitBy(filters, endpoint.filters),
        privacy: { ...privacy, nextRelease: next() },
        released: {
          ...released,
          covers: released.days.length > 0 ? describeDays(released.days, filters.today) : null,
          text: describeReleased(released, endpoint.noun, days, filters.previous) ?? null,
        },
        comparison,
        named: named === undefined ? namedShare(rows, endpoint.named) : named,
        ...extra,
        table: { columns, rows },
      };
    });
  }
}
