import { rate } from '../presenters/table.js';
import { type Figure, type Finding, RULE_IDS, type RuleId, THRESHOLDS as T } from './rules.js';

/**
 * The rules of rules.ts applied to released figures: pure functions from the rows of one report
 * (summed over the range's released days) to findings. Benchmarks (the shop's conversion, the
 * site's click-through) are sums over every row of the report, "Other" rows included; subjects are
 * named rows only (level 0) of at least K visitors.
 */
interface Subject {
  key: string;
  level: number;
  visitors: number;
}
type Row = Pick<Subject, 'level' | 'visitors'>;

const sum = <T>(rows: readonly T[], value: (row: T) => number) =>
  rows.reduce((total, row) => total + value(row), 0);
const isNamed = (k: number) => (row: Row) => row.level === 0 && row.visitors >= k;
const share = (estimate: number, total: number) => (total > 0 ? estimate / total : 0);

/** The first half (rounded up) of `rows` by `value`, largest first. */
function busierHalf<T>(rows: readonly T[], value: (row: T) => number): Set<T> {
  const sorted = [...rows].sort((a, b) => value(b) - value(a));
  return new Set(sorted.slice(0, Math.ceil(sorted.length / 2)));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const count = (label: string, value: number | null): Figure => ({ label, value, kind: 'count' });
const ratio = (label: string, value: number | null): Figure => ({ label, value, kind: 'rate' });
const money = (label: string, value: number | null): Figure => ({ label, value, kind: 'money' });

export interface ProductInput extends Subject {
  views: number;
  purchased: number;
  /** The same product's row in the previous period, or null (none published, or not compared). */
  previous: { views: number; visitors: number } | null;
}

/**
 * Viewed often, rarely bought: named products in the busier half by views converting at under
 * half the shop's rate. The products page's list (get-unbought-products.ts) is this selection.
 */
export function selectViewedNotBought<P extends Row & { views: number; purchased: number }>(
  products: readonly P[],
  k: number,
): { shopConversion: number | null; rows: P[] } {
  const shopConversion = rate(
    sum(products, (product) => product.purchased),
    sum(products, (product) => product.views),
  );
  const named = products.filter(isNamed(k));
  const busy = busierHalf(named, (product) => product.views);
  const rows = named.filter(
    (product) =>
      busy.has(product) &&
      shopConversion !== null &&
      product.views >= k &&
      (rate(product.purchased, product.views) ?? 0) < shopConversion * T.unboughtConversion,
  );
  return { shopConversion, rows };
}

/**
 * Products: viewed often and rarely bought, converting well and rarely seen, and (when the
 * previous period is compared) rising and falling. `previousViews` is the shop's product views in
 * the previous period, what a fall is a share of.
 */
export function productFindings(
  products: readonly ProductInput[],
  options: { k: number; compared: boolean; previousViews: number },
): Finding[] {
  const { k } = options;
  const views = sum(products, (product) => product.views);
  const units = sum(products, (product) => product.purchased);
  const { shopConversion: shop, rows: unbought } = selectViewedNotBought(products, k);
  const named = products.filter(isNamed(k));
  const busy = busierHalf(named, (product) => product.views);
  const medianViews = named.length > 0 ? median(named.map((product) => product.views)) : 0;
  const findings: Finding[] = [];
  const add = (rule: RuleId, product: ProductInput, figures: Figure[], estimate: number, of: number) =>
    findings.push({
      rule,
      key: product.key,
      figures,
      impact: { estimate, kind: 'count', share: share(estimate, of) },
      visitors: product.visitors,
    });
  const sales = (product: ProductInput) => [
    count('Views', product.views),
    count('Units sold', product.purchased),
    ratio('Conversion', rate(product.purchased, product.views)),
    ratio('Shop conversion', shop),
  ];
  for (const product of unbought) {
    const missed = Math.max(0, Math.round(product.views * (shop ?? 0)) - product.purchased);
    add('viewed_not_bought', product, sales(product), missed, units);
  }
  for (const product of named) {
    const conversion = rate(product.purchased, product.views) ?? 0;
    if (
      shop !== null &&
      !busy.has(product) &&
      product.purchased >= k &&
      conversion >= shop * T.unseenConversion
    ) {
      // What giving it an average product's place would add: the median product's views, at its
      // rate rather than the shop's (the views it already has are not counted again).
      const more = Math.round(Math.max(0, medianViews - product.views) * (conversion - shop));
      add('converts_unseen', product, sales(product), more, units);
    }
    const before = product.previous;
    if (!options.compared || !before || before.visitors < k || before.views <= 0) continue;
    const delta = product.views - before.views;
    const change = delta / before.views;
    const moved = [count('Views', product.views), count('Previous views', before.views)];
    const figures = [...moved, { label: 'Change', value: change, kind: 'change' as const }];
    if (change >= T.rising && delta >= k) add('rising', product, figures, delta, views);
    if (change <= -T.falling && -delta >= k) add('falling', product, figures, -delta, options.previousViews);
  }
  return findings;
}

export interface SearchInput extends Subject {
  searches: number;
  zeroResults: number;
}

/** Search terms that found nothing, by demand. */
export function searchFindings(terms: readonly SearchInput[], k: number): Finding[] {
  const searches = sum(terms, (term) => term.searches);
  return terms
    .filter(isNamed(k))
    .filter(
      (term) => term.zeroResults >= k && (rate(term.zeroResults, term.searches) ?? 0) >= T.zeroResultShare,
    )
    .map((term) => ({
      rule: 'searches_found_nothing',
      key: term.key,
      figures: [
        count('Searches', term.searches),
        count('Found nothing', term.zeroResults),
        ratio('Share found nothing', rate(term.zeroResults, term.searches)),
      ],
      impact: { estimate: term.zeroResults, kind: 'count', share: share(term.zeroResults, searches) },
      visitors: term.visitors,
    }));
}

export interface SlotInput extends Subject {
  pageType: string;
  clicks: number;
}

/**
 * Slot positions clicked far less than the other positions of their page type. The click rate is
 * clicks ÷ page views of the page type (the pages report): Kanon counts clicks on slots, not how
 * often a slot was shown, so the page views are the only denominator there is, and the same for
 * every position of a page type.
 */
export function slotFindings(
  positions: readonly SlotInput[],
  pageViews: ReadonlyMap<string, number>,
  k: number,
): Finding[] {
  const clicks = sum(positions, (position) => position.clicks);
  const named = positions.filter(isNamed(k));
  const findings: Finding[] = [];
  for (const position of named) {
    const views = pageViews.get(position.pageType) ?? 0;
    const peers = named.filter((peer) => peer.pageType === position.pageType && peer.key !== position.key);
    if (views < k || peers.length < T.slotPeers) continue;
    const peerRate = median(peers.map((peer) => peer.clicks / views));
    const clickRate = position.clicks / views;
    if (clickRate >= peerRate * T.slotRate) continue;
    const missed = Math.round(views * peerRate) - position.clicks;
    findings.push({
      rule: 'slot_low_click_rate',
      key: position.key,
      figures: [
        count('Clicks', position.clicks),
        count(`Page views of ${position.pageType} pages`, views),
        ratio('Click rate', clickRate),
        ratio('Median of the other positions', peerRate),
      ],
      impact: { estimate: missed, kind: 'count', share: share(missed, clicks) },
      visitors: position.visitors,
    });
  }
  return findings;
}

export interface PromotionInput extends Subject {
  impressions: number;
  clicks: number;
}

/** Promotions seen often and rarely clicked. */
export function promotionFindings(promotions: readonly PromotionInput[], k: number): Finding[] {
  const clicks = sum(promotions, (promotion) => promotion.clicks);
  const site = rate(
    clicks,
    sum(promotions, (promotion) => promotion.impressions),
  );
  const named = promotions.filter(isNamed(k));
  const busy = busierHalf(named, (promotion) => promotion.impressions);
  if (site === null) return [];
  return named
    .filter(
      (promotion) =>
        busy.has(promotion) &&
        promotion.impressions >= k &&
        (rate(promotion.clicks, promotion.impressions) ?? 0) < site * T.promotionClickThrough,
    )
    .map((promotion) => {
      const missed = Math.round(promotion.impressions * site) - promotion.clicks;
      return {
        rule: 'promotion_low_click_through',
        key: promotion.key,
        figures: [
          count('Impressions', promotion.impressions),
          count('Clicks', promotion.clicks),
          ratio('Click-through', rate(promotion.clicks, promotion.impressions)),
          ratio('Site click-through', site),
        ],
        impact: { estimate: missed, kind: 'count', share: share(missed, clicks) },
        visitors: promotion.visitors,
      };
    });
}

export interface CampaignInput extends Subject {
  /** The campaigns report's row of visits no campaign brought: part of the site, never a subject. */
  noCampaign: boolean;
  visits: number;
  orders: number;
  /** Minor units (cents). */
  revenue: number;
}

/** Campaigns whose revenue per visit is far from the site's, either way. */
export function campaignFindings(campaigns: readonly CampaignInput[], k: number): Finding[] {
  const revenue = sum(campaigns, (campaign) => campaign.revenue);
  const site = rate(
    revenue,
    sum(campaigns, (campaign) => campaign.visits),
  );
  if (site === null) return [];
  const findings: Finding[] = [];
  for (const campaign of campaigns.filter(isNamed(k))) {
    const perVisit = rate(campaign.revenue, campaign.visits);
    if (campaign.noCampaign || perVisit === null) continue;
    const expected = Math.round(campaign.visits * site);
    const low = campaign.visits >= k && perVisit < site * T.campaignLow;
    const high = campaign.orders >= k && perVisit >= site * T.campaignHigh;
    if (!low && !high) continue;
    const gap = Math.abs(campaign.revenue - expected);
    findings.push({
      rule: low ? 'campaign_low_value' : 'campaign_high_value',
      key: campaign.key,
      figures: [
        count('Visits', campaign.visits),
        count('Orders', campaign.orders),
        money('Revenue', campaign.revenue),
        money('Revenue per visit', perVisit),
        money('Site revenue per visit', site),
      ],
      impact: { estimate: gap, kind: 'money', share: share(gap, revenue) },
      visitors: campaign.visitors,
    });
  }
  return findings;
}

/**
 * The cards in order of impact: at most THRESHOLDS.perRule of each rule (its largest), then all by
 * their share of what is at stake, the rules' own order breaking ties.
 */
export function rankFindings(findings: readonly Finding[]): Finding[] {
  const order = (finding: Finding) => RULE_IDS.indexOf(finding.rule);
  const byImpact = (a: Finding, b: Finding) => b.impact.share - a.impact.share || order(a) - order(b);
  const kept = RULE_IDS.flatMap((rule) =>
    findings
      .filter((finding) => finding.rule === rule)
      .sort(byImpact)
      .slice(0, T.perRule),
  );
  return kept.sort(byImpact);
}
