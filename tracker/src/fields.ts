import type { BeaconEvent, PageType, SCROLL_DEPTHS, LIMITS as SchemaLimits } from '../../schema/event.js';

/**
 * The schema's limits, restated as plain constants: a type-only import keeps zod out of the
 * bundle, and the annotations make tsc fail if schema/event.ts changes a limit. Values are cut to
 * these limits here because the collector refuses a whole batch when one event is invalid.
 */
type Limit<K extends keyof typeof SchemaLimits> = (typeof SchemaLimits)[K];
export const MAX_URL: Limit<'url'> = 2048;
export const MAX_REFERRER: Limit<'referrer'> = 2048;
export const MAX_ID: Limit<'id'> = 64;
export const MAX_LABEL: Limit<'label'> = 64;
export const MAX_QUERY: Limit<'query'> = 200;
export const MAX_ITEMS: Limit<'items'> = 50;
export const MAX_PRICE: Limit<'maxPrice'> = 1_000_000_000;
export const MAX_QUANTITY: Limit<'maxQuantity'> = 10_000;
export const MAX_POSITION: Limit<'maxPosition'> = 1000;
export const MAX_RESULTS: Limit<'maxResults'> = 1_000_000;
export const DEPTHS: typeof SCROLL_DEPTHS = [25, 50, 75, 100];

type PageFieldName = 'site' | 'url' | 'referrer' | 'page_type' | 'viewport' | 'webdriver' | 'ts';
type Distribute<E> = E extends BeaconEvent ? Omit<E, PageFieldName> : never;

/** An event as a tracker module builds it; `emit` adds the page fields. Pageviews add a referrer. */
export type TrackerEvent = Distribute<BeaconEvent> | { type: 'pageview'; referrer: string };
export type Emit = (event: TrackerEvent) => void;

// A Record over the union makes tsc check that this list matches the schema's page types.
const PAGE_TYPES: Record<PageType, 1> = {
  home: 1,
  category: 1,
  product: 1,
  cart: 1,
  checkout: 1,
  search: 1,
  other: 1,
};

/** Fields every event carries. Nothing here identifies the device beyond the viewport width. */
export function pageFields() {
  const pageType = document.querySelector<HTMLMetaElement>('meta[name="kanon:page-type"]')?.content.trim();
  return {
    url: location.href.slice(0, MAX_URL),
    // Indexing with an unknown word (even "toString") never yields 1, so only listed types pass.
    page_type: PAGE_TYPES[pageType as PageType] === 1 ? (pageType as PageType) : undefined,
    viewport: innerWidth,
    webdriver: navigator.webdriver || undefined,
  };
}

/** A trimmed, non-empty string cut to `max`, from a string or a number; otherwise undefined. */
export const str = (value: unknown, max: number): string | undefined =>
  (typeof value === 'string' || typeof value === 'number' ? String(value).trim().slice(0, max) : '') ||
  undefined;

/** A finite number in [0, max], from a number or a numeric string; otherwise undefined. */
export const num = (value: unknown, max: number): number | undefined => {
  const n = typeof value === 'string' && value.trim() ? +value : value;
  return typeof n === 'number' && n >= 0 && n <= max ? n : undefined;
};

/** An integer in [min, max]; otherwise undefined. */
export const int = (value: unknown, min: number, max: number): number | undefined => {
  const n = num(value, max);
  return n !== undefined && n >= min && n % 1 === 0 ? n : undefined;
};

/**
 * Runs a handler so that nothing it throws reaches the host page: a broken analytics script must
 * never break a checkout. Losing one event is the right trade.
 */
export const safe =
  <A extends unknown[]>(handler: (...args: A) => void) =>
  (...args: A): void => {
    try {
      handler(...args);
    } catch {
      // Deliberately dropped: see above.
    }
  };
