import { openPage, type PageVisit, type VisitContext } from './page-visit.js';
import type { Place } from './places.js';

/**
 * A crawler's or a tool's visit: pages read one after the other, seconds apart, with what the
 * page's scripts send on load (pageview, product_view) and nothing a person does (no scrolling,
 * no clicks, no referrer).
 */
export function crawl(ctx: VisitContext, start: number, pageCount: number): PageVisit[] {
  const { random, catalogue } = ctx;
  const pages: PageVisit[] = [];
  let at = start;
  for (let i = 0; i < pageCount; i += 1) {
    const place: Place =
      i === 0
        ? { kind: 'home' }
        : random.chance(0.25)
          ? { kind: 'category', category: random.pick(catalogue.categories) }
          : { kind: 'product', product: random.pick(catalogue.products) };
    const page = openPage(ctx, place, at, '');
    page.events = page.events.filter(
      ({ event }) => event.type === 'pageview' || event.type === 'product_view',
    );
    pages.push(page);
    at += random.int(800, 4000);
  }
  return pages;
}
