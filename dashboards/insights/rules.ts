import type { ColumnKind } from '../presenters/table.js';

/**
 * The insights' rules and thresholds, in one place: each rule names an action, says in one
 * sentence when it fires, and is a pure function of released figures (the presenter reads them;
 * test/dashboards/insight-rules.test.ts is the table that pins each threshold).
 *
 * Two guards hold for every rule. The subject is a named row (level 0) of at least K visitors,
 * compared only with sums of released rows; and the count a rule fires on (units sold, views
 * gained, searches that found nothing) is itself at least K, so no card rests on a handful of
 * shoppers. Rules that compare periods fire only when the previous period is released for every
 * day compared (presenters/get-comparison.ts); without that they are "not compared", never quiet.
 */
export const THRESHOLDS = {
  /** Viewed often, rarely bought: busier half by views, conversion under this × the shop's. */
  unboughtConversion: 0.5,
  /** Converts well, rarely seen: quieter half by views, conversion at least this × the shop's. */
  unseenConversion: 2,
  /** Rising: views up by at least this share against the previous period. */
  rising: 0.5,
  /** Falling: views down by at least this share (a third undoes a rise of a half). */
  falling: 1 / 3,
  /** A search term that found nothing in at least this share of its searches. */
  zeroResultShare: 0.5,
  /** A slot position under this × the median click rate of its page type's other positions. */
  slotRate: 0.5,
  /** The other named positions a page type needs for a median worth comparing with. */
  slotPeers: 2,
  /** A promotion in the busier half by impressions, click-through under this × the site's. */
  promotionClickThrough: 0.5,
  /** A campaign whose revenue per visit is under this × the site's ... */
  campaignLow: 0.5,
  /** ... or at least this × the site's. */
  campaignHigh: 2,
  /** Cards per rule at most: the ones with the most impact. */
  perRule: 3,
} as const;

export const RULE_IDS = [
  'viewed_not_bought',
  'converts_unseen',
  'rising',
  'falling',
  'searches_found_nothing',
  'slot_low_click_rate',
  'promotion_low_click_through',
  'campaign_low_value',
  'campaign_high_value',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export interface RuleSpec {
  id: RuleId;
  /** What to do, in the imperative: the card's headline. */
  action: string;
  /** What was found, in a few words ("Viewed often, rarely bought"). */
  finding: string;
  /** When the rule fires, with its threshold, in one sentence. */
  sentence(k: number): string;
  /** What the impact is a share of ("units sold"): the shop's total of that measure. */
  impactOf: string;
  /** What the estimate counts, after its figure: "≈ 56 more units sold at the shop's conversion". */
  estimate: string;
  /** The view, the card on it, and the API table it comes from. */
  report: { view: string; anchor: string; label: string; api: string };
}

const T = THRESHOLDS;
/** A threshold in words: "half", "twice", "a third", else "0.4 ×"; "50 %" for a change. */
const times = (x: number) => (x === 0.5 ? 'half' : x === 2 ? 'twice' : x === 1 / 3 ? 'a third' : `${x} ×`);
const percent = (share: number) => `${Math.round(share * 100)} %`;

export const RULES: Readonly<Record<RuleId, RuleSpec>> = {
  viewed_not_bought: {
    id: 'viewed_not_bought',
    action: 'Fix the page or the price',
    finding: 'Viewed often, rarely bought',
    sentence: () =>
      `A named product in the busier half by views whose conversion (units sold ÷ views) is under ${times(T.unboughtConversion)} the shop's.`,
    impactOf: 'units sold',
    estimate: "more units sold at the shop's conversion",
    report: {
      view: '/products',
      anchor: 'unbought',
      label: 'Products: viewed often, rarely bought',
      api: '/api/v1/products/unbought',
    },
  },
  converts_unseen: {
    id: 'converts_unseen',
    action: 'Give it a better slot',
    finding: 'Converts well, rarely seen',
    sentence: (k) =>
      `A named product in the quieter half by views that sold at least K = ${k} units, converting (units sold ÷ views) at ${times(T.unseenConversion)} the shop's rate or more.`,
    impactOf: 'units sold',
    estimate: "more units sold than an average product would sell with the median product's views",
    report: { view: '/products', anchor: 'products', label: 'Products', api: '/api/v1/products' },
  },
  rising: {
    id: 'rising',
    action: 'Stock up',
    finding: 'Rising',
    sentence: (k) =>
      `A named product whose views rose by ${percent(T.rising)} or more (and by at least K = ${k}) against the same released days of the period compared with, published in both.`,
    impactOf: 'product views',
    estimate: 'more views than in the previous period',
    report: {
      view: '/products',
      anchor: 'rising',
      label: 'Products: rising and falling',
      api: '/api/v1/products/movers',
    },
  },
  falling: {
    id: 'falling',
    action: 'Discount it, or find out why',
    finding: 'Falling',
    sentence: (k) =>
      `A named product whose views fell by ${times(T.falling)} or more (and by at least K = ${k}) against the same released days of the period compared with, published in both.`,
    impactOf: 'product views of the previous period',
    estimate: 'fewer views than in the previous period',
    report: {
      view: '/products',
      anchor: 'falling',
      label: 'Products: rising and falling',
      api: '/api/v1/products/movers',
    },
  },
  searches_found_nothing: {
    id: 'searches_found_nothing',
    action: 'Stock it, or add a synonym',
    finding: 'Searched for, found nothing',
    sentence: (k) =>
      `A named search term that found nothing at least K = ${k} times, in ${percent(T.zeroResultShare)} of its searches or more.`,
    impactOf: 'searches',
    estimate: 'searches found nothing',
    report: {
      view: '/products',
      anchor: 'zero-results',
      label: 'Products: searches that found nothing',
      api: '/api/v1/searches/zero-results',
    },
  },
  slot_low_click_rate: {
    id: 'slot_low_click_rate',
    action: 'Move or replace what is there',
    finding: 'Clicked far less than the page’s other positions',
    sentence: () =>
      `A slot position whose click rate (its clicks ÷ page views of its page type, since Kanon counts no slot impressions) is under ${times(T.slotRate)} the median of the page type's other named positions (${T.slotPeers} at least).`,
    impactOf: 'slot clicks',
    estimate: "more clicks at the median of the page's other positions",
    report: {
      view: '/layout',
      anchor: 'slot-table',
      label: 'Page layout: clicks by slot and position',
      api: '/api/v1/slots',
    },
  },
  promotion_low_click_through: {
    id: 'promotion_low_click_through',
    action: 'Rework the promotion or give its place to another',
    finding: 'Seen often, rarely clicked',
    sentence: () =>
      `A named promotion in the busier half by impressions whose click-through (clicks ÷ impressions) is under ${times(T.promotionClickThrough)} the site's.`,
    impactOf: 'promotion clicks',
    estimate: "more clicks at the site's click-through",
    report: { view: '/promotions', anchor: 'promotions', label: 'Promotions', api: '/api/v1/promotions' },
  },
  campaign_low_value: {
    id: 'campaign_low_value',
    action: 'Check its landing page and offer, or spend less on it',
    finding: 'Revenue per visit far below the site’s',
    sentence: (k) =>
      `A named campaign with at least K = ${k} visits whose revenue per visit is under ${times(T.campaignLow)} the site's (all visits of the same days, from a campaign or not).`,
    impactOf: 'revenue',
    estimate: "less revenue than its visits would bring at the site's revenue per visit",
    report: { view: '/promotions', anchor: 'campaigns', label: 'Campaigns', api: '/api/v1/campaigns' },
  },
  campaign_high_value: {
    id: 'campaign_high_value',
    action: 'Give it more budget',
    finding: 'Revenue per visit far above the site’s',
    sentence: (k) =>
      `A named campaign with at least K = ${k} orders whose revenue per visit is ${times(T.campaignHigh)} the site's or more (all visits of the same days, from a campaign or not).`,
    impactOf: 'revenue',
    estimate: "more revenue than its visits would bring at the site's revenue per visit",
    report: { view: '/promotions', anchor: 'campaigns', label: 'Campaigns', api: '/api/v1/campaigns' },
  },
};

/** A figure behind a card, as a table column would show it. */
export interface Figure {
  label: string;
  value: number | null;
  kind: ColumnKind;
}

/**
 * A rule that fired for one subject. `impact` is what is at stake, estimated from released
 * figures in the rule's own unit (units sold, clicks, searches, revenue in cents), and `share`
 * that estimate over the shop's total of the unit, which makes rules of different units rankable.
 */
export interface Finding {
  rule: RuleId;
  /** The subject's key among the figures the rule was given. */
  key: string;
  figures: Figure[];
  impact: { estimate: number; kind: 'count' | 'money'; share: number };
  /** Visitor-days of the subject's released rows (each ≥ K). */
  visitors: number;
}
