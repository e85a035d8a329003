import type { AnonymousEvent, AnonymousItem, BeaconItem } from '../../schema/event.js';
import { invalidEvent } from '../errors.js';
import {
  type CanonicalPage,
  type CanonicalUrlOptions,
  normaliseSearchTerm,
  reduceReferrer,
  scrubId,
  scrubLabel,
} from '../scrub/index.js';
import type { ClientDescription } from './describe-client.js';
import type { ParsedBeaconEvent } from './parse-beacon.js';

/**
 * Step 5: builds the anonymous event from what survives: a scrubbed path without query string,
 * the referrer's host, allow-listed campaign keys, coarse client families, a country, the visitor
 * token and the commerce fields, each capped and scrubbed. Nothing else of the request is copied.
 */
/** The page URL's options (the caller canonicalises with them, through its cache) and the caps. */
export interface AnonymiseOptions extends CanonicalUrlOptions {
  /** Invariant 3 (sums): one order can move revenue by at most this many minor units. */
  maxOrderCents: number;
}

export interface RequestFacts {
  ts: number;
  visitor: string;
  client: ClientDescription;
  country: string;
  /** The event's canonical page (canonicalizePageUrl, or its cache); undefined for a bad URL. */
  page: Readonly<CanonicalPage> | undefined;
}

export function viewportClass(width: number | undefined): AnonymousEvent['viewport'] {
  if (width === undefined || width <= 0) return '';
  if (width < 576) return 'xs';
  if (width < 768) return 's';
  if (width < 992) return 'm';
  if (width < 1200) return 'l';
  return 'xl';
}

const toCents = (value: number, max: number) => Math.min(max, Math.max(0, Math.round(value * 100)));

function toItems(items: readonly BeaconItem[] | undefined, max: number): AnonymousItem[] {
  return (items ?? []).map(
    (item): AnonymousItem => ({
      product_id: scrubId(item.id, 64),
      category: item.category ? scrubLabel(item.category, 64) : '',
      price_cents: toCents(item.price ?? 0, max),
      quantity: item.quantity ?? 1,
    }),
  );
}

export function toAnonymousEvent(
  beacon: ParsedBeaconEvent,
  facts: RequestFacts,
  options: AnonymiseOptions,
  index: number,
): AnonymousEvent {
  const { page } = facts;
  if (!page) throw invalidEvent(`events[${index}].url`, 'must be an absolute http(s) URL');
  const event: AnonymousEvent = {
    ts: facts.ts,
    site: beacon.site,
    type: beacon.type,
    visitor: facts.visitor,
    path: page.path,
    page_type: beacon.page_type ?? '',
    referrer: reduceReferrer(beacon.referrer, page.host),
    utm_source: page.utm.source,
    utm_medium: page.utm.medium,
    utm_campaign: page.utm.campaign,
    device: facts.client.device,
    browser: facts.client.browser,
    os: facts.client.os,
    country: facts.country,
    viewport: viewportClass(beacon.viewport),
  };
  switch (beacon.type) {
    case 'product_view':
    case 'add_to_cart':
    case 'remove_from_cart':
      event.product_id = scrubId(beacon.product.id, 64);
      event.category = beacon.product.category ? scrubLabel(beacon.product.category, 64) : '';
      event.price_cents = toCents(beacon.product.price ?? 0, options.maxOrderCents);
      if (beacon.type !== 'product_view') event.quantity = beacon.quantity ?? 1;
      break;
    case 'checkout':
      event.value_cents = toCents(beacon.value ?? 0, options.maxOrderCents);
      if (beacon.currency) event.currency = beacon.currency.toUpperCase();
      event.items = toItems(beacon.items, options.maxOrderCents);
      break;
    case 'purchase':
      event.value_cents = toCents(beacon.value, options.maxOrderCents);
      event.currency = beacon.currency.toUpperCase();
      event.items = toItems(beacon.items, options.maxOrderCents);
      break;
    case 'search':
      event.query = normaliseSearchTerm(beacon.query || page.searchTerm || '');
      if (beacon.results !== undefined) event.results = beacon.results;
      break;
    case 'slot_click':
      event.slot = scrubLabel(beacon.slot, 64);
      event.position = beacon.position ?? 0;
      break;
    case 'promo_view':
    case 'promo_click':
      event.promo = scrubId(beacon.promo, 64);
      event.slot = beacon.slot ? scrubLabel(beacon.slot, 64) : '';
      break;
    case 'scroll':
      event.depth = beacon.depth;
      break;
    case 'pageview':
      break;
  }
  return event;
}
