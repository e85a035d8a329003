import { isIP } from 'node:net';
import { PLACEHOLDERS } from './placeholders.js';
import { scrubText } from './scrub-text.js';
import { capLength } from './text-shape.js';

export const DIRECT = '(direct)';
export const INTERNAL = '(internal)';
export const IP_HOST = '(ip)';

/** The referrer column is 255 characters; a DNS name is at most 253. */
const MAX_HOST = 255;

/**
 * URL parsing lower-cases host names, which hides a base64 token from the token detector (it needs
 * mixed case). So in a host, a long label that mixes letters and digits is a token unless it reads
 * as a name: pieces between `-` and `_` of two or more characters, each all letters or all digits,
 * letter pieces pronounceable (a vowel, no five consonants in a row). `summer-sale-2026-deals`
 * passes; lower-cased random tokens pass about 6 times in a million at 24 characters. Punycode
 * labels (`xn--…`) are names.
 */
const MIN_TOKEN_LABEL = 24;
const LETTER = /[a-z]/;
const DIGIT = /[0-9]/;
const IPV4_SHAPE = /^[0-9.]+$/;
const NAME_PIECE = /^(?:[a-z]{2,}|[0-9]{2,})$/;
const DIGITS_ONLY = /^[0-9]+$/;
const VOWEL = /[aeiouy]/;
const CONSONANT_RUN = /[^aeiouy]{5}/;

function readsAsName(label: string): boolean {
  return label
    .split(/[-_]/)
    .every(
      (piece) =>
        NAME_PIECE.test(piece) &&
        (DIGITS_ONLY.test(piece) || (VOWEL.test(piece) && !CONSONANT_RUN.test(piece))),
    );
}

function scrubLabel(label: string): string {
  const tokenLike =
    label.length >= MIN_TOKEN_LABEL &&
    !label.startsWith('xn--') &&
    LETTER.test(label) &&
    DIGIT.test(label) &&
    !readsAsName(label);
  return tokenLike ? PLACEHOLDERS.token : label;
}

/** The host name without a port: `shop.example:8080` → `shop.example`, `[::1]:8080` → `[::1]`. */
function hostName(host: string): string {
  const end = host.startsWith('[') ? host.indexOf(']') + 1 : host.indexOf(':');
  return (end > 0 ? host.slice(0, end) : host).toLowerCase().replace(/\.$/, '');
}

/**
 * Invariant 2: a referrer is reduced to its host. Nothing of its path or query survives, and a host
 * that is itself sensitive does not either: an IP address (a visitor's own machine or a private
 * dashboard) becomes `(ip)`, and token-like or id-like labels (`3f2a…c9.preview.example`) are
 * scrubbed. `(direct)` covers no referrer, an unparseable one and non-web schemes such as
 * `android-app://`; `(internal)` a navigation within the site.
 */
export function reduceReferrer(referrer: string | undefined, pageHost: string): string {
  if (referrer === undefined || referrer.trim() === '') return DIRECT;
  let parsed: URL;
  try {
    parsed = new URL(referrer);
  } catch {
    // Unparseable referrers are counted as direct traffic, like browsers that send none.
    return DIRECT;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return DIRECT;
  const host = hostName(parsed.hostname);
  if (host === '') return DIRECT;
  if (host === hostName(pageHost)) return INTERNAL;
  // The URL parser writes every IPv4 form (`3232235777`, `0xC0A80101`) as dotted decimal and IPv6
  // in brackets, so only those two shapes need the full check.
  if (host.startsWith('[') || IPV4_SHAPE.test(host)) {
    if (isIP(host.startsWith('[') ? host.slice(1, -1) : host) !== 0) return IP_HOST;
  }
  const scrubbed = scrubText(host, 'text');
  const labels = scrubbed.length < MIN_TOKEN_LABEL ? scrubbed : scrubbed.split('.').map(scrubLabel).join('.');
  return capLength(labels, MAX_HOST);
}
