import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scrubId, scrubLabel } from '../../../collector/scrub/label.js';
import { type ScrubProfile, scrubText } from '../../../collector/scrub/scrub-text.js';
import { normaliseSearchTerm } from '../../../collector/scrub/search-term.js';

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';

describe("scrubText with the 'path' profile", () => {
  it.each([
    ['/account/jane@example.com/orders/12345678', '/account/:email/orders/:id'],
    ['/account/jane%40example.com/orders/12345678', '/account/:email/orders/:id'],
    ['/account/jane%2540example.com', '/account/:email'],
    ['/u/JANE%40EXAMPLE.COM/', '/u/:email/'],
    ['/tel/%2B49%20151%2012345678', '/tel/:phone'],
    ['/pay/4111%201111%201111%201111', '/pay/:card'],
    ['/cart/550e8400-e29b-41d4-a716-446655440000', '/cart/:uuid'],
    ['/iban/DE89370400440532013000', '/iban/:iban'],
    [`/reset/${JWT}`, '/reset/:jwt'],
    ['/from/192.168.1.23/to/2001:db8::1', '/from/:ip/to/:ip'],
    ['/cart;jsessionid=0A1B2C3D4E', '/cart;jsessionid=:token'],
    ['/dl/d41d8cd98f00b204e9800998ecf8427e3a1b2c3d', '/dl/:token'],
    ['/orders/order-12345678.pdf', '/orders/order-:id.pdf'],
  ])('scrubs %j to %j', (input, expected) => {
    expect(scrubText(input, 'path')).toBe(expected);
  });

  it.each([
    '/',
    '/p/red-shoes-42',
    '/page/2',
    '/c/shoes/size/42',
    '/2026/11/25/black-friday',
    '/blog/2026-11-25-sale',
    '/p/SKU-1234-XL',
    '/p/abc123',
    '/price/19.99',
    '/img/logo@2x.png',
  ])('keeps the ordinary path %j unchanged', (input) => {
    expect(scrubText(input, 'path')).toBe(input);
  });

  it('scrubs each segment on its own, so short numbers in neighbouring segments never join', () => {
    expect(scrubText('/4111/1111/1111/1111', 'path')).toBe('/4111/1111/1111/1111');
    expect(scrubText('/a/4111111111111111/b', 'path')).toBe('/a/:card/b');
  });

  it('decodes safe characters and re-encodes those that would change the structure', () => {
    expect(scrubText('/de/gr%C3%B6%C3%9Fe/%C3%A4', 'path')).toBe('/de/größe/ä');
    expect(scrubText('/a%2Fb/c%3Fd/e%23f/g%25h', 'path')).toBe('/a%2Fb/c%3Fd/e%23f/g%25h');
    expect(scrubText('/red%20shoes', 'path')).toBe('/red%20shoes');
    // A control character is removed, not re-encoded: no label keeps one, in any form.
    expect(scrubText('/a%00b', 'path')).toBe('/ab');
  });

  it('keeps placeholders unencoded next to encoded text', () => {
    expect(scrubText('/u/jane%40example.com%20x', 'path')).toBe('/u/:email%20x');
  });

  it('keeps escapes that are not valid UTF-8 encoded and still finds what they hide', () => {
    expect(scrubText('/x/%E2%82', 'path')).toBe('/x/%25E2%2582');
    expect(scrubText('/x/%E2%82%20jane%40example.com', 'path')).toBe('/x/%25E2%2582%20:email');
  });
});

describe("scrubText with the 'text' profile", () => {
  it.each([
    ['mail me at jane@example.com', 'mail me at :email'],
    ['call +49 151 1234 5678 now', 'call :phone now'],
    ['card 4111 1111 1111 1111', 'card :card'],
    ['iban DE89 3704 0044 0532 0130 00', 'iban :iban'],
    ['order 550e8400-e29b-41d4-a716-446655440000', 'order :uuid'],
    [`token ${JWT}`, 'token :jwt'],
    ['key a1b2c3d4e5f60718a9b8', 'key :token'],
    ['from 10.1.2.3', 'from :ip'],
    ['customer 98765432', 'customer :id'],
    ['sid=abc', 'sid=:token'],
    ['ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ', ':email'],
    ['４１１１ １１１１ １１１１ １１１１', ':card'],
    ['jane%40example.com', ':email'],
  ])('scrubs %j to %j', (input, expected) => {
    expect(scrubText(input, 'text'), input).toBe(expected);
  });

  it.each([
    'Summer Sale',
    'Hero Banner 2',
    'red shoes size 42',
    'now only 19.99 instead of 1,299.00',
    'offer ends 2026-11-25',
    'offer ends 25.11.2026',
    'SKU-1234-XL',
    'iphone 15 pro',
    'Größe 38 39 40 41',
    '100% cotton',
  ])('keeps the ordinary text %j unchanged', (input) => {
    expect(scrubText(input, 'text')).toBe(input);
  });

  it('returns the decoded text, so encoded and plain forms group together', () => {
    expect(scrubText('red%20shoes', 'text')).toBe('red shoes');
    expect(scrubText('100%25 cotton', 'text')).toBe('100% cotton');
  });
});

describe("scrubText with the 'id' profile", () => {
  it.each([
    '4006381333931',
    '12345678',
    '550e8400-e29b-41d4-a716-446655440000',
    '550e8400e29b41d4a716446655440000',
    'a3f9c2e1b4d5f6a7',
    'SKU-1234-XL',
    'SKU-1234-5678',
    '4111111111111111',
    'promo-2026-11-25',
    'ABC%2F123',
    'Damen > Schuhe > Sneaker',
  ])('keeps the shop id %j exactly as sent', (input) => {
    expect(scrubText(input, 'id')).toBe(input);
  });

  it.each([
    ['jane@example.com', ':email'],
    ['jane%40example.com', ':email'],
    ['+49 151 12345678', ':phone'],
    ['0151-12345678', ':phone'],
    ['4111 1111 1111 1111', ':card'],
    ['4111-1111-1111-1111', ':card'],
    ['DE89370400440532013000', ':iban'],
    [JWT, ':jwt'],
  ])('replaces the personal value in the id %j', (input, expected) => {
    expect(scrubText(input, 'id')).toBe(expected);
  });
});

describe('scrubText idempotence', () => {
  it.each([
    ['/account/jane%2540example.com/x%2Fy/12345678', 'path'],
    ['/x/%E2%82/%25/%2525', 'path'],
    ['ab:192.168.1.1 and ::ffff:10.0.0.1 and 2001:db8::1', 'text'],
    ['mail jane@example.com, +49 151 1234 5678', 'text'],
    ['sid=:token token=:jwt', 'text'],
    ['jane%40example.com 4111 1111 1111 1111', 'id'],
  ] as const)('scrubs %j (%s) to a fixed point in one pass', (input, profile) => {
    const once = scrubText(input, profile);
    expect(scrubText(once, profile)).toBe(once);
  });
});

describe('scrubbed text is well-formed Unicode', () => {
  /** A string survives a UTF-8 round trip exactly when it has no lone surrogate. */
  const isWellFormed = (text: string) => Buffer.from(text, 'utf8').toString('utf8') === text;
  const profiles: readonly ScrubProfile[] = ['path', 'text', 'id'];

  it.each([
    ['x\udc00y', 'x\ufffdy'],
    ['\ud800', '\ufffd'],
    ['a\ud83d', 'a\ufffd'],
    ['\ude00b', '\ufffdb'],
    ['\udc00\ud800', '\ufffd\ufffd'],
    ['ok\ud83d\ude00', 'ok\ud83d\ude00'],
  ])('replaces the lone surrogates of %j (JSON can carry them) and keeps pairs', (input, expected) => {
    for (const profile of profiles) expect(scrubText(input, profile), profile).toBe(expected);
    expect(normaliseSearchTerm(input)).toBe(expected);
    expect(scrubLabel(input, 64)).toBe(expected);
    expect(scrubId(input, 64)).toBe(expected);
  });

  it('gives well-formed output for any UTF-16 input, lone surrogates included', () => {
    const anyUnits = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc
        .array(fc.integer({ min: 0xd7f0, max: 0xe010 }), { maxLength: 12 })
        .map((units) => String.fromCharCode(...units)),
    );
    fc.assert(
      fc.property(anyUnits, (text) => {
        const outputs = [
          ...profiles.map((profile) => scrubText(text, profile)),
          normaliseSearchTerm(text),
          scrubLabel(text, 64),
          scrubId(text, 64),
        ];
        for (const output of outputs)
          expect(isWellFormed(output), JSON.stringify({ text, output })).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
