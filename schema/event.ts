import { z } from 'zod';
import { SITE_ID } from '../core/sites.js';

/**
 * The event contract, defined once. `Beacon*` is what a storefront sends (untrusted; parsed by the
 * collector). `AnonymousEvent` is what the collector enqueues after it has dropped identifiers and
 * scrubbed values: it has no field that could hold an IP address, a user agent or a cookie, and the
 * worker re-parses it with `.strict()`, so invariant 1 holds at compile time and at run time.
 * docs/events.md explains each field and why it exists.
 */

export const EVENT_TYPES = [
  'pageview',
  'product_view',
  'add_to_cart',
  'remove_from_cart',
  'checkout',
  'purchase',
  'search',
  'slot_click',
  'promo_view',
  'promo_click',
  'scroll',
] as const;
export const EventType = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventType>;

export const PAGE_TYPES = ['home', 'category', 'product', 'cart', 'checkout', 'search', 'other'] as const;
export const PageType = z.enum(PAGE_TYPES);
export type PageType = z.infer<typeof PageType>;

export const SCROLL_DEPTHS = [25, 50, 75, 100] as const;

export const LIMITS = {
  url: 2048,
  referrer: 2048,
  id: 64,
  label: 64,
  query: 200,
  items: 50,
  maxPrice: 1_000_000_000,
  maxQuantity: 10_000,
  maxPosition: 1000,
  maxResults: 1_000_000,
} as const;

const id = z.string().trim().min(1).max(LIMITS.id);
const label = z.string().trim().min(1).max(LIMITS.label);
const price = z.number().finite().min(0).max(LIMITS.maxPrice);
const quantity = z.number().int().min(1).max(LIMITS.maxQuantity);
const currency = z.string().regex(/^[A-Za-z]{3}$/, 'must be a three-letter ISO 4217 code');

export const BeaconProduct = z.object({ id, category: label.optional(), price: price.optional() });
export const BeaconItem = BeaconProduct.extend({ quantity: quantity.optional() });
export type BeaconItem = z.infer<typeof BeaconItem>;

/** Fields every beacon event may carry. Unknown keys are dropped, never stored. */
const common = {
  site: z.string().regex(SITE_ID, 'must be a site id like shop-eu').optional(),
  url: z.string().min(1).max(LIMITS.url),
  referrer: z.string().max(LIMITS.referrer).optional(),
  page_type: PageType.optional(),
  viewport: z.number().int().min(0).max(100_000).optional(),
  webdriver: z.boolean().optional(),
  ts: z.number().int().min(0).optional(),
};

export const BeaconEvent = z.discriminatedUnion('type', [
  z.object({ ...common, type: z.literal('pageview') }),
  z.object({ ...common, type: z.literal('product_view'), product: BeaconProduct }),
  z.object({
    ...common,
    type: z.literal('add_to_cart'),
    product: BeaconProduct,
    quantity: quantity.optional(),
  }),
  z.object({
    ...common,
    type: z.literal('remove_from_cart'),
    product: BeaconProduct,
    quantity: quantity.optional(),
  }),
  z.object({
    ...common,
    type: z.literal('checkout'),
    value: price.optional(),
    currency: currency.optional(),
    items: z.array(BeaconItem).max(LIMITS.items).optional(),
  }),
  z.object({
    ...common,
    type: z.literal('purchase'),
    value: price,
    currency,
    items: z.array(BeaconItem).min(1).max(LIMITS.items),
  }),
  z.object({
    ...common,
    type: z.literal('search'),
    query: z.string().max(LIMITS.query),
    results: z.number().int().min(0).max(LIMITS.maxResults).optional(),
  }),
  z.object({
    ...common,
    type: z.literal('slot_click'),
    slot: label,
    position: z.number().int().min(1).max(LIMITS.maxPosition).optional(),
  }),
  z.object({ ...common, type: z.literal('promo_view'), promo: id, slot: label.optional() }),
  z.object({ ...common, type: z.literal('promo_click'), promo: id, slot: label.optional() }),
  z.object({
    ...common,
    type: z.literal('scroll'),
    depth: z.union(SCROLL_DEPTHS.map((depth) => z.literal(depth))),
  }),
]);
export type BeaconEvent = z.infer<typeof BeaconEvent>;

/** A request body: one event, or `{ site?, events: [...] }` whose events inherit `site`. */
export const BeaconBatch = z.object({
  site: z.string().regex(SITE_ID, 'must be a site id like shop-eu').optional(),
  events: z.array(z.unknown()).min(1),
});

// ---------------------------------------------------------------------------------------------
// After the collector: anonymous, scrubbed, coarse.

export const DEVICE_CLASSES = ['desktop', 'mobile', 'tablet', 'other'] as const;
export const VIEWPORT_CLASSES = ['', 'xs', 's', 'm', 'l', 'xl'] as const;

const dim = (max: number) => z.string().max(max);

export const AnonymousItem = z
  .object({
    product_id: dim(LIMITS.id),
    category: dim(LIMITS.label),
    price_cents: z.number().int().min(0),
    quantity: z.number().int().min(1),
  })
  .strict();
export type AnonymousItem = z.infer<typeof AnonymousItem>;

export const AnonymousEvent = z
  .object({
    /** Milliseconds since the epoch, stamped by the collector (never by the page, outside backfill). */
    ts: z.number().int().min(0),
    site: z.string().regex(SITE_ID),
    type: EventType,
    /**
     * 64-bit visitor token (decimal), HMAC of ip|ua|site under the day's salt whose top 16 bits are
     * its network's code (collector/network-token.ts); staging tier only.
     */
    visitor: z.string().regex(/^\d{1,20}$/),
    path: dim(LIMITS.url),
    page_type: z.union([PageType, z.literal('')]),
    referrer: dim(255),
    utm_source: dim(128),
    utm_medium: dim(128),
    utm_campaign: dim(128),
    device: z.enum(DEVICE_CLASSES),
    browser: dim(32),
    os: dim(32),
    country: dim(2),
    viewport: z.enum(VIEWPORT_CLASSES),
    product_id: dim(LIMITS.id).optional(),
    category: dim(LIMITS.label).optional(),
    price_cents: z.number().int().min(0).optional(),
    quantity: z.number().int().min(1).optional(),
    value_cents: z.number().int().min(0).optional(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional(),
    items: z.array(AnonymousItem).max(LIMITS.items).optional(),
    query: dim(LIMITS.query).optional(),
    results: z.number().int().min(0).optional(),
    slot: dim(LIMITS.label).optional(),
    position: z.number().int().min(0).optional(),
    promo: dim(LIMITS.id).optional(),
    depth: z.number().int().min(0).max(100).optional(),
  })
  .strict();
export type AnonymousEvent = z.infer<typeof AnonymousEvent>;

/** One queued micro-batch: the unit of group commit, of retry and of insert deduplication. */
export const AnonymousBatch = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
    events: z.array(AnonymousEvent).min(1),
  })
  .strict();
export type AnonymousBatch = z.infer<typeof AnonymousBatch>;
