import type { Warehouse } from '../../core/warehouse/warehouse.js';
import type { ReportName } from '../../schema/reports.js';
import {
  campaignFindings,
  productFindings,
  promotionFindings,
  rankFindings,
  searchFindings,
  slotFindings,
} from '../insights/evaluate.js';
import { type Figure, type Finding, RULE_IDS, RULES, type RuleId, type RuleSpec } from '../insights/rules.js';
import { type GroupSums, sumReport } from '../query/daily-rows.js';
import type { Filters } from '../query/filters.js';
import type { ReleasedDays } from '../query/released-days.js';
import { getProductFigures } from './get-top-products.js';
import {
  campaignLabel,
  isNoCampaign,
  pageTypeLabel,
  promotionLabel,
  searchLabel,
  slotLabel,
} from './labels.js';
import { productCells } from './product-cells.js';
import type { Cell, Table, TableRow } from './table.js';
import { visitorsColumn } from './table.js';

/** The reports the insights read; their day releases are the days the insights cover. */
export const INSIGHT_REPORTS: readonly ReportName[] = [
  'products',
  'searches',
  'slots',
  'pages',
  'promotions',
  'campaigns',
];

/** One card: an action, what it is about, the figures behind it, its rule, its impact, its report. */
export interface InsightCard {
  rule: RuleId;
  action: string;
  finding: string;
  /** What the card is about: a product's name, a search term, a slot position, a campaign. */
  subject: string;
  /** A product card's id, picture, link and availability from the shop's feed; else null. */
  product: Record<string, Cell> | null;
  figures: Figure[];
  /** The rule and its threshold, in one sentence. */
  sentence: string;
  /** The estimate in words ("more units sold at the shop's conversion"), and its share in words. */
  impact: Finding['impact'] & { label: string; text: string };
  /** Visitor-days of the subject's released rows, each of at least K visitors. */
  visitors: number;
  /** The report; a slot card's also names its page type, which the layout view opens on. */
  report: RuleSpec['report'] & { pageType?: string };
}

/**
 * How each rule fared: `fired` for the subjects it found (before the cap per rule), `quiet` when
 * none qualified, `not_compared` when it compares periods and there is no comparable previous
 * period (off, or without released figures for every day: the response's `comparison` says which),
 * `waiting` when the range has no released day yet.
 */
export interface RuleStatus {
  rule: RuleId;
  action: string;
  finding: string;
  sentence: string;
  status: 'fired' | 'quiet' | 'not_compared' | 'waiting';
  found: number;
}

const current = (rows: readonly GroupSums[]) => rows.filter((row) => row.period === 'current');
const COMPARING: readonly RuleId[] = ['rising', 'falling'];

function impactText(share: number, spec: RuleSpec): string {
  const percent = Math.round(share * 100);
  return `${percent < 1 ? 'Under 1%' : `${percent}%`} of the shop's ${spec.impactOf}`;
}

/**
 * The insights of a range: every rule of insights/rules.ts applied to the released figures of its
 * released days, the cards ranked by impact. A rule that compares periods runs only when
 * `filters.previous` is set, which the route leaves so only when every day compared is released.
 */
export async function getInsights(
  warehouse: Warehouse,
  filters: Filters,
  context: { k: number; released: ReleasedDays },
): Promise<Table & { cards: InsightCard[]; rules: RuleStatus[]; named: null }> {
  const { k } = context;
  const compared = filters.previous !== undefined;
  // Only the products' rules compare periods: the other reports are read for the range alone,
  // which halves what they scan (the insights were the slowest call of the dashboards bench).
  const range: Filters = { ...filters, previous: undefined };
  const [products, searches, slots, pages, promotions, campaigns] = await Promise.all([
    getProductFigures(warehouse, filters),
    sumReport(warehouse, 'searches', range).then(current),
    sumReport(warehouse, 'slots', range).then(current),
    sumReport(warehouse, 'pages', range, { dims: ['page_type'] }).then(current),
    sumReport(warehouse, 'promotions', range).then(current),
    sumReport(warehouse, 'campaigns', range).then(current),
  ]);

  const subjects = new Map<
    string,
    { subject: string; product: Record<string, Cell> | null; pageType?: string }
  >();
  const productKey = (level: number, id: string, category: string) =>
    JSON.stringify(['products', level, id, category]);
  const previous = new Map(
    products.previous.map((row) => [productKey(row.level, row.productId, row.category), row]),
  );
  const productInputs = products.current.map((row) => {
    const key = productKey(row.level, row.productId, row.category);
    const cells = productCells(row.productId, row.category, row.details);
    subjects.set(key, { subject: String(cells.product), product: cells });
    const before = previous.get(key);
    return {
      key,
      level: row.level,
      views: row.views,
      purchased: row.purchased,
      visitors: row.visitors,
      previous: before ? { views: before.views, visitors: before.visitors } : null,
    };
  });
  // Keyed by report too: a search term and a campaign may share their values.
  const name = (report: ReportName, row: GroupSums, subject: string) => {
    const key = JSON.stringify([report, row.level, ...Object.values(row.dims)]);
    const pageType = report === 'slots' ? row.dims.page_type : undefined;
    subjects.set(key, { subject, product: null, ...(pageType ? { pageType } : {}) });
    return key;
  };
  const pageViews = new Map<string, number>();
  for (const row of pages) {
    const pageType = row.dims.page_type ?? '';
    pageViews.set(pageType, (pageViews.get(pageType) ?? 0) + (row.measures.pageviews ?? 0));
  }

  const findings = [
    ...productFindings(productInputs, {
      k,
      compared,
      previousViews: products.previous.reduce((sum, row) => sum + row.views, 0),
    }),
    ...searchFindings(
      searches.map((row) => ({
        key: name('searches', row, searchLabel(row.dims.query ?? '')),
        level: row.level,
        visitors: row.visitors,
        searches: row.measures.searches ?? 0,
        zeroResults: row.measures.zero_results ?? 0,
      })),
      k,
    ),
    ...slotFindings(
      slots.map((row) => ({
        key: name(
          'slots',
          row,
          `${slotLabel(row.dims.slot ?? '', row.dims.position ?? '')} on ${pageTypeLabel(row.dims.page_type ?? '')} pages`,
        ),
        level: row.level,
        visitors: row.visitors,
        pageType: row.dims.page_type ?? '',
        clicks: row.measures.clicks ?? 0,
      })),
      pageViews,
      k,
    ),
    ...promotionFindings(
      promotions.map((row) => ({
        key: name('promotions', row, promotionLabel(row.dims.promo ?? '', row.dims.slot ?? '')),
        level: row.level,
        visitors: row.visitors,
        impressions: row.measures.impressions ?? 0,
        clicks: row.measures.clicks ?? 0,
      })),
      k,
    ),
    ...campaignFindings(
      campaigns.map((row) => {
        const [source, medium, campaign] = [row.dims.utm_source, row.dims.utm_medium, row.dims.utm_campaign];
        return {
          key: name('campaigns', row, campaignLabel(source ?? '', medium ?? '', campaign ?? '')),
          level: row.level,
          visitors: row.visitors,
          noCampaign: isNoCampaign(source ?? '', medium ?? '', campaign ?? ''),
          visits: row.measures.entries ?? 0,
          orders: row.measures.orders ?? 0,
          revenue: row.measures.revenue_cents ?? 0,
        };
      }),
      k,
    ),
  ];

  const cards = rankFindings(findings).map((finding): InsightCard => {
    const spec = RULES[finding.rule];
    const subject = subjects.get(finding.key);
    return {
      rule: finding.rule,
      action: spec.action,
      finding: spec.finding,
      subject: subject?.subject ?? '',
      product: subject?.product ?? null,
      figures: finding.figures,
      sentence: spec.sentence(k),
      impact: { ...finding.impact, label: spec.estimate, text: impactText(finding.impact.share, spec) },
      visitors: finding.visitors,
      report: subject?.pageType ? { ...spec.report, pageType: subject.pageType } : spec.report,
    };
  });
  const waiting = context.released.days.length === 0;
  const rules = RULE_IDS.map((id): RuleStatus => {
    const found = findings.filter((finding) => finding.rule === id).length;
    const spec = RULES[id];
    return {
      rule: id,
      action: spec.action,
      finding: spec.finding,
      sentence: spec.sentence(k),
      status: waiting
        ? 'waiting'
        : COMPARING.includes(id) && !compared
          ? 'not_compared'
          : found > 0
            ? 'fired'
            : 'quiet',
      found,
    };
  });
  return { columns: COLUMNS, rows: cards.map(toRow), cards, rules, named: null };
}

/** The cards as a table, for CSV: one row a card, in order of impact. */
const COLUMNS: Table['columns'] = [
  { key: 'action', label: 'Action', kind: 'text' },
  { key: 'subject', label: 'About', kind: 'text' },
  { key: 'finding', label: 'Finding', kind: 'text' },
  {
    key: 'impact',
    label: 'Impact',
    kind: 'rate',
    hint: "What is at stake, as a share of the shop's total of its measure",
  },
  { key: 'rule', label: 'Rule', kind: 'text' },
  { key: 'report', label: 'Report', kind: 'text' },
  visitorsColumn(),
];

const toRow = (card: InsightCard): TableRow => ({
  level: 0,
  action: card.action,
  subject: card.subject,
  finding: card.finding,
  impact: card.impact.share,
  rule: card.sentence,
  report: card.report.label,
  visitors: card.visitors,
});
