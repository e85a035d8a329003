import { z } from 'zod';
import { LIMITS } from '../../schema/event.js';

/**
 * One item of a Google Merchant Center product feed, as Kanon keeps it. Only the fields the
 * dashboards show are read (id, title, link, image_link, price, product_type or
 * google_product_category, availability); every other attribute of the feed is ignored, never
 * stored. Messages name the field and the rule, never the value (the import reports them by line).
 */
export const AVAILABILITIES = ['in_stock', 'out_of_stock', 'preorder', 'backorder'] as const;
export type Availability = (typeof AVAILABILITIES)[number];

/** Merchant Center's own limits: ids up to 50 characters (events allow 64), titles up to 150. */
const TITLE_MAX = 150;
const URL_MAX = 2000;
const TYPE_MAX = 750;

const webUrl = z
  .string()
  .max(URL_MAX, `longer than ${URL_MAX} characters`)
  .refine((text) => {
    try {
      const url = new URL(text);
      return (
        (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === ''
      );
    } catch {
      return false;
    }
  }, 'not an http(s) URL');

/** "14.50 EUR" (Merchant Center's form) or "EUR 14.50"; a comma as decimal mark is accepted. */
const PRICE = /^(?:(\d{1,9}(?:[.,]\d{1,2})?)\s*([A-Za-z]{3})|([A-Za-z]{3})\s*(\d{1,9}(?:[.,]\d{1,2})?))$/;

const price = z
  .string()
  .regex(PRICE, 'not a price like 14.50 EUR')
  .transform((text) => {
    const match = PRICE.exec(text)!;
    const amount = (match[1] ?? match[4]!).replace(',', '.');
    const [whole, fraction = ''] = amount.split('.');
    return {
      cents: Number(whole) * 100 + Number(fraction.padEnd(2, '0')),
      currency: (match[2] ?? match[3]!).toUpperCase(),
    };
  });

/** Merchant Center accepts "in stock" as well as in_stock, and once had "available for order". */
const availability = z
  .string()
  .transform((text) => text.toLowerCase().replace(/[\s-]+/g, '_'))
  .transform((text) => (text === 'available_for_order' ? 'backorder' : text))
  .pipe(z.enum(AVAILABILITIES, { error: `not one of ${AVAILABILITIES.join(', ')}` }));

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

export const FeedItem = z
  .object({
    id: z
      .string({ error: 'missing' })
      .min(1, 'missing')
      .max(LIMITS.id, `longer than ${LIMITS.id} characters`),
    title: z
      .string({ error: 'missing' })
      .min(1, 'missing')
      .max(TITLE_MAX, `longer than ${TITLE_MAX} characters`),
    link: optional(webUrl),
    image_link: optional(webUrl),
    price: optional(price),
    product_type: optional(z.string().max(TYPE_MAX, `longer than ${TYPE_MAX} characters`)),
    google_product_category: optional(z.string().max(TYPE_MAX, `longer than ${TYPE_MAX} characters`)),
    availability: optional(availability),
  })
  .transform((item) => ({
    productId: item.id,
    title: item.title,
    link: item.link ?? '',
    imageLink: item.image_link ?? '',
    priceCents: item.price?.cents ?? null,
    currency: item.price?.currency ?? '',
    // product_type is the shop's own path ("Coffee > Single origin"); Google's taxonomy is the fallback.
    productType: item.product_type ?? item.google_product_category ?? '',
    availability: item.availability ?? '',
  }));
export type FeedItem = z.output<typeof FeedItem>;

/** The raw fields of one line or element, by Merchant Center attribute name. */
export type FeedFields = Record<string, string>;

/** The attributes read from a feed; an attribute is known by these names (lower case, `g:` dropped). */
export const FEED_FIELDS = [
  'id',
  'title',
  'link',
  'image_link',
  'price',
  'product_type',
  'google_product_category',
  'availability',
] as const;

/** "Image link", "g:image_link" and "IMAGE_LINK" all name image_link. */
export function fieldName(raw: string): string {
  return raw
    .trim()
    .toLowerCase()
    .replace(/^g:/, '')
    .replace(/[\s-]+/g, '_');
}

/** Whitespace collapsed (titles and types come from spreadsheets and CMS exports). */
export function cleanValue(raw: string): string {
  return raw.replace(/\s+/g, ' ').trim();
}

export interface BadLine {
  line: number;
  field: string;
  rule: string;
}

/** Validates one item; a bad one is reported by line, field and rule, without its values. */
export function parseFeedItem(fields: FeedFields, line: number): FeedItem | BadLine {
  const parsed = FeedItem.safeParse(fields);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return { line, field: String(issue?.path[0] ?? ''), rule: issue?.message ?? 'is invalid' };
}
