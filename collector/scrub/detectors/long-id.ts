import { PLACEHOLDERS } from '../placeholders.js';
import { countDigits } from './digits.js';

/**
 * National-ID-like and long numeric ids: customer, order and account numbers, tax and social
 * security numbers, timestamps. Replaced are
 *   - a run of 6 or more digits in "id position": not glued to a letter on either side, so it
 *     stands alone as a path segment or a word (`/orders/12345678`, `order_123456`, `id=1234567`);
 *   - a run of 10 or more digits anywhere (`ORD20261125001`), since no price, size or year is that
 *     long;
 *   - digits grouped by single spaces or dashes totalling 13 or more (`1234 5678 9012 3456 7890`),
 *     which fail the card check only because they are not cards.
 * What survives: prices (`19.99`, `1,299.00`), dates (`2026-11-25`, `25.11.2026`), years, sizes,
 * short numbers (`/page/2`), codes with short digit groups (`SKU-1234-XL`, `abc123`, `iphone15`).
 * Compact dates (`20261125`) are replaced: in id position they are indistinguishable from ids.
 */
const DIGIT_RUN = /[0-9]{6,}/g;
const GROUPED_RUN = /[0-9]+(?:[ -][0-9]+)+/g;
const LETTER = /\p{L}/u;

function isIdPosition(run: string, offset: number, text: string): boolean {
  if (run.length >= 10) return true;
  return !LETTER.test(text.charAt(offset - 1)) && !LETTER.test(text.charAt(offset + run.length));
}

export function replaceLongIds(text: string): string {
  const digits = countDigits(text);
  if (digits < 6) return text;
  const grouped =
    digits < 13
      ? text
      : text.replace(GROUPED_RUN, (run: string) => (countDigits(run) >= 13 ? PLACEHOLDERS.id : run));
  return grouped.replace(DIGIT_RUN, (run: string, offset: number) =>
    isIdPosition(run, offset, grouped) ? PLACEHOLDERS.id : run,
  );
}
