import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAnonymousBatch } from '../../schema/compiled-check.js';
import { AnonymousBatch, AnonymousEvent, AnonymousItem, LIMITS } from '../../schema/event.js';

/**
 * The workers refuse any queued job that is not a strict anonymous batch (invariant 1). They check
 * it with a compiled validator generated from the zod schema (schema/compiled-check.ts); this test
 * holds the two to exactly the same verdict on valid batches and on thousands of mutations of
 * them: extra fields (an IP, a user agent), missing ones, wrong types, strings at and past their
 * length limits (counted in code points: an emoji is one character, two UTF-16 units), unsafe
 * integers, bad patterns.
 *
 * Values go through JSON first, as a queued job does: JSON has no undefined, NaN or Infinity.
 */
const agree = (value: unknown) => {
  const json: unknown = JSON.parse(JSON.stringify(value));
  const zod = AnonymousBatch.safeParse(json).success;
  expect(
    isAnonymousBatch(json),
    JSON.stringify(json)
      .replace(/(\u{1F600})+/gu, (run) => `<${run.length / 2} astral>`)
      .slice(0, 1000),
  ).toBe(zod);
  return zod;
};

const ASTRAL = '\u{1F600}';
const text = (max: number) =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength: max }),
    // Around the limit in astral characters, where counting code points and UTF-16 units differ.
    fc.integer({ min: Math.floor(max / 2) - 1, max: max + 1 }).map((n) => ASTRAL.repeat(n)),
    fc.integer({ min: max - 1, max: max + 1 }).map((n) => 'a'.repeat(n)),
  );
const count = (min: number) =>
  fc.oneof(
    fc.integer({ min, max: 1_000_000 }),
    fc.constantFrom(min - 1, 0.5, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 1e300, -1),
  );
const shape = AnonymousEvent.shape;
const enumOf = (values: readonly string[]) =>
  fc.oneof(fc.constantFrom(...values), fc.string({ maxLength: 3 }));

const item = fc.record(
  {
    product_id: text(LIMITS.id),
    category: text(LIMITS.label),
    price_cents: count(0),
    quantity: count(1),
  },
  { requiredKeys: [] },
);

const event = fc.record(
  {
    ts: count(0),
    site: fc.oneof(
      fc.constantFrom('shop', 'shop-eu', 'a'.repeat(63), 'a'.repeat(64), 'Shop', '-x'),
      fc.string(),
    ),
    type: enumOf(shape.type.options),
    visitor: fc.oneof(
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
      fc.constantFrom('', '1'.repeat(20), '1'.repeat(21), '12\n', '\u0661\u0662', '-1'),
    ),
    path: text(LIMITS.url),
    page_type: enumOf(['', 'home', 'category', 'product', 'cart', 'checkout', 'search', 'other']),
    referrer: text(255),
    utm_source: text(128),
    utm_medium: text(128),
    utm_campaign: text(128),
    device: enumOf(['desktop', 'mobile', 'tablet', 'other']),
    browser: text(32),
    os: text(32),
    country: text(2),
    viewport: enumOf(['', 'xs', 's', 'm', 'l', 'xl']),
    product_id: text(LIMITS.id),
    category: text(LIMITS.label),
    price_cents: count(0),
    quantity: count(1),
    value_cents: count(0),
    currency: fc.oneof(fc.constantFrom('EUR', 'eur', 'EURO', 'E1R'), fc.string({ maxLength: 4 })),
    items: fc.array(item, { maxLength: 3 }),
    query: text(LIMITS.query),
    results: count(0),
    slot: text(LIMITS.label),
    position: count(0),
    promo: text(LIMITS.id),
    depth: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constantFrom(101, -1, 50.5)),
  },
  {
    requiredKeys: [],
  },
);

/** A valid event to start mutations from: every required field at a legal value. */
const validEvent = fc.record({
  ts: fc.integer({ min: 0, max: 2 ** 53 - 1 }),
  site: fc.constantFrom('shop', 'shop-eu'),
  type: fc.constantFrom(...shape.type.options),
  visitor: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
  path: fc.string({ unit: 'binary', maxLength: 40 }),
  page_type: fc.constantFrom('', 'product', 'other'),
  referrer: fc.constantFrom('(direct)', 'www.google.com'),
  utm_source: fc.string({ maxLength: 10 }),
  utm_medium: fc.string({ maxLength: 10 }),
  utm_campaign: fc.string({ maxLength: 10 }),
  device: fc.constantFrom('desktop', 'mobile'),
  browser: fc.constantFrom('Chrome', 'Firefox'),
  os: fc.constantFrom('Linux', 'iOS'),
  country: fc.constantFrom('DE', 'ZZ'),
  viewport: fc.constantFrom('', 'l'),
});
const batchId = fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/);
const json = fc.jsonValue({ maxDepth: 2 });

describe('the compiled batch check', () => {
  it('accepts the valid batches zod accepts', () => {
    fc.assert(
      fc.property(batchId, fc.array(validEvent, { minLength: 1, maxLength: 5 }), (id, events) => {
        expect(agree({ id, events })).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with zod on generated events of every field, legal or not', () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.oneof(batchId, fc.string({ maxLength: 70 })),
        fc.array(
          // Mostly a valid event with some fields replaced, so each field's own rule decides.
          fc.oneof(
            {
              arbitrary: fc
                .tuple(validEvent, event, fc.subarray(Object.keys(shape), { minLength: 1, maxLength: 3 }))
                .map(([base, over, keys]) => ({
                  ...base,
                  ...Object.fromEntries(
                    keys.filter((key) => key in over).map((key) => [key, over[key as keyof typeof over]]),
                  ),
                })),
              weight: 4,
            },
            { arbitrary: event, weight: 1 },
          ),
          { minLength: 0, maxLength: 3 },
        ),
        (id, events) => {
          if (agree({ id, events })) accepted += 1;
        },
      ),
      { numRuns: 3000 },
    );
    // Not vacuous: some generated batches are valid, most are not.
    expect(accepted).toBeGreaterThan(0);
  });

  it('agrees with zod on mutations of valid batches: fields added, removed or replaced', () => {
    const keys = Object.keys(shape);
    const mutation = fc.oneof(
      fc.record({
        kind: fc.constant('add' as const),
        key: fc.oneof(
          fc.constantFrom('ip', 'user_agent', 'ua', 'email', '__proto__', 'constructor'),
          fc.string({ maxLength: 8 }),
        ),
        value: json,
      }),
      fc.record({ kind: fc.constant('remove' as const), key: fc.constantFrom(...keys) }),
      fc.record({ kind: fc.constant('replace' as const), key: fc.constantFrom(...keys), value: json }),
      fc.record({
        kind: fc.constant('item' as const),
        key: fc.constantFrom('product_id', 'ip', 'quantity'),
        value: json,
      }),
      fc.record({
        kind: fc.constant('top' as const),
        key: fc.constantFrom('id', 'events', 'ip', 'headers'),
        value: json,
      }),
    );
    let refused = 0;
    fc.assert(
      fc.property(batchId, validEvent, mutation, (id, base, change) => {
        const target: Record<string, unknown> = { ...base };
        const batch: Record<string, unknown> = { id, events: [target] };
        if (change.kind === 'add')
          Object.defineProperty(target, change.key, { value: change.value, enumerable: true });
        if (change.kind === 'remove') delete target[change.key];
        if (change.kind === 'replace') target[change.key] = change.value;
        if (change.kind === 'item') {
          const line: Record<string, unknown> = {
            product_id: 'p1',
            category: '',
            price_cents: 100,
            quantity: 1,
          };
          Object.defineProperty(line, change.key, { value: change.value, enumerable: true });
          target.items = [line];
        }
        if (change.kind === 'top')
          Object.defineProperty(batch, change.key, { value: change.value, enumerable: true });
        if (!agree(batch)) refused += 1;
      }),
      { numRuns: 4000 },
    );
    expect(refused).toBeGreaterThan(1000);
  });

  it('counts string lengths in code points, as zod does', () => {
    const at = (path: string) => ({
      id: 'batch-0001',
      events: [{ ...fc.sample(validEvent, { seed: 7, numRuns: 1 })[0], path }],
    });
    // 2,048 emoji are 4,096 UTF-16 units but 2,048 characters: allowed; one more is not.
    expect(agree(at(ASTRAL.repeat(LIMITS.url)))).toBe(true);
    expect(agree(at(ASTRAL.repeat(LIMITS.url + 1)))).toBe(false);
    expect(agree(at('a'.repeat(LIMITS.url + 1)))).toBe(false);
  });

  it('refuses what an attacker might queue beside the anonymous fields', () => {
    const good = { id: 'batch-0001', events: fc.sample(validEvent, { seed: 3, numRuns: 2 }) };
    expect(agree(good)).toBe(true);
    for (const extra of [{ ip: '203.0.113.9' }, { user_agent: 'Mozilla/5.0' }, { visitor: '203.0.113.9' }]) {
      expect(agree({ ...good, events: [{ ...good.events[0], ...extra }] })).toBe(false);
    }
    expect(agree({ ...good, ip: '203.0.113.9' })).toBe(false);
    expect(agree({ ...good, events: [] })).toBe(false);
    expect(
      agree({
        ...good,
        events: [
          {
            ...good.events[0],
            items: Array(LIMITS.items + 1).fill({
              product_id: 'p',
              category: '',
              price_cents: 1,
              quantity: 1,
            }),
          },
        ],
      }),
    ).toBe(false);
    expect(
      AnonymousItem.safeParse({ product_id: 'p', category: '', price_cents: 1, quantity: 1 }).success,
    ).toBe(true);
  });
});
