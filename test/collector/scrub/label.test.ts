import { describe, expect, it } from 'vitest';
import { scrubId, scrubLabel } from '../../../collector/scrub/label.js';

describe('scrubLabel', () => {
  it.each([
    ['  Hero   Banner  ', 'Hero Banner'],
    ['Homepage\tSlot\n3', 'Homepage Slot 3'],
    ['Summer-Sale-2026-Homepage-Banner', 'Summer-Sale-2026-Homepage-Banner'],
    ['Newsletter for jane@example.com', 'Newsletter for :email'],
    ['Slot of customer 98765432', 'Slot of customer :id'],
  ])('turns %j into %j', (label, expected) => {
    expect(scrubLabel(label, 64)).toBe(expected);
  });

  it('caps after scrubbing and drops a placeholder the cap cuts short', () => {
    expect(scrubLabel('x'.repeat(80), 64)).toBe('x'.repeat(64));
    expect(scrubLabel(`${'x'.repeat(60)} jane@example.com`, 64)).toBe('x'.repeat(60));
    expect(scrubLabel(`${'x'.repeat(50)} jane@example.com`, 64)).toBe(`${'x'.repeat(50)} :email`);
  });
});

describe('scrubId', () => {
  it.each(['4006381333931', '550e8400-e29b-41d4-a716-446655440000', 'a3f9c2e1b4d5f6a7', 'SKU-1234-XL'])(
    'keeps the product id %j',
    (id) => {
      expect(scrubId(id, 64)).toBe(id);
    },
  );

  it('trims, caps and scrubs personal values out of an id', () => {
    expect(scrubId('  SKU-1  ', 64)).toBe('SKU-1');
    expect(scrubId('x'.repeat(70), 64)).toBe('x'.repeat(64));
    expect(scrubId('wishlist-jane@example.com', 64)).toBe(':email');
    expect(scrubId('gift-card 4111 1111 1111 1111', 64)).toBe('gift-card :card');
  });
});
