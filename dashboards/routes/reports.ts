import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import type { ReportName } from '../../schema/reports.js';
import { roleAllows } from '../auth/roles.js';
import { csvFileName, tableToCsv } from '../csv.js';
import { forbidden } from '../errors.js';
import { getCampaigns } from '../presenters/get-campaigns.js';
import { getCountries } from '../presenters/get-countries.js';
import { getDeviceMix } from '../presenters/get-device-mix.js';
import { getFunnel } from '../presenters/get-funnel.js';
import { getOverview } from '../presenters/get-overview.js';
import { getPrivacyNote } from '../presenters/get-privacy-note.js';
import { getProductMovers } from '../presenters/get-product-movers.js';
import { getPromotionSlots, getPromotions } from '../presenters/get-promotions.js';
import { getReferrers } from '../presenters/get-referrers.js';
import { getScrollDepth } from '../presenters/get-scroll-depth.js';
import { getSearchTerms } from '../presenters/get-search-terms.js';
import { getSlotClicks } from '../presenters/get-slot-clicks.js';
import { getTopCategories } from '../presenters/get-top-categories.js';
import { getTopPages } from '../presenters/get-top-pages.js';
import { getTopProducts } from '../presenters/get-top-products.js';
import { getUnboughtProducts } from '../presenters/get-unbought-products.js';
import { getZeroResultSearches } from '../presenters/get-zero-result-searches.js';
import type { Table } from '../presenters/table.js';
import { type DimensionFilter, type Filters, notSplitBy, parseFilters } from '../query/filters.js';

/**
 * One table endpoint per view: its reports (for the privacy note), the dimension filters those
 * reports can honour, and the presenter. JSON by default; `?format=csv` (analyst role) exports it.
 */
export interface TableEndpoint {
  path: string;
  summary: string;
  reports: readonly ReportName[];
  filters: readonly DimensionFilter[];
  /** Resolves to the table, plus any extra fields the view needs (funnel steps, page types). */
  load(warehouse: Warehouse, filters: Filters): Promise<Table>;
}

export const TABLE_ENDPOINTS: readonly TableEndpoint[] = [
  {
    path: '/api/v1/pages',
    summary: 'Pages by pageviews',
    reports: ['pages'],
    filters: [],
    load: getTopPages,
  },
  {
    path: '/api/v1/referrers',
    summary: 'Sources of visits',
    reports: ['referrers'],
    filters: [],
    load: getReferrers,
  },
  {
    path: '/api/v1/devices',
    summary: 'Pageviews by device class',
    reports: ['devices'],
    filters: ['device'],
    load: getDeviceMix,
  },
  {
    path: '/api/v1/countries',
    summary: 'Pageviews by country',
    reports: ['countries'],
    filters: ['country'],
    load: getCountries,
  },
  {
    path: '/api/v1/products',
    summary: 'Products ranked by views',
    reports: ['products'],
    filters: [],
    load: getTopProducts,
  },
  {
    path: '/api/v1/categories',
    summary: 'Categories ranked by views',
    reports: ['products'],
    filters: [],
    load: getTopCategories,
  },
  {
    path: '/api/v1/products/movers',
    summary: 'Products rising and falling against the previous period',
    reports: ['products'],
    filters: [],
    load: (warehouse, filters) => getProductMovers(warehouse, filters),
  },
  {
    path: '/api/v1/products/unbought',
    summary: 'Products viewed often but rarely bought',
    reports: ['products'],
    filters: [],
    load: getUnboughtProducts,
  },
  {
    path: '/api/v1/searches',
    summary: 'Search terms',
    reports: ['searches'],
    filters: [],
    load: (warehouse, filters) => getSearchTerms(warehouse, filters),
  },
  {
    path: '/api/v1/searches/zero-results',
    summary: 'Searches that found nothing',
    reports: ['searches'],
    filters: [],
    load: getZeroResultSearches,
  },
  {
    path: '/api/v1/slots',
    summary: 'Slot clicks by position',
    reports: ['slots'],
    filters: [],
    load: getSlotClicks,
  },
  {
    path: '/api/v1/scroll',
    summary: 'Scroll depth by page type',
    reports: ['scroll', 'pages'],
    filters: [],
    load: getScrollDepth,
  },
  {
    path: '/api/v1/promotions',
    summary: 'Promotions',
    reports: ['promotions'],
    filters: [],
    load: getPromotions,
  },
  {
    path: '/api/v1/promotions/slots',
    summary: 'Promotion click-through by slot',
    reports: ['promotions'],
    filters: [],
    load: getPromotionSlots,
  },
  {
    path: '/api/v1/campaigns',
    summary: 'Campaigns by visits',
    reports: ['campaigns'],
    filters: ['campaign'],
    load: getCampaigns,
  },
  {
    path: '/api/v1/funnel/categories',
    summary: 'Shopping funnel by category',
    reports: ['funnel_categories', 'funnel_devices'],
    filters: [],
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
    load: async (warehouse, filters) => {
      const { steps, table } = await getFunnel(warehouse, filters, 'devices');
      return { ...table, steps };
    },
  },
];

export interface ReportRouteOptions {
  warehouse: Warehouse;
  siteIds: readonly string[];
  k: number;
  windowSeconds: number;
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

  app.get('/api/v1/overview', { config: { access: 'viewer' } }, async (request) => {
    const filters = filtersOf(request.query);
    const [overview, privacy] = await Promise.all([
      getOverview(warehouse, filters, { windowSeconds: options.windowSeconds, now: options.clock() }),
      getPrivacyNote(warehouse, filters, ['overview'], options.k),
    ]);
    return { ...envelope(filters), k: privacy.k, privacy, ...overview };
  });

  for (const endpoint of TABLE_ENDPOINTS) {
    const view = endpoint.path.replace('/api/v1/', '').replace(/\//g, '-');
    app.get(endpoint.path, { config: { access: 'viewer' } }, async (request, reply) => {
      const filters = filtersOf(request.query);
      if (filters.format === 'csv' && !roleAllows(request.session!.role, 'analyst'))
        throw forbidden('analyst');
      const [{ columns, rows, ...extra }, privacy] = await Promise.all([
        endpoint.load(warehouse, filters),
        getPrivacyNote(warehouse, filters, endpoint.reports, options.k),
      ]);
      if (filters.format === 'csv') return sendCsv(reply, view, filters, { columns, rows });
      return {
        ...envelope(filters),
        k: privacy.k,
        notSplitBy: notSplitBy(filters, endpoint.filters),
        privacy,
        ...extra,
        table: { columns, rows },
      };
    });
  }
}
