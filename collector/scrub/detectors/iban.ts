import { PLACEHOLDERS } from '../placeholders.js';
import { IBAN_LENGTHS } from './iban-lengths.js';
import { replaceAccepted } from './replace-accepted.js';

/**
 * IBANs: a country code, two check digits, then the account part, written solid or in groups
 * separated by single spaces, in either case (search terms arrive lower-cased). A candidate counts
 * only when its country is in the registry, it has exactly that country's length and it passes the
 * ISO 7064 mod-97 check, so product codes that merely look similar survive.
 *
 * The pattern is bounded (at most 30 characters after the check digits) and each attempt starts
 * at a word start, so retries stay linear.
 */
const CANDIDATE = /(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}/gi;
const ALPHANUMERIC = /[A-Za-z0-9]/;

/** ISO 7064 mod 97-10 over the rearranged IBAN, computed piecewise to stay within a double. */
export function passesIbanChecksum(iban: string): boolean {
  const rearranged = (iban.slice(4) + iban.slice(0, 4)).toUpperCase();
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    remainder = (value >= 10 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

/** Returns how many characters of the candidate form a valid IBAN, or 0. */
function ibanLength(match: RegExpExecArray, text: string): number {
  const candidate = match[0];
  const length = IBAN_LENGTHS[candidate.slice(0, 2).toUpperCase()];
  if (length === undefined) return 0;
  let compact = '';
  let end = 0;
  while (end < candidate.length && compact.length < length) {
    const char = candidate.charAt(end);
    if (char !== ' ') compact += char;
    end++;
  }
  if (compact.length < length) return 0;
  // The IBAN must end at a word boundary: a longer code that happens to start like one is not one.
  if (ALPHANUMERIC.test(text.charAt(match.index + end))) return 0;
  return passesIbanChecksum(compact) ? end : 0;
}

const MAY_START_IBAN = /[A-Za-z]{2}[0-9]{2}/;

export function replaceIbans(text: string): string {
  if (!MAY_START_IBAN.test(text)) return text;
  return replaceAccepted(text, CANDIDATE, PLACEHOLDERS.iban, ibanLength);
}
