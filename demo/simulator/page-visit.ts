import type { BeaconEvent } from '../../schema/event.js';
import { type Catalogue, searchCatalogue } from './catalogue.js';
import type { Device } from './clients.js';
import { type Cart, cartItems, cartTotal, type Place, urlOf } from './places.js';
import type { Random } from './random.js';

/**
 * One page view as the tracker reports it: the pageview, what the page's own script sends on load
 * (product_view, search, checkout, purchase), scroll milestones and promotion impressions while
 * the shopper reads, and the clicks added by the session when the shopper moves on.
 */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event without the page fields the tracker adds to every event. */
export type PageEvent = DistributiveOmit<
  BeaconEvent,
  'url' | 'page_type' | 'viewport' | 'webdriver' | 'ts' | 'site'
>;

export interface TimedEvent {
  at: number;
  event: PageEvent;
}

export interface PageVisit {
  place: Place;
  url: string;
  at: number;
  /** When the shopper leaves (clicks happen just before). */
  leaves: number;
  events: TimedEvent[];
  /** Whether the page's promotion was seen (needed to click it). */
  promoSeen: boolean;
  results: number;
}

export interface VisitContext {
  random: Random;
  catalogue: Catalogue;
  origin: string;
  device: Device;
  cart: Cart;
}

/** Median seconds spent on each kind of page. */
const DWELL: Record<Place['kind'], number> = {
  home: 14,
  category: 22,
  product: 38,
  search: 16,
  cart: 25,
  checkout: 55,
  thanks: 12,
};

/** Chance of reaching 25, 50, 75 and 100 % of the page (desktop; phones scroll further). */
const SCROLL: Record<Place['kind'], readonly number[]> = {
  home: [0.85, 0.62, 0.42, 0.28],
  category: [0.8, 0.55, 0.35, 0.24],
  product: [0.78, 0.52, 0.3, 0.18],
  search: [0.6, 0.36, 0.22, 0.14],
  cart: [0.5, 0.3, 0.18, 0.12],
  checkout: [0.62, 0.45, 0.32, 0.25],
  thanks: [0.4, 0.22, 0.14, 0.1],
};
const DEPTHS = [25, 50, 75, 100] as const;

export function openPage(
  ctx: VisitContext,
  place: Place,
  at: number,
  referrer: string,
  landingParams?: Record<string, string>,
): PageVisit {
  const { random, catalogue, cart } = ctx;
  const url = urlOf(ctx.origin, place, catalogue, cart, landingParams);
  const events: TimedEvent[] = [{ at, event: { type: 'pageview', referrer } }];
  const onLoad = at + random.int(150, 900);
  let results = 0;
  if (place.kind === 'product') {
    const { id, category, price } = place.product;
    events.push({ at: onLoad, event: { type: 'product_view', product: { id, category, price } } });
  } else if (place.kind === 'search') {
    results = searchCatalogue(catalogue, place.query).length;
    events.push({ at: onLoad, event: { type: 'search', query: place.query, results } });
  } else if ((place.kind === 'checkout' || place.kind === 'thanks') && cart.size > 0) {
    const order = {
      value: cartTotal(catalogue, cart),
      currency: catalogue.currency,
      items: cartItems(catalogue, cart),
    };
    events.push({
      at: onLoad,
      event: { type: place.kind === 'checkout' ? 'checkout' : 'purchase', ...order },
    });
  }

  const dwellMs = Math.round(Math.min(600, Math.max(3, random.logNormal(DWELL[place.kind], 0.75))) * 1000);
  const leaves = at + dwellMs;
  // One draw decides how far the shopper scrolls; milestones come in order while reading.
  const roll = random.next();
  const boost = ctx.device === 'desktop' ? 1 : 1.15;
  const reached = DEPTHS.filter((_depth, i) => roll < Math.min(0.97, (SCROLL[place.kind][i] ?? 0) * boost));
  const reachedAt = (i: number) => at + Math.round(((i + 1) / (DEPTHS.length + 1)) * dwellMs * 0.9);
  for (const [i, depth] of reached.entries())
    events.push({ at: reachedAt(i), event: { type: 'scroll', depth } });

  // The home banner sits below the hero and the recommendations: phones must scroll further.
  let promoSeen = false;
  if (place.kind === 'home') {
    const needs = ctx.device === 'desktop' ? 1 : 2;
    for (const promotion of catalogue.promotions) {
      if (reached.length < needs) continue;
      promoSeen = true;
      events.push({
        at: reachedAt(needs - 1) + 200,
        event: { type: 'promo_view', promo: promotion.id, slot: promotion.slot },
      });
    }
  }
  events.sort((a, b) => a.at - b.at);
  return { place, url, at, leaves, events, promoSeen, results };
}

/** A click just before leaving the page (the tracker sends it with the page's last batch). */
export function click(page: PageVisit, event: PageEvent, beforeLeaving = 250): void {
  page.events.push({ at: Math.max(page.at + 1, page.leaves - beforeLeaving), event });
}
