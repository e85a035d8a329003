import { describe, expect, it } from 'vitest';
import { type Catalogue, loadCatalogue, searchCatalogue } from '../../demo/simulator/catalogue.js';
import { BACKFILL_HEADER, headersFor } from '../../demo/simulator/headers.js';
import { MAX_EVENTS_PER_BODY } from '../../demo/simulator/requests.js';
import { SEARCH_TERMS } from '../../demo/simulator/search-terms.js';
import { DAY_MS, startOfUtcDay } from '../../demo/simulator/timeline.js';
import { planTraffic, requestsOfDay, type TrafficOptions } from '../../demo/simulator/traffic.js';
import { BeaconBatch, BeaconEvent } from '../../schema/event.js';

/** The generated traffic, without a collector: well-formed, ordered, deterministic, and varied. */
const NOW = Date.UTC(2026, 2, 18, 15, 30);
const ORIGIN = 'https://shop.example';
const options: TrafficOptions = {
  site: 'shop',
  origin: ORIGIN,
  visitors: 400,
  pastDays: 3,
  seed: 11,
  now: NOW,
};

function generate(catalogue: Catalogue, overrides: Partial<TrafficOptions> = {}) {
  const plan = planTraffic({ ...options, ...overrides }, catalogue);
  return plan.days.map((day) => ({ day, requests: requestsOfDay(plan, day) }));
}

const wire = (generated: ReturnType<typeof generate>) =>
  generated.flatMap(({ requests }) =>
    requests.map((request) => ({
      headers: headersFor(request.visitor, ORIGIN, 'https://c.example'),
      body: request.body,
    })),
  );

describe('simulated traffic', async () => {
  const catalogue = await loadCatalogue();
  const generated = generate(catalogue);
  const events = generated.flatMap(({ day, requests }) =>
    requests.flatMap((request) =>
      (JSON.parse(request.body) as { events: Record<string, unknown>[] }).events.map((event) => ({
        day,
        event,
      })),
    ),
  );

  it('sends bodies that the collector schema accepts, ten events at most each', () => {
    for (const { requests } of generated) {
      for (const request of requests) {
        const body: unknown = JSON.parse(request.body);
        const batch = BeaconBatch.parse(body);
        expect(batch.site).toBe('shop');
        expect(batch.events.length).toBeLessThanOrEqual(MAX_EVENTS_PER_BODY);
        expect(batch.events.length).toBe(request.events);
        for (const event of batch.events) expect(BeaconEvent.safeParse(event).error).toBeUndefined();
      }
    }
  });

  it('dates past days within their UTC day, and leaves today to the collector clock', () => {
    const today = startOfUtcDay(NOW);
    for (const { day, event } of events) {
      if (day.today) expect(event.ts).toBeUndefined();
      else {
        expect(event.ts).toBeGreaterThanOrEqual(day.start);
        expect(event.ts).toBeLessThan(day.start + DAY_MS);
      }
    }
    expect(generated.map(({ day }) => day.start)).toEqual([3, 2, 1, 0].map((back) => today - back * DAY_MS));
  });

  it('orders each day by send time, oldest day first', () => {
    const times = generated.flatMap(({ requests }) => requests.map((request) => request.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('produces the same traffic for the same seed and different traffic for another', () => {
    expect(wire(generate(catalogue))).toEqual(wire(generated));
    expect(wire(generate(catalogue, { seed: 12 }))).not.toEqual(wire(generated));
  });

  it('covers every event type, every page type, zero-result searches and the whole funnel', () => {
    const types = new Set(events.map(({ event }) => event.type));
    expect([...types].sort()).toEqual([...BeaconEvent.options.map((o) => o.shape.type.value)].sort());
    const pageTypes = new Set(events.map(({ event }) => event.page_type));
    expect([...pageTypes].sort()).toEqual(['cart', 'category', 'checkout', 'home', 'product', 'search']);
    const searches = events.filter(({ event }) => event.type === 'search').map(({ event }) => event.results);
    expect(searches.some((results) => results === 0)).toBe(true);
    expect(searches.some((results) => Number(results) > 0)).toBe(true);
    const count = (type: string) => events.filter(({ event }) => event.type === type).length;
    expect(count('product_view')).toBeGreaterThan(count('add_to_cart'));
    expect(count('add_to_cart')).toBeGreaterThan(count('checkout'));
    expect(count('checkout')).toBeGreaterThan(count('purchase'));
    expect(count('purchase')).toBeGreaterThan(0);
  });

  it('makes the first slot position the most clicked, and popular products the most viewed', () => {
    const positions = new Map<unknown, number>();
    const products = new Map<string, number>();
    for (const { event } of events) {
      if (event.type === 'slot_click')
        positions.set(event.position, (positions.get(event.position) ?? 0) + 1);
      if (event.type === 'product_view') {
        const id = (event.product as { id: string }).id;
        products.set(id, (products.get(id) ?? 0) + 1);
      }
    }
    expect(positions.get(1)).toBeGreaterThan(positions.get(2) ?? 0);
    expect(positions.get(2)).toBeGreaterThan(positions.get(3) ?? 0);
    const top = catalogue.byPopularity[0]!.id;
    const last = catalogue.byPopularity[catalogue.byPopularity.length - 1]!.id;
    expect(products.get(top)).toBeGreaterThan(2 * (products.get(last) ?? 0));
  });

  it('lands campaigns with utm parameters and external visits with their referrer', () => {
    const landings = events.filter(
      ({ event }) => event.type === 'pageview' && !String(event.referrer).startsWith(ORIGIN),
    );
    const campaigns = new Set(
      landings.map(({ event }) => new URL(String(event.url)).searchParams.get('utm_campaign')),
    );
    for (const campaign of [
      'summer-sale',
      'cold-brew-reels',
      'coffee-beans',
      'brand',
      'spring-teas',
      'gear-guide',
    ]) {
      expect(campaigns).toContain(campaign);
    }
    const referrers = new Set(
      landings.map(({ event }) => event.referrer && new URL(String(event.referrer)).host),
    );
    for (const host of ['', 'www.google.de', 'l.instagram.com', 'brewing-guide.example'])
      expect(referrers).toContain(host);
  });

  it('sends the backfill token only with past days, and Sec-GPC only for opted-out visitors', () => {
    for (const { day, requests } of generated) {
      for (const request of requests.slice(0, 50)) {
        expect(request.backfill).toBe(!day.today);
        const headers = headersFor(request.visitor, ORIGIN, 'https://c.example');
        expect(headers[BACKFILL_HEADER]).toBeUndefined();
        expect(headers['sec-gpc'] === '1').toBe(request.sender === 'opted_out');
      }
    }
  });

  it('searches for terms the shop has and terms it has not', () => {
    const found = SEARCH_TERMS.filter((term) => searchCatalogue(catalogue, term).length > 0);
    expect(found.length).toBeGreaterThan(5);
    expect(SEARCH_TERMS.length - found.length).toBeGreaterThan(5);
  });
});
