import { describe, expect, it } from 'vitest';
import { normaliseSearchTerm } from '../../../collector/scrub/search-term.js';

describe('normaliseSearchTerm', () => {
  it.each([
    ['Red Shoes', 'red shoes'],
    ['  red \t\n shoes  ', 'red shoes'],
    ['ＲＥＤ　ｓｈｏｅｓ', 'red shoes'],
    ['ﬁlter', 'filter'],
    ['Größe 42', 'größe 42'],
    ['red%20shoes', 'red shoes'],
    ['', ''],
    ['   ', ''],
  ])('normalises %j to %j', (q, expected) => {
    expect(normaliseSearchTerm(q)).toBe(expected);
  });

  it.each([
    ['my order JANE@EXAMPLE.COM', 'my order :email'],
    ['call +49 151 1234 5678', 'call :phone'],
    ['4111 1111 1111 1111', ':card'],
    ['de89 3704 0044 0532 0130 00', ':iban'],
    ['Token Xk9pQ2mZ7vR4sT1uW8yB3nC6dF0hJ5', 'token :token'],
    ['order 98765432', 'order :id'],
  ])('scrubs %j to %j', (q, expected) => {
    expect(normaliseSearchTerm(q)).toBe(expected);
  });

  it('caps the term at 100 code units without splitting a surrogate pair', () => {
    expect(normaliseSearchTerm('x'.repeat(150))).toBe('x'.repeat(100));
    const capped = normaliseSearchTerm(`${'x'.repeat(99)}😀tail`);
    expect(capped).toBe('x'.repeat(99));
    expect(capped).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('scrubs before capping, so a value cut by the cap leaves no fragment behind', () => {
    const term = normaliseSearchTerm(`${'a '.repeat(45)}jane.doe@example.com`);
    expect(term).not.toContain('jane');
    expect(term).toBe(`${'a '.repeat(45)}:email`);
    const cut = normaliseSearchTerm(`${'a '.repeat(48)}jane.doe@example.com`);
    expect(cut).not.toContain('jane');
    expect(cut).not.toMatch(/:e?m?a?i?$/);
  });

  it('gives the same result when applied twice', () => {
    for (const q of [
      'Red  SHOES',
      'JANE@example.com 4111 1111 1111 1111',
      `${'x '.repeat(60)}+49 151 12345678`,
    ]) {
      const once = normaliseSearchTerm(q);
      expect(normaliseSearchTerm(once)).toBe(once);
    }
  });
});
