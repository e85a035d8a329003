import { PLACEHOLDERS } from '../placeholders.js';
import { countDigits } from './digits.js';
import { passesLuhn } from './luhn.js';

export interface CardOptions {
  /**
   * Only numbers written in groups (`4111 1111 1111 1111`, `4111-1111-1111-1111`) count, and only
   * when they stand alone. For the shop's own ids: an EAN-13 barcode is 13 plain digits and passes
   * the Luhn check one time in ten, and a UUID's last groups can look like a grouped number.
   */
  requireSeparators?: boolean;
}

/**
 * Payment card numbers: 13 to 19 digits, optionally grouped with single spaces or dashes, passing
 * the Luhn check. The whole run of grouped digits is the candidate, so a card number is never
 * confused with part of a longer number (a 20-digit run is someone else's problem: the long-id
 * detector replaces it). A run right after `+` is a phone number, never a card.
 */
const DIGIT_RUN = /[0-9]+(?:[ -][0-9]+)*/g;
const SEPARATOR = /[ -]/;
const ALPHANUMERIC = /[\p{L}\p{N}]/u;
const GROUPED = /[0-9][ -][0-9]/;

function isCard(run: string, offset: number, text: string, requireSeparators: boolean): boolean {
  if (text.charAt(offset - 1) === '+') return false;
  const digits = run.replace(/[ -]/g, '');
  if (digits.length < 13 || digits.length > 19) return false;
  if (requireSeparators) {
    if (!SEPARATOR.test(run)) return false;
    if (ALPHANUMERIC.test(text.charAt(offset - 1)) || ALPHANUMERIC.test(text.charAt(offset + run.length))) {
      return false;
    }
  }
  return passesLuhn(digits);
}

export function replaceCardNumbers(text: string, options: CardOptions = {}): string {
  if (countDigits(text) < 13) return text;
  const requireSeparators = options.requireSeparators ?? false;
  if (requireSeparators && !GROUPED.test(text)) return text;
  return text.replace(DIGIT_RUN, (run: string, offset: number) =>
    isCard(run, offset, text, requireSeparators) ? PLACEHOLDERS.card : run,
  );
}
