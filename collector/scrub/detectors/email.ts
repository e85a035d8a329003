import { PLACEHOLDERS } from '../placeholders.js';

/**
 * E-mail addresses: any RFC 5322 local part (letters, digits and ``!#$%&'*+/=?^_`{|}~.-``, so
 * `o'brien@…` and `+` tags go whole), Unicode local parts and domains, and an `@` written as `%40`
 * (a double-encoded URL that survived decoding, or an id sent encoded).
 *
 * The local part is taken as the whole run of address characters before the `@`: the lookbehind
 * makes every attempt start at the beginning of that run, which over-covers rather than
 * under-covers (`ref=jane@…` goes entirely) and keeps a 10 000-character run linear (without it
 * each start position would rescan the run). Retina image names (`logo@2x.png`; none of
 * those extensions is a top-level domain) are not addresses.
 */
const EMAIL =
  /(?<![\p{L}\p{N}!#$%&'*+/=?^_`{|}~.-])[\p{L}\p{N}!#$%&'*+/=?^_`{|}~.-]+(?:@|%40)(?![1-4](?:\.[0-9]+)?x\.(?:png|jpe?g|gif|webp|avif|svg)(?![\p{L}\p{N}]))[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/giu;

/** Trailing labels made only of digits: a version (`cli@4.5.0`) or text after the address (`….com.42`). */
const TRAILING_NUMBERS = /(?:\.[0-9]+)+$/;
const IPV4_DOMAIN = /(?:@|%40)\d{1,3}(?:\.\d{1,3}){3}$/i;
const DOMAIN_WITH_DOT = /(?:@|%40)[^.]+\./i;

function replaceAddress(match: string): string {
  if (IPV4_DOMAIN.test(match)) return PLACEHOLDERS.email;
  const numbers = TRAILING_NUMBERS.exec(match);
  if (!numbers) return PLACEHOLDERS.email;
  const address = match.slice(0, numbers.index);
  return DOMAIN_WITH_DOT.test(address) ? PLACEHOLDERS.email + match.slice(numbers.index) : match;
}

export function replaceEmails(text: string): string {
  if (!text.includes('@') && !text.includes('%')) return text;
  return text.replace(EMAIL, replaceAddress);
}
