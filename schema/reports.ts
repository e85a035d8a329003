import { type AnonymousEvent, EVENT_TYPES, type EventType } from './event.js';

/**
 * The report catalogue: what Kanon counts, and how each report generalises small groups.
 * It drives the worker's fold (event → staging cells), the release (ladder, suppression), the
 * published tables' DDL (schema/sql is generated from it) and the dashboards.
 *
 * A report has up to three dimensions (`d1..d3` in staging), integer measures, and a ladder:
 * levels from the most detailed key to the top. A group below K visitors moves up one level; the
 * top level keeps only its `scope` dimensions and every other dimension reads OTHER.
 */

export const OTHER = '(other)';
/** A value the event did not carry (no category, unknown browser): a real group, unlike OTHER. */
export const NONE = '(none)';

/** Keeps a value sent by a shop from posing as the generalised OTHER group. */
export const unreserved = (value: string) => (value === OTHER ? '(other value)' : value);
export const MAX_DIMS = 3;

export interface DimensionSpec {
  name: string;
  /** ClickHouse type of the published column. */
  type: 'String' | 'LowCardinality(String)' | 'UInt16';
  doc: string;
}

/** What a measure counts: events of one type, or `entry` (a pageview that starts a visit). */
export type EventKind = EventType | 'entry';

export interface MeasureSpec {
  name: string;
  doc: string;
  /**
   * The kind of event the measure counts. A kind that fewer than K distinct visitors made in a
   * release's scope is withheld in every report (the measure reads 0), so no two reports can
   * disagree about it (docs/privacy.md, "Linked reports"). Unset: the report's own scopes decide
   * (the funnels, whose steps are their scopes).
   */
  counts?: EventKind;
}

/**
 * An overview measure that a report splits: the report's published rows must add up to the
 * overview's figure, over the whole report or over the rows whose dimensions match `where`.
 */
export type Split = string | { measure: string; where: Readonly<Record<string, string>> };

/** What the worker's fold needs of a report: its name and the cells an event adds to. */
export interface StagedReportSpec {
  name: string;
  cells(event: AnonymousEvent): CellContribution[];
  /**
   * A visitor and its first dimension decide its cell (devices: a token's user agent decides its
   * browser and OS; event kinds: one dimension). So a contribution without measures from a visitor
   * the fold has already put under that first dimension changes nothing and is skipped: these
   * reports take every event, mostly without measures, and the skip halves the fold's cost of them.
   */
  visitorDecidesCell?: boolean;
}

/** A cell the fold emits for one event: its dimension values and measure increments. */
export interface CellContribution {
  dims: readonly string[];
  measures: Readonly<Record<string, number>>;
}

export interface ReportSpec extends StagedReportSpec {
  name: ReportName;
  doc: string;
  dims: readonly DimensionSpec[];
  measures: readonly MeasureSpec[];
  /** Each level lists the dimensions that keep their value; the last level is the top. */
  ladder: readonly (readonly string[])[];
  /** Which overview measures this report splits, so the release can keep the two consistent. */
  splits?: Readonly<Record<string, Split>>;
  /**
   * Every visitor falls in exactly one cell (a device class or a country is the same for all of a
   * visitor token's events), so the rows' visitors add up to the overview's visitors.
   */
  splitsVisitors?: boolean;
  /**
   * For a report whose measures do not name their kind (the funnels): the one kind of event every
   * event of a cell is, by the cell's first dimension (the step).
   */
  kindByD1?: Readonly<Record<string, EventKind>>;
}

export const REPORT_NAMES = [
  'overview',
  'pages',
  'products',
  'searches',
  'slots',
  'promotions',
  'scroll',
  'referrers',
  'campaigns',
  'devices',
  'countries',
  'funnel_categories',
  'funnel_devices',
] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

const one = (dims: readonly string[], measures: Record<string, number>): CellContribution[] => [
  { dims, measures },
];
const none: CellContribution[] = [];
const str = (name: string, doc: string, type: DimensionSpec['type'] = 'String'): DimensionSpec => ({
  name,
  type,
  doc,
});
const lc = (name: string, doc: string) => str(name, doc, 'LowCardinality(String)');
const m = (name: string, doc: string, counts?: EventKind): MeasureSpec =>
  counts ? { name, doc, counts } : { name, doc };

/** A landing: the first page of a visit, i.e. a pageview not referred by the shop itself. */
export const isEntry = (event: AnonymousEvent) =>
  event.type === 'pageview' && event.referrer !== '(internal)';

const FUNNEL_STEPS: Partial<Record<AnonymousEvent['type'], string>> = {
  product_view: '1_view',
  add_to_cart: '2_cart',
  checkout: '3_checkout',
  purchase: '4_purchase',
};

const STEP_KINDS: Readonly<Record<string, EventKind>> = Object.fromEntries(
  Object.entries(FUNNEL_STEPS).map(([type, step]) => [step, type as EventType]),
);

const orNone = (value: string | undefined) => (value ? unreserved(value) : NONE);
/** The campaigns report's row for visits, carts and orders that no campaign brought. */
export const NO_CAMPAIGN: readonly string[] = [NONE, NONE, NONE];
const PAGEVIEW = { pageviews: 1 };
const NOTHING = {};

function categoriesOf(event: AnonymousEvent): string[] {
  if (event.items?.length) return [...new Set(event.items.map((item) => orNone(item.category)))].sort();
  if (event.category !== undefined) return [orNone(event.category)];
  return [];
}

export const REPORTS: Readonly<Record<ReportName, ReportSpec>> = {
  overview: {
    name: 'overview',
    doc: 'Site totals: the figures on top of every dashboard.',
    dims: [],
    measures: [
      m('events', "All recorded events of the kinds published (the sum of each kind's published figure)"),
      m('pageviews', 'Pages viewed', 'pageview'),
      m('entries', 'Visits started from outside the shop', 'entry'),
      m('product_views', 'Product pages viewed', 'product_view'),
      m('add_to_carts', 'Add-to-cart actions', 'add_to_cart'),
      m('checkouts', 'Checkouts started', 'checkout'),
      m('orders', 'Purchases completed', 'purchase'),
      m('revenue_cents', 'Order value in minor units (each order clamped)', 'purchase'),
      m('searches', 'Searches made', 'search'),
    ],
    ladder: [[]],
    cells(e) {
      const measures: Record<string, number> = { events: 1 };
      if (e.type === 'pageview') {
        measures.pageviews = 1;
        if (isEntry(e)) measures.entries = 1;
      }
      if (e.type === 'product_view') measures.product_views = 1;
      if (e.type === 'add_to_cart') measures.add_to_carts = 1;
      if (e.type === 'checkout') measures.checkouts = 1;
      if (e.type === 'purchase') {
        measures.orders = 1;
        measures.revenue_cents = e.value_cents ?? 0;
      }
      if (e.type === 'search') measures.searches = 1;
      return one([], measures);
    },
  },
  pages: {
    name: 'pages',
    doc: 'Pages by path and page type.',
    dims: [
      str('path', 'Page path, scrubbed, without query string'),
      lc('page_type', 'Page type sent by the tag'),
    ],
    measures: [
      m('pageviews', 'Pages viewed', 'pageview'),
      m('entries', 'Visits that started on this page', 'entry'),
    ],
    ladder: [['path', 'page_type'], ['page_type'], []],
    splits: { pageviews: 'pageviews', entries: 'entries' },
    cells(e) {
      if (e.type !== 'pageview') return none;
      return one(
        [unreserved(e.path), e.page_type || 'other'],
        isEntry(e) ? { pageviews: 1, entries: 1 } : { pageviews: 1 },
      );
    },
  },
  products: {
    name: 'products',
    doc: 'Products by id and category: views, carts, purchases.',
    dims: [str('product_id', 'Product id sent by the tag'), str('category', 'Product category')],
    measures: [
      m('views', 'Product views', 'product_view'),
      m('add_to_carts', 'Add-to-cart actions', 'add_to_cart'),
      m('cart_units', 'Units added to carts', 'add_to_cart'),
      m('removes', 'Remove-from-cart actions', 'remove_from_cart'),
      m('checkout_units', 'Units in started checkouts', 'checkout'),
      m('purchased_units', 'Units purchased', 'purchase'),
      m('item_revenue_cents', 'Item price × quantity in minor units (each line clamped)', 'purchase'),
    ],
    ladder: [['product_id', 'category'], ['category'], []],
    splits: { product_views: 'views', add_to_carts: 'add_to_carts' },
    cells(e) {
      const product = [orNone(e.product_id), orNone(e.category)];
      if (e.type === 'product_view') return one(product, { views: 1 });
      if (e.type === 'add_to_cart') return one(product, { add_to_carts: 1, cart_units: e.quantity ?? 1 });
      if (e.type === 'remove_from_cart') return one(product, { removes: 1 });
      if ((e.type === 'checkout' || e.type === 'purchase') && e.items) {
        return e.items.map(
          (item): CellContribution => ({
            dims: [orNone(item.product_id), orNone(item.category)],
            measures:
              e.type === 'checkout'
                ? { checkout_units: item.quantity }
                : { purchased_units: item.quantity, item_revenue_cents: item.price_cents * item.quantity },
          }),
        );
      }
      return none;
    },
  },
  searches: {
    name: 'searches',
    doc: 'Search terms, normalised and scrubbed; zero-result searches show unmet demand.',
    dims: [str('query', 'Search term, lower-cased, scrubbed, capped')],
    measures: [
      m('searches', 'Searches made', 'search'),
      m('zero_results', 'Searches that found nothing', 'search'),
    ],
    ladder: [['query'], []],
    splits: { searches: 'searches' },
    cells(e) {
      if (e.type !== 'search') return none;
      return one([orNone(e.query)], e.results === 0 ? { searches: 1, zero_results: 1 } : { searches: 1 });
    },
  },
  slots: {
    name: 'slots',
    doc: 'Clicks on page slots (hero, recommendations, ...) by position, per page type.',
    dims: [
      lc('page_type', 'Page type'),
      str('slot', 'Slot name from data-kanon-slot'),
      str('position', 'Position clicked'),
    ],
    measures: [m('clicks', 'Clicks', 'slot_click')],
    ladder: [['page_type', 'slot', 'position'], ['page_type', 'slot'], ['page_type']],
    cells(e) {
      if (e.type !== 'slot_click') return none;
      return one([e.page_type || 'other', orNone(e.slot), String(e.position ?? 0)], { clicks: 1 });
    },
  },
  promotions: {
    name: 'promotions',
    doc: 'Promotion impressions and clicks by promotion and slot.',
    dims: [str('promo', 'Promotion id'), str('slot', 'Slot it was shown in')],
    measures: [
      m('impressions', 'Times seen (half visible)', 'promo_view'),
      m('clicks', 'Clicks', 'promo_click'),
    ],
    ladder: [['promo', 'slot'], ['slot'], []],
    cells(e) {
      if (e.type === 'promo_view') return one([orNone(e.promo), orNone(e.slot)], { impressions: 1 });
      if (e.type === 'promo_click') return one([orNone(e.promo), orNone(e.slot)], { clicks: 1 });
      return none;
    },
  },
  scroll: {
    name: 'scroll',
    doc: 'Scroll-depth milestones by page type and viewport class.',
    dims: [
      lc('page_type', 'Page type'),
      lc('viewport', 'Viewport width class'),
      str('depth', 'Depth reached, percent'),
    ],
    measures: [m('reached', 'Times the depth was reached', 'scroll')],
    ladder: [['page_type', 'viewport', 'depth'], ['page_type', 'depth'], ['depth']],
    cells(e) {
      if (e.type !== 'scroll') return none;
      return one([e.page_type || 'other', e.viewport || NONE, String(e.depth ?? 0)], { reached: 1 });
    },
  },
  referrers: {
    name: 'referrers',
    doc: 'Where visits come from: the referring host, or (direct).',
    dims: [str('referrer', 'Referring host, or (direct)')],
    measures: [m('entries', 'Visits started from this source', 'entry')],
    ladder: [['referrer'], []],
    splits: { entries: 'entries' },
    cells(e) {
      if (!isEntry(e)) return none;
      return one([unreserved(e.referrer) || '(direct)'], { entries: 1 });
    },
  },
  campaigns: {
    name: 'campaigns',
    doc: 'Campaigns (utm_source / utm_medium / utm_campaign): visits they started and, attributed to the visit (first touch within the day), add-to-carts, orders and revenue.',
    dims: [
      str('utm_source', 'utm_source'),
      str('utm_medium', 'utm_medium'),
      str('utm_campaign', 'utm_campaign'),
    ],
    measures: [
      m('entries', 'Visits started from this campaign', 'entry'),
      m('add_to_carts', 'Add-to-cart actions in those visits', 'add_to_cart'),
      m('orders', 'Orders in those visits', 'purchase'),
      m('revenue_cents', 'Order value of those orders in minor units (each order clamped)', 'purchase'),
    ],
    ladder: [['utm_source', 'utm_medium', 'utm_campaign'], ['utm_source', 'utm_medium'], ['utm_source'], []],
    // Visits, carts and orders without a campaign are a row of their own (NO_CAMPAIGN), so the
    // report splits the overview's entries, add-to-carts, orders and revenue whole: without it,
    // "overview orders minus the campaigns' orders" would be the orders of the visitors outside
    // any campaign, however few (docs/privacy.md, "Linked reports").
    splits: {
      entries: 'entries',
      add_to_carts: 'add_to_carts',
      orders: 'orders',
      revenue_cents: 'revenue_cents',
    },
    cells(e) {
      const campaign =
        e.utm_source || e.utm_medium || e.utm_campaign
          ? [orNone(e.utm_source), orNone(e.utm_medium), orNone(e.utm_campaign)]
          : NO_CAMPAIGN;
      if (isEntry(e)) return one(campaign, { entries: 1 });
      if (e.type === 'add_to_cart') return one(campaign, { add_to_carts: 1 });
      if (e.type === 'purchase') return one(campaign, { orders: 1, revenue_cents: e.value_cents ?? 0 });
      return none;
    },
  },
  devices: {
    name: 'devices',
    doc: 'Device class, browser family and OS family of visitors, and their page views.',
    dims: [
      lc('device', 'desktop, mobile, tablet or other'),
      lc('browser', 'Browser family'),
      lc('os', 'OS family'),
    ],
    measures: [m('pageviews', 'Pages viewed', 'pageview')],
    ladder: [['device', 'browser', 'os'], ['device', 'browser'], ['device'], []],
    splits: { pageviews: 'pageviews' },
    // Every event, not only page views: a visitor token's device is the same for all its events,
    // so the rows' visitors add up to the overview's visitors exactly.
    splitsVisitors: true,
    visitorDecidesCell: true,
    cells(e) {
      return one([e.device, orNone(e.browser), orNone(e.os)], e.type === 'pageview' ? PAGEVIEW : NOTHING);
    },
  },
  countries: {
    name: 'countries',
    doc: 'Country of visitors and their page views (from an offline IP database; the IP itself is never kept).',
    dims: [lc('country', 'ISO 3166 country code, or ZZ when unknown')],
    measures: [m('pageviews', 'Pages viewed', 'pageview')],
    ladder: [['country'], []],
    splits: { pageviews: 'pageviews' },
    // Every event, as devices: a token's country is the same for all its events.
    splitsVisitors: true,
    visitorDecidesCell: true,
    cells(e) {
      return one([e.country || 'ZZ'], e.type === 'pageview' ? PAGEVIEW : NOTHING);
    },
  },
  funnel_categories: {
    name: 'funnel_categories',
    doc: 'Shopping funnel by category: visitors who viewed, added to cart, checked out, bought.',
    dims: [lc('step', '1_view, 2_cart, 3_checkout or 4_purchase'), str('category', 'Product category')],
    measures: [m('actions', 'Funnel actions')],
    ladder: [['step', 'category'], ['step']],
    kindByD1: STEP_KINDS,
    cells(e) {
      const step = FUNNEL_STEPS[e.type];
      if (!step) return none;
      return categoriesOf(e).map((category) => ({ dims: [step, category], measures: { actions: 1 } }));
    },
  },
  funnel_devices: {
    name: 'funnel_devices',
    doc: 'Shopping funnel by device class.',
    dims: [lc('step', '1_view, 2_cart, 3_checkout or 4_purchase'), lc('device', 'Device class')],
    measures: [m('actions', 'Funnel actions')],
    ladder: [['step', 'device'], ['step']],
    // Each step is a scope of its own, whose visitors are exactly those who made its kind of event.
    splits: {
      product_views: { measure: 'actions', where: { step: '1_view' } },
      add_to_carts: { measure: 'actions', where: { step: '2_cart' } },
      checkouts: { measure: 'actions', where: { step: '3_checkout' } },
      orders: { measure: 'actions', where: { step: '4_purchase' } },
    },
    kindByD1: STEP_KINDS,
    cells(e) {
      const step = FUNNEL_STEPS[e.type];
      if (!step) return none;
      return one([step, e.device], { actions: 1 });
    },
  },
};

export const REPORT_LIST: readonly ReportSpec[] = REPORT_NAMES.map((name) => REPORTS[name]);

/**
 * What each release window publishes, for freshness: the site totals only. Breakdowns are released
 * per day, over the whole day's staged cells (workers/release/release-day.ts): a day's row then
 * stands for its own group of K or more, and no window row of the same group exists to subtract it
 * from (docs/privacy.md, "Days and windows").
 */
export const WINDOW_REPORTS: readonly ReportSpec[] = [REPORTS.overview];

/**
 * A staged-only report, never published: one cell per kind of event (and `entry`), whose visitor
 * count says whether at least K visitors made that kind of event in a release's scope. The release
 * withholds the measures of a kind below K in every report (MeasureSpec.counts).
 */
export const EVENT_KINDS_REPORT = 'event_kinds';
export type StagedReportName = ReportName | typeof EVENT_KINDS_REPORT;
const KIND_CELLS = new Map(
  EVENT_TYPES.map((type) => [type, [{ dims: [type], measures: NOTHING }] as CellContribution[]]),
);
const ENTRY_CELLS: CellContribution[] = [
  { dims: ['pageview'], measures: NOTHING },
  { dims: ['entry'], measures: NOTHING },
];
export const EVENT_KINDS: StagedReportSpec = {
  name: EVENT_KINDS_REPORT,
  // Only the sets of visitors and networks matter here: no measure.
  visitorDecidesCell: true,
  cells: (e) => (isEntry(e) ? ENTRY_CELLS : KIND_CELLS.get(e.type)!),
};

/** What the worker folds into staging: every report, and the event kinds. */
export const STAGED_REPORTS: readonly StagedReportSpec[] = [...REPORT_LIST, EVENT_KINDS];
export const STAGED_REPORT_NAMES: readonly StagedReportName[] = [...REPORT_NAMES, EVENT_KINDS_REPORT];

/**
 * Where each kind of event is published as a count of its own. The overview's `events` is the sum
 * of these published figures, so "events minus the figures of each kind" is always zero and
 * never a hidden scroll or click (docs/privacy.md, "Linked reports").
 */
export const EVENT_HOME: Readonly<Record<EventType, { report: ReportName; measure: string }>> = {
  pageview: { report: 'overview', measure: 'pageviews' },
  product_view: { report: 'overview', measure: 'product_views' },
  add_to_cart: { report: 'overview', measure: 'add_to_carts' },
  checkout: { report: 'overview', measure: 'checkouts' },
  purchase: { report: 'overview', measure: 'orders' },
  search: { report: 'overview', measure: 'searches' },
  remove_from_cart: { report: 'products', measure: 'removes' },
  slot_click: { report: 'slots', measure: 'clicks' },
  promo_view: { report: 'promotions', measure: 'impressions' },
  promo_click: { report: 'promotions', measure: 'clicks' },
  scroll: { report: 'scroll', measure: 'reached' },
};
