import {
  type Catalogue,
  inCategory,
  type Link,
  type Product,
  relatedTo,
  searchCatalogue,
} from './catalogue.js';
import { click, openPage, type PageVisit, type VisitContext } from './page-visit.js';
import type { Place } from './places.js';
import type { Random } from './random.js';
import { SEARCH_TERMS } from './search-terms.js';
import type { Arrival } from './sources.js';

/**
 * A shopper's visit: from the landing page, one decision per page (leave, click a slot item, a
 * promotion, the navigation, search, the cart...) until they leave. The funnel narrows by itself:
 * some product views add to the cart, some carts are edited or abandoned, some checkouts are paid.
 * Slot clicks fall off with position, and more popular products draw more of them.
 */
export function browse(ctx: VisitContext, arrival: Arrival, start: number, maxPages = 24): PageVisit[] {
  let page = openPage(ctx, arrival.place, start, arrival.referrer, arrival.params);
  const pages = [page];
  while (pages.length < maxPages) {
    const next = decide(ctx, page, pages.length === 1);
    if (!next) break;
    page = openPage(ctx, next, page.leaves + ctx.random.int(300, 1500), page.url);
    pages.push(page);
  }
  return pages;
}

type Choice = readonly [weight: number, act: () => Place | undefined];

const choose = (random: Random, choices: readonly Choice[]) =>
  random.weighted(choices, ([weight]) => weight)[1]();

const placeOf = (link: Link): Place =>
  link.kind === 'category'
    ? { kind: 'category', category: link.category }
    : { kind: 'product', product: link.product };

const POSITION_DECAY = [1, 0.62, 0.42, 0.3, 0.22, 0.17, 0.13, 0.1];

/** Clicks an item of a slot: position by decay times popularity; records the slot_click. */
function clickItem(
  ctx: VisitContext,
  page: PageVisit,
  slot: string,
  items: readonly Product[],
): Place | undefined {
  if (items.length === 0) return undefined;
  const rank = (product: Product) => ctx.catalogue.byPopularity.indexOf(product) + 1;
  const index = ctx.random.weightedIndex(
    items.map((item, i) => (POSITION_DECAY[i] ?? 0.08) / rank(item) ** 0.5),
  );
  const product = items[index] as Product;
  click(page, { type: 'slot_click', slot, position: index + 1 });
  return { kind: 'product', product };
}

function searchTerm(random: Random, not?: string): string {
  for (;;) {
    const term = random.zipf(SEARCH_TERMS, 0.9);
    if (term !== not) return term;
  }
}

function addToCart(ctx: VisitContext, page: PageVisit, product: Product, quantity: number, at: number): void {
  const { id, category, price } = product;
  page.events.push({ at, event: { type: 'add_to_cart', product: { id, category, price }, quantity } });
  ctx.cart.set(id, Math.min(99, (ctx.cart.get(id) ?? 0) + quantity));
}

const category = (catalogue: Catalogue, random: Random, not?: string): Place => ({
  kind: 'category',
  category: random.zipf(catalogue.categories.filter((c) => c !== not)),
});

function decide(ctx: VisitContext, page: PageVisit, landing: boolean): Place | undefined {
  const { random, catalogue, cart } = ctx;
  const place = page.place;
  const midPage = page.at + Math.round((page.leaves - page.at) * 0.6);
  const toCart = cart.size > 0 ? 8 : 0;
  const search = (): Place => ({ kind: 'search', query: searchTerm(random) });
  switch (place.kind) {
    case 'home': {
      if (random.chance(landing ? 0.3 : 0.2)) return undefined;
      return choose(random, [
        [
          22,
          () => {
            const index = random.weightedIndex([0.6, 0.25, 0.15]);
            click(page, { type: 'slot_click', slot: 'hero', position: index + 1 });
            return placeOf(catalogue.hero[index] ?? catalogue.hero[0]!);
          },
        ],
        [20, () => clickItem(ctx, page, 'recommendations', catalogue.recommendations)],
        [
          page.promoSeen ? 18 : 0,
          () => {
            const promotion = random.pick(catalogue.promotions);
            click(page, { type: 'promo_click', promo: promotion.id, slot: promotion.slot });
            click(page, { type: 'slot_click', slot: promotion.slot, position: 1 }, 249);
            return placeOf(promotion.target);
          },
        ],
        [24, () => category(catalogue, random)],
        [14, search],
        [toCart, () => ({ kind: 'cart' })],
      ]);
    }
    case 'category': {
      if (random.chance(landing ? 0.35 : 0.22)) return undefined;
      const grid = inCategory(catalogue, place.category);
      return choose(random, [
        [62, () => clickItem(ctx, page, 'category-grid', grid)],
        [
          7,
          () => {
            // "Add to cart" on a card: a click in the grid, then off to the cart, or away.
            const next = clickItem(ctx, page, 'category-grid', grid);
            if (next?.kind === 'product') addToCart(ctx, page, next.product, 1, page.leaves - 250);
            return random.chance(0.6) ? { kind: 'cart' } : undefined;
          },
        ],
        [10, () => category(catalogue, random, place.category)],
        [8, search],
        [4, () => ({ kind: 'home' })],
        [toCart, () => ({ kind: 'cart' })],
      ]);
    }
    case 'product': {
      if (random.chance(0.2)) {
        addToCart(ctx, page, place.product, random.weightedIndex([80, 14, 6]) + 1, midPage);
        const roll = random.next();
        if (roll < 0.5) return { kind: 'cart' };
        if (roll < 0.8)
          return random.chance(0.5)
            ? clickItem(ctx, page, 'related', relatedTo(catalogue, place.product))
            : category(catalogue, random);
        return undefined;
      }
      if (random.chance(landing ? 0.4 : 0.28)) return undefined;
      return choose(random, [
        [24, () => clickItem(ctx, page, 'related', relatedTo(catalogue, place.product))],
        [26, () => ({ kind: 'category', category: place.product.category })],
        [8, search],
        [5, () => ({ kind: 'home' })],
        [toCart + 2, () => (cart.size > 0 ? { kind: 'cart' } : undefined)],
      ]);
    }
    case 'search': {
      const found = page.results > 0;
      if (random.chance(found ? 0.25 : 0.35)) return undefined;
      return choose(random, [
        [
          found ? 60 : 0,
          () => clickItem(ctx, page, 'search-results', searchCatalogue(catalogue, place.query)),
        ],
        [found ? 14 : 45, () => ({ kind: 'search', query: searchTerm(random, place.query) })],
        [found ? 10 : 30, () => category(catalogue, random)],
        [found ? 4 : 10, () => ({ kind: 'home' })],
      ]);
    }
    case 'cart': {
      if (cart.size === 0) return random.chance(0.4) ? { kind: 'home' } : undefined;
      if (random.chance(0.25)) {
        const id = random.pick([...cart.keys()]);
        const product = catalogue.products.find((p) => p.id === id)!;
        const quantity = cart.get(id) ?? 1;
        // The − stepper takes one off; "Remove" takes the whole line.
        const removed = quantity > 1 && random.chance(0.5) ? 1 : quantity;
        const { category: c, price } = product;
        page.events.push({
          at: midPage,
          event: { type: 'remove_from_cart', product: { id, category: c, price }, quantity: removed },
        });
        if (removed === quantity) cart.delete(id);
        else cart.set(id, quantity - removed);
        if (cart.size === 0) return random.chance(0.4) ? { kind: 'home' } : undefined;
      } else if (random.chance(0.06)) {
        const id = random.pick([...cart.keys()]);
        addToCart(ctx, page, catalogue.products.find((p) => p.id === id)!, 1, midPage);
      }
      return choose(random, [
        [62, () => ({ kind: 'checkout' })],
        [17, () => category(catalogue, random)],
        [20, () => undefined],
      ]);
    }
    case 'checkout':
      if (cart.size === 0) return undefined;
      return choose(random, [
        [70, () => ({ kind: 'thanks' })],
        [9, () => ({ kind: 'cart' })],
        [22, () => undefined],
      ]);
    case 'thanks':
      // The order is placed; the shop empties the cart.
      cart.clear();
      return random.chance(0.15) ? { kind: 'home' } : undefined;
  }
}
