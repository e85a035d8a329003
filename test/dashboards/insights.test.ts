import { describe, expect } from 'vitest';
import { DAY_SECONDS, toClickHouseDate, toClickHouseDateTime } from '../../core/time.js';
import { THRESHOLDS } from '../../dashboards/insights/rules.js';
import { OTHER } from '../../schema/reports.js';
import { publishedTable } from '../../schema/tables.js';
import { type DashboardsHarness, dashboardsTest, K, SITE } from './fixtures/dashboards-app.js';

/**
 * The insights against the released test data (fixtures/published-data.ts): every rule fires on the
 * fixture's figures, none fires on a previous period without full coverage, and none on a row of
 * fewer than K visitors or on an "Other" row, which the last test plants into the published tables.
 */
interface Card {
  rule: string;
  action: string;
  finding: string;
  subject: string;
  product: Record<string, string | null> | null;
  figures: { label: string; value: number | null; kind: string }[];
  sentence: string;
  impact: { estimate: number; kind: string; share: number; label: string; text: string };
  visitors: number;
  report: { view: string; anchor: string; label: string; api: string; pageType?: string };
}
interface Insights {
  k: number;
  comparison: { compared: boolean; text: string } | null;
  released: { days: string[]; pending: string[] };
  cards: Card[];
  rules: { rule: string; status: string; found: number; sentence: string }[];
  table: { columns: { key: string }[]; rows: Record<string, unknown>[] };
}

const test = dashboardsTest;
const day = (dash: DashboardsHarness, offset: number) =>
  toClickHouseDate(Date.parse(`${dash.data.today}T00:00:00Z`) / 1000 + offset * DAY_SECONDS);
const path = (from: string, to: string, extra = '') =>
  `/api/v1/insights?site=${SITE}&from=${from}&to=${to}${extra}`;
const status = (body: Insights, rule: string) => body.rules.find((item) => item.rule === rule)!;
const subjects = (body: Insights, rule: string) =>
  body.cards.filter((card) => card.rule === rule).map((card) => card.subject);

describe('insights', () => {
  test('every rule but the slots fires on the last 7 days, compared with a fully released previous period', async ({
    dash,
    analyst,
  }) => {
    const body = await analyst.json<Insights>(path(day(dash, -6), dash.data.today));
    expect(body.comparison?.compared).toBe(true);
    expect(subjects(body, 'viewed_not_bought')).toEqual(['gooseneck-kettle']);
    expect(subjects(body, 'converts_unseen')).toEqual(['cold-brew-kit']);
    expect(subjects(body, 'rising')).toEqual(['v60-dripper']);
    expect(subjects(body, 'falling')).toEqual(['mandheling-250g']);
    expect(subjects(body, 'searches_found_nothing')).toEqual(['oat milk', 'matcha', 'chemex']);
    expect(subjects(body, 'promotion_low_click_through')).toEqual(['free-shipping']);
    expect(subjects(body, 'campaign_high_value')).toEqual([expect.stringContaining('vip-preview')]);
    expect(subjects(body, 'campaign_low_value')).toHaveLength(3);
    for (const rule of ['rising', 'falling', 'campaign_low_value', 'converts_unseen'])
      expect(status(body, rule).status).toBe('fired');
    expect(status(body, 'slot_low_click_rate').status).toBe('quiet');

    // Ranked by impact; each card names its action, its figures, its rule and its report.
    const shares = body.cards.map((card) => card.impact.share);
    expect(shares).toEqual([...shares].sort((a, b) => b - a));
    for (const card of body.cards) {
      expect(card.action).not.toBe('');
      expect(card.figures.length).toBeGreaterThanOrEqual(3);
      expect(card.sentence).toMatch(/\.$/);
      expect(card.report.view).toMatch(/^\/[a-z]+$/);
      expect(card.visitors).toBeGreaterThanOrEqual(K);
    }
    const kettle = body.cards.find((card) => card.rule === 'viewed_not_bought')!;
    expect(kettle.action).toBe('Fix the page or the price');
    expect(kettle.report).toMatchObject({ view: '/products', anchor: 'unbought' });
    expect(kettle.product?.product_id).toBe('gooseneck-kettle');
    expect(kettle.sentence).toContain('under half the shop');
    expect(status(body, 'searches_found_nothing').sentence).toContain(`K = ${K}`);
    // The CSV table holds the same cards.
    expect(body.table.rows.map((row) => row.subject)).toEqual(body.cards.map((card) => card.subject));
  });

  test('a rising product rose by at least the threshold, and the card shows the figures it rests on', async ({
    dash,
    analyst,
  }) => {
    const body = await analyst.json<Insights>(path(day(dash, -6), dash.data.today));
    for (const card of body.cards.filter((item) => ['rising', 'falling'].includes(item.rule))) {
      const views = card.figures.find((figure) => figure.label === 'Views')!.value!;
      const before = card.figures.find((figure) => figure.label === 'Previous views')!.value!;
      const change = (views - before) / before;
      if (card.rule === 'rising') expect(change).toBeGreaterThanOrEqual(THRESHOLDS.rising);
      else expect(change).toBeLessThanOrEqual(-THRESHOLDS.falling);
      expect(Math.abs(views - before)).toBeGreaterThanOrEqual(K);
    }
  });

  test('the products page lists the same products as "Fix the page or the price"', async ({
    dash,
    analyst,
  }) => {
    const [insights, unbought] = await Promise.all([
      analyst.json<Insights>(path(day(dash, -6), dash.data.today)),
      analyst.json<Insights>(
        `/api/v1/products/unbought?site=${SITE}&from=${day(dash, -6)}&to=${dash.data.today}`,
      ),
    ]);
    expect(unbought.table.rows.map((row) => row.product_id)).toEqual(
      insights.cards
        .filter((card) => card.rule === 'viewed_not_bought')
        .map((card) => card.product?.product_id),
    );
  });

  test('rising and falling do not fire against a previous period released for 1 of its 28 days, and say so', async ({
    dash,
    analyst,
  }) => {
    const body = await analyst.json<Insights>(path(day(dash, -29), day(dash, -2)));
    expect(body.comparison).toMatchObject({ compared: false });
    expect(body.comparison?.text).toMatch(/only 1 of its 28 days/);
    expect(status(body, 'rising')).toMatchObject({ status: 'not_compared', found: 0 });
    expect(status(body, 'falling')).toMatchObject({ status: 'not_compared', found: 0 });
    expect(body.cards.filter((card) => ['rising', 'falling'].includes(card.rule))).toEqual([]);
    // The rules that compare nothing still fire, the slots' among them.
    expect(subjects(body, 'slot_low_click_rate')).toEqual(['grid #6 on category pages']);
    const slot = body.cards.find((card) => card.rule === 'slot_low_click_rate')!;
    expect(slot.report).toMatchObject({ view: '/layout', anchor: 'slot-table', pageType: 'category' });
    expect(status(body, 'converts_unseen').status).toBe('fired');
  });

  test('rising and falling do not fire when comparison is turned off', async ({ dash, analyst }) => {
    const body = await analyst.json<Insights>(path(day(dash, -6), dash.data.today, '&compare=none'));
    expect(status(body, 'rising').status).toBe('not_compared');
    expect(status(body, 'falling').status).toBe('not_compared');
    expect(body.cards.some((card) => card.rule === 'rising' || card.rule === 'falling')).toBe(false);
  });

  test('a range with no released day yet waits for it instead of reporting quiet rules', async ({
    dash,
    analyst,
  }) => {
    const body = await analyst.json<Insights>(path(dash.data.today, dash.data.today));
    expect(body.released.days).toEqual([]);
    expect(body.cards).toEqual([]);
    expect(new Set(body.rules.map((rule) => rule.status))).toEqual(new Set(['waiting']));
  });

  test('no card rests on an "Other" row or a row of fewer than K visitors; the same figures named fire', async ({
    dash,
    analyst,
  }) => {
    // Planted into two released days no other test reads: a product and a search term that would
    // fire on their figures, as an "Other" row, as a named row of K − 1 visitors, and named with K.
    const at = day(dash, -5);
    const period = {
      site: SITE,
      day: at,
      released_at: toClickHouseDateTime(Date.parse(`${day(dash, -4)}T00:01:00Z`) / 1000),
    };
    const product = (product_id: string, level: number, visitors: number) => ({
      ...period,
      product_id,
      category: 'planted-category',
      level,
      views: 8,
      add_to_carts: 7,
      cart_units: 7,
      removes: 0,
      checkout_units: 7,
      purchased_units: 7,
      item_revenue_cents: 7 * 2900,
      visitors,
    });
    const search = (query: string, level: number, visitors: number) => ({
      ...period,
      query,
      level,
      searches: 400,
      zero_results: 400,
      visitors,
    });
    await dash.warehouse.insert(
      publishedTable('products', 'day'),
      [product(OTHER, 1, 50), product('planted-few', 0, K - 1), product('planted-named', 0, K)],
      { dedupToken: 'insights-test:products' },
    );
    await dash.warehouse.insert(
      publishedTable('searches', 'day'),
      [search(OTHER, 1, 50), search('planted few', 0, K - 1), search('planted named', 0, K)],
      { dedupToken: 'insights-test:searches' },
    );

    const body = await analyst.json<Insights>(path(at, day(dash, -4)));
    const unseen = body.cards.filter((card) => card.rule === 'converts_unseen');
    expect(unseen.map((card) => card.product?.product_id)).toContain('planted-named');
    expect(subjects(body, 'searches_found_nothing')).toContain('planted named');
    const planted = body.cards.filter((card) =>
      /planted[- ]few|other/i.test(`${card.subject} ${card.product?.product_id ?? ''}`),
    );
    expect(planted).toEqual([]);
    for (const card of body.cards) expect(card.visitors).toBeGreaterThanOrEqual(K);
  });
});
