import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createShop } from '../../bench/lib/shop-model.js';
import { batchBody, singleEventBody } from '../../bench/lib/traffic.js';
import { BeaconBatchOfEvents, compileBeaconFastCheck } from '../../collector/steps/beacon-fast-check.js';
import { parseBeacon } from '../../collector/steps/parse-beacon.js';
import { BeaconEvent, EVENT_TYPES, LIMITS } from '../../schema/event.js';

/**
 * The collector's fast path for beacons (collector/steps/beacon-fast-check.ts) may refuse anything,
 * but what it accepts must be a body zod accepts AND returns unchanged: the collector then uses the
 * parsed JSON as it is. An accepted body zod would have refused is bad input stored (invariant 6);
 * one zod would have changed (a key stripped, an id trimmed) is an unknown field kept or a product
 * split in two. These properties generate thousands of bodies around every rule and check both.
 *
 * Bodies go through JSON first, as a request body does.
 */
const check = compileBeaconFastCheck();

type Verdict = 'fast' | 'zod only' | 'refused';

/** Holds the fast check to zod's verdict and output; says which path the body would take. */
const judge = (value: unknown, kind: 'event' | 'batch'): Verdict => {
  const json: unknown = JSON.parse(JSON.stringify(value));
  const zod = (kind === 'event' ? BeaconEvent : BeaconBatchOfEvents).safeParse(json);
  const fast = kind === 'event' ? check.event(json) : check.batch(json);
  if (fast) {
    const shown = JSON.stringify(json)
      .replace(/(\u{1F600})+/gu, (run) => `<${run.length / 2} astral>`)
      .slice(0, 800);
    expect(zod.success, `fast path accepted what zod refuses: ${shown}`).toBe(true);
    expect(zod.data, `fast path accepted what zod changes: ${shown}`).toStrictEqual(json);
    return 'fast';
  }
  return zod.success ? 'zod only' : 'refused';
};

const ASTRAL = '\u{1F600}';
// Everything String.prototype.trim removes, and two look-alikes it keeps.
const TRIMMED_AWAY = [
  ' ',
  '\t',
  '\n',
  '\r',
  '\v',
  '\f',
  '\u00a0',
  '\u1680',
  '\u2000',
  '\u2028',
  '\u3000',
  '\ufeff',
];
const KEPT = ['\u200b', '\u180e'];

/** Ids and labels as the tracker sends them: non-empty, nothing to trim. */
const tidy = (max: number) =>
  fc.string({ minLength: 1, maxLength: Math.min(max, 24) }).filter((text) => text.trim() === text);
const common = {
  site: fc.constantFrom('shop', 'shop-eu', 'a'.repeat(63)),
  url: fc.webUrl({ withQueryParameters: true }),
  referrer: fc.oneof(fc.webUrl(), fc.constant('')),
  page_type: fc.constantFrom('home', 'category', 'product', 'cart', 'checkout', 'search', 'other'),
  viewport: fc.integer({ min: 0, max: 100_000 }),
  webdriver: fc.boolean(),
  ts: fc.integer({ min: 0, max: 2 ** 53 - 1 }),
};
const price = fc.double({ min: 0, max: LIMITS.maxPrice, noNaN: true, noDefaultInfinity: true });
const quantity = fc.integer({ min: 1, max: LIMITS.maxQuantity });
const product = fc.record(
  { id: tidy(LIMITS.id), category: tidy(LIMITS.label), price },
  { requiredKeys: ['id'] },
);
const item = fc.record(
  { id: tidy(LIMITS.id), category: tidy(LIMITS.label), price, quantity },
  { requiredKeys: ['id'] },
);
const currency = fc.stringMatching(/^[A-Za-z]{3}$/);
const byType: Record<(typeof EVENT_TYPES)[number], Record<string, fc.Arbitrary<unknown>>> = {
  pageview: {},
  product_view: { product },
  add_to_cart: { product, quantity },
  remove_from_cart: { product, quantity },
  checkout: { value: price, currency, items: fc.array(item, { maxLength: 3 }) },
  purchase: { value: price, currency, items: fc.array(item, { minLength: 1, maxLength: 3 }) },
  search: { query: fc.string({ maxLength: 40 }), results: fc.integer({ min: 0, max: LIMITS.maxResults }) },
  slot_click: { slot: tidy(LIMITS.label), position: fc.integer({ min: 1, max: LIMITS.maxPosition }) },
  promo_view: { promo: tidy(LIMITS.id), slot: tidy(LIMITS.label) },
  promo_click: { promo: tidy(LIMITS.id), slot: tidy(LIMITS.label) },
  scroll: { depth: fc.constantFrom(25, 50, 75, 100) },
};
const REQUIRED: Record<string, string[]> = {
  product_view: ['product'],
  add_to_cart: ['product'],
  remove_from_cart: ['product'],
  purchase: ['value', 'currency', 'items'],
  search: ['query'],
  slot_click: ['slot'],
  promo_view: ['promo'],
  promo_click: ['promo'],
  scroll: ['depth'],
};

/** A valid, tidy event of any type: what the tracker sends. */
const validEvent = fc
  .constantFrom(...EVENT_TYPES)
  .chain((type) =>
    fc
      .record({ ...common, ...byType[type] }, { requiredKeys: ['url', ...(REQUIRED[type] ?? [])] as never[] })
      .map((fields) => ({ ...fields, type }) as Record<string, unknown>),
  );

/** Any value a field might be given: legal ones, near misses, and junk. */
const fieldValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom('', ' ', 'a', 'shop', 'Shop', 'EUR', 'eur', 'EURO', 'pageview', 'purchase', 'nope'),
  fc.constantFrom(0, -0, -1, 0.5, 1, 25, 101, 1000, 1001, 2 ** 53 - 1, 2 ** 53, 1e300, -1e-300),
  fc.constantFrom(true, false, null, [], {}),
  // At and past the length limits, in ASCII and in astral characters (two UTF-16 units each).
  fc
    .constantFrom(LIMITS.id, LIMITS.query, LIMITS.url, 128, 255)
    .chain((limit) =>
      fc.tuple(fc.constantFrom('a', ASTRAL), fc.integer({ min: Math.floor(limit / 2) - 1, max: limit + 1 })),
    )
    .map(([unit, length]) => unit.repeat(length)),
);
const pad = fc.tuple(
  fc.constantFrom(...TRIMMED_AWAY, ...KEPT, ''),
  fc.constantFrom(...TRIMMED_AWAY, ...KEPT, ''),
);

type Json = Record<string, unknown>;
const keysOf = (event: Json) => Object.keys(event);
const STRING_FIELDS = ['id', 'category', 'slot', 'promo', 'query', 'url', 'referrer', 'currency', 'site'];

/** One change to a valid event, anywhere in it, including inside its product and items. */
const mutate = (event: Json): fc.Arbitrary<Json> => {
  const targets: Json[] = [event];
  if (typeof event.product === 'object') targets.push(event.product as Json);
  if (Array.isArray(event.items)) targets.push(...(event.items as Json[]));
  return fc
    .tuple(
      fc.constantFrom(...targets.keys()),
      fc.nat(),
      fieldValue,
      pad,
      fc.string({ maxLength: 8 }),
      fc.nat(5),
    )
    .map(([at, pick, value, [before, after], newKey, kind]) => {
      const copy = structuredClone(event);
      const copies: Json[] = [copy];
      if (typeof copy.product === 'object') copies.push(copy.product as Json);
      if (Array.isArray(copy.items)) copies.push(...(copy.items as Json[]));
      const target = copies[at]!;
      const keys = keysOf(target);
      const key = keys[pick % keys.length]!;
      const strings = keys.filter((name) => STRING_FIELDS.includes(name) && typeof target[name] === 'string');
      if (kind === 0) target[key] = value;
      if (kind === 1) delete target[key];
      if (kind === 2)
        Object.defineProperty(target, newKey || 'ip', { value, enumerable: true, writable: true });
      if (kind === 3 && strings.length > 0) {
        const name = strings[pick % strings.length]!;
        target[name] = `${before}${target[name] as string}${after}`;
      }
      if (kind === 4) copy.type = [...EVENT_TYPES, 'pageView', 'x'][pick % (EVENT_TYPES.length + 2)];
      if (kind === 5) target[key] = Array.isArray(target[key]) ? [] : String(target[key]);
      return copy;
    });
};

describe('the beacon fast path', () => {
  it('takes every valid, tidy event of every type, as the tracker sends them', () => {
    fc.assert(
      fc.property(validEvent, (event) => {
        expect(judge(event, 'event')).toBe('fast');
      }),
      { numRuns: 2000 },
    );
  });

  it('never accepts an event zod would refuse or change, over thousands of mutations', () => {
    const verdicts: Record<Verdict, number> = { fast: 0, 'zod only': 0, refused: 0 };
    fc.assert(
      fc.property(validEvent.chain(mutate), (event) => {
        verdicts[judge(event, 'event')] += 1;
      }),
      { numRuns: 6000 },
    );
    // Not vacuous: many mutants stay valid and tidy, many are refused, and many are ones zod
    // accepts only after changing them (a padded id, an unknown key), which must go to zod.
    expect(verdicts.fast).toBeGreaterThan(500);
    expect(verdicts.refused).toBeGreaterThan(1000);
    expect(verdicts['zod only']).toBeGreaterThan(500);
  });

  it('sends every string zod would trim to zod, and takes what trim leaves alone', () => {
    const base = {
      type: 'product_view',
      url: 'https://shop.example/p',
      product: { id: 'p-1', category: 'tea' },
    };
    for (const space of TRIMMED_AWAY) {
      for (const id of [`${space}p-1`, `p-1${space}`]) {
        expect(judge({ ...base, product: { id } }, 'event')).toBe('zod only');
      }
      expect(judge({ ...base, product: { id: space } }, 'event')).toBe('refused');
      expect(judge({ ...base, product: { id: `p${space}1` } }, 'event')).toBe('fast');
    }
    for (const space of KEPT)
      expect(judge({ ...base, product: { id: `${space}p-1` } }, 'event')).toBe('fast');
  });

  it('counts lengths no more generously than zod: astral characters at and past each limit', () => {
    const at = (id: string) => ({ type: 'product_view', url: 'https://shop.example/p', product: { id } });
    expect(judge(at('a'.repeat(LIMITS.id)), 'event')).toBe('fast');
    expect(judge(at('a'.repeat(LIMITS.id + 1)), 'event')).toBe('refused');
    // 64 emoji are 64 characters for zod but 128 UTF-16 units: zod takes them, the fast path
    // leaves them to zod; 65 are refused by both.
    expect(judge(at(ASTRAL.repeat(LIMITS.id)), 'event')).toBe('zod only');
    expect(judge(at(ASTRAL.repeat(LIMITS.id / 2)), 'event')).toBe('fast');
    expect(judge(at(ASTRAL.repeat(LIMITS.id + 1)), 'event')).toBe('refused');
    expect(judge({ type: 'pageview', url: ASTRAL }, 'event')).toBe('fast');
    expect(judge({ type: 'pageview', url: '' }, 'event')).toBe('refused');
  });

  it('never accepts a batch zod would refuse or change', () => {
    const verdicts: Record<Verdict, number> = { fast: 0, 'zod only': 0, refused: 0 };
    const events = fc.array(
      fc.oneof({ arbitrary: validEvent, weight: 3 }, { arbitrary: validEvent.chain(mutate), weight: 1 }),
      {
        minLength: 0,
        maxLength: 4,
      },
    );
    const top = fc.oneof(
      fc.constant({}),
      fc.record({ site: fc.oneof(fc.constantFrom('shop', 'shop-eu'), fieldValue) }),
      fc.record({ ip: fieldValue }),
    );
    fc.assert(
      fc.property(events, top, (list, extra) => {
        verdicts[judge({ ...extra, events: list }, 'batch')] += 1;
      }),
      { numRuns: 3000 },
    );
    expect(verdicts.fast).toBeGreaterThan(300);
    expect(verdicts.refused).toBeGreaterThan(300);
    expect(verdicts['zod only']).toBeGreaterThan(100);
    expect(judge({ events: 'pageview' }, 'batch')).toBe('refused');
  });

  it("takes the load generator's bodies, so the benchmark measures the fast path", () => {
    const shop = createShop();
    for (let n = 0; n < 200; n++) expect(judge(JSON.parse(singleEventBody(shop)), 'event')).toBe('fast');
    expect(judge(JSON.parse(batchBody(shop, 1, 50)), 'batch')).toBe('fast');
  });

  it('leaves parseBeacon with the answers zod gives, on both paths', () => {
    const padded = { type: 'product_view', url: 'https://shop.example/p', product: { id: ' p-1 ' }, ua: 'x' };
    expect(parseBeacon({ ...padded, site: 'shop' }, 10)).toStrictEqual([
      { type: 'product_view', url: 'https://shop.example/p', product: { id: 'p-1' }, site: 'shop' },
    ]);
    // parseBeacon takes its body over (it may set site on the body's own events): a fresh one each.
    const tidyEvent = () => ({ type: 'pageview', url: 'https://shop.example/' });
    expect(parseBeacon({ site: 'shop', events: [tidyEvent(), padded] }, 10)).toStrictEqual([
      { ...tidyEvent(), site: 'shop' },
      { type: 'product_view', url: 'https://shop.example/p', product: { id: 'p-1' }, site: 'shop' },
    ]);
    expect(() => parseBeacon({ site: 'shop', events: [tidyEvent(), tidyEvent()] }, 1)).toThrow(/at most 1/);
    expect(() => parseBeacon({ events: [tidyEvent()] }, 10)).toThrow(/events\[0\]\.site/);
    expect(() => parseBeacon({ ...tidyEvent(), site: 'shop', viewport: -1 }, 10)).toThrow(/viewport/);
  });
});
