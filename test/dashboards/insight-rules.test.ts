import { describe, expect, it } from 'vitest';
import {
  campaignFindings,
  type ProductInput,
  productFindings,
  promotionFindings,
  rankFindings,
  searchFindings,
  slotFindings,
} from '../../dashboards/insights/evaluate.js';
import { RULE_IDS, RULES, THRESHOLDS } from '../../dashboards/insights/rules.js';

/**
 * The rules' thresholds as a table: each rule fires just past its threshold and not just short of
 * it, and never on an "Other" row (level > 0) or a row of fewer than K visitors with the same figures.
 */
const K = 5;
const named = { level: 0, visitors: 50 };
const rules = (findings: { rule: string; key: string }[]) => findings.map((f) => `${f.rule}:${f.key}`);

function product(key: string, views: number, purchased: number, extra: Partial<ProductInput> = {}) {
  return { key, ...named, views, purchased, previous: null, ...extra };
}
/** A shop of four ordinary products converting at 10 %, plus the ones a test adds. */
const shop = (...more: ProductInput[]): ProductInput[] => [
  product('a', 1000, 100),
  product('b', 800, 80),
  product('c', 600, 60),
  product('d', 400, 40),
  ...more,
];
const options = { k: K, compared: true, previousViews: 3000 };

describe('insight rules', () => {
  it('fires "viewed often, rarely bought" under half the shop conversion, not at it', () => {
    expect(rules(productFindings(shop(product('x', 2000, 40)), options))).toContain('viewed_not_bought:x');
    expect(rules(productFindings(shop(product('x', 2000, 120)), options))).not.toContain(
      'viewed_not_bought:x',
    );
  });

  it('fires "converts well, rarely seen" from K units sold at twice the shop conversion', () => {
    expect(rules(productFindings(shop(product('x', 20, 5)), options))).toContain('converts_unseen:x');
    expect(rules(productFindings(shop(product('x', 16, 4)), options))).not.toContain('converts_unseen:x');
    expect(rules(productFindings(shop(product('x', 100, 15)), options))).not.toContain('converts_unseen:x');
  });

  it('fires rising and falling past their thresholds, by at least K views, only when compared', () => {
    const risen = product('x', 150, 15, { previous: { views: 100, visitors: 40 } });
    const fallen = product('y', 66, 7, { previous: { views: 100, visitors: 40 } });
    const flat = product('z', 149, 15, { previous: { views: 100, visitors: 40 } });
    const found = rules(productFindings(shop(risen, fallen, flat), options));
    expect(found).toEqual(expect.arrayContaining(['rising:x', 'falling:y']));
    expect(found).not.toContain('rising:z');
    expect(rules(productFindings(shop(risen, fallen), { ...options, compared: false }))).not.toEqual(
      expect.arrayContaining(['rising:x']),
    );
    // A previous row under K visitors is no baseline; a rise of fewer than K views is no rise.
    const thin = product('x', 150, 15, { previous: { views: 100, visitors: K - 1 } });
    const small = product('s', 6, 1, { previous: { views: 2, visitors: 40 } });
    expect(rules(productFindings(shop(thin, small), options))).not.toEqual(
      expect.arrayContaining(['rising:x']),
    );
    expect(rules(productFindings(shop(small), options))).not.toContain('rising:s');
  });

  it('fires on searches that found nothing at least K times in half their searches or more', () => {
    const term = (key: string, searches: number, zeroResults: number) => ({
      key,
      ...named,
      searches,
      zeroResults,
    });
    const found = rules(
      searchFindings([term('x', 10, 5), term('y', 11, 5), term('z', 4, 4), term('ok', 100, 0)], K),
    );
    expect(found).toEqual(['searches_found_nothing:x']);
  });

  it('fires on a slot position under half the median of its page type’s other positions', () => {
    const slot = (key: string, clicks: number) => ({ key, ...named, pageType: 'home', clicks });
    const views = new Map([['home', 1000]]);
    expect(rules(slotFindings([slot('1', 100), slot('2', 80), slot('3', 39)], views, K))).toEqual([
      'slot_low_click_rate:3',
    ]);
    expect(slotFindings([slot('1', 100), slot('2', 80), slot('3', 45)], views, K)).toEqual([]);
    // One other position is no median to compare with.
    expect(slotFindings([slot('1', 100), slot('3', 10)], views, K)).toEqual([]);
  });

  it('fires on a busy promotion clicked under half the site’s click-through', () => {
    const promo = (key: string, impressions: number, clicks: number) => ({
      key,
      ...named,
      impressions,
      clicks,
    });
    const found = rules(
      promotionFindings(
        [promo('x', 1000, 10), promo('y', 900, 100), promo('z', 100, 0), promo('w', 50, 5)],
        K,
      ),
    );
    expect(found).toEqual(['promotion_low_click_through:x']);
  });

  it('fires on campaigns far from the site’s revenue per visit, never on visits no campaign brought', () => {
    const campaign = (key: string, visits: number, orders: number, revenue: number, noCampaign = false) => ({
      key,
      ...named,
      noCampaign,
      visits,
      orders,
      revenue,
    });
    const found = rules(
      campaignFindings(
        [
          campaign('none', 1000, 50, 100_000, true),
          campaign('low', 200, 2, 8_000),
          campaign('high', 50, 5, 30_000),
          campaign('rich-few', 50, 4, 30_000),
          campaign('ok', 100, 5, 10_000),
        ],
        K,
      ),
    );
    expect(found).toEqual(['campaign_low_value:low', 'campaign_high_value:high']);
  });

  it('never fires on an "Other" row or on a row of fewer than K visitors', () => {
    const other = { level: 1, visitors: 500 };
    const few = { level: 0, visitors: K - 1 };
    for (const subject of [other, few]) {
      const x = { ...product('x', 2000, 40), ...subject };
      const y = { ...product('y', 20, 10), ...subject };
      expect(productFindings(shop(x, y), options).filter((f) => f.key !== 'd')).toEqual([]);
      expect(searchFindings([{ key: 'x', ...subject, searches: 100, zeroResults: 100 }], K)).toEqual([]);
    }
  });

  it('keeps at most three cards a rule, the largest, ranked by their share of what is at stake', () => {
    const terms = [10, 40, 30, 20].map((zeroResults, index) => ({
      key: `t${index}`,
      ...named,
      searches: zeroResults,
      zeroResults,
    }));
    const ranked = rankFindings(searchFindings(terms, K));
    expect(ranked.map((f) => f.key)).toEqual(['t1', 't2', 't3']);
    expect(THRESHOLDS.perRule).toBe(3);
  });

  it('states every rule in one sentence that names its threshold', () => {
    for (const id of RULE_IDS) {
      const sentence = RULES[id].sentence(K);
      expect(sentence.split(/\. /)).toHaveLength(1);
      expect(sentence).toMatch(/half|twice|a third|K = 5|%/);
    }
  });
});
