import { type CanonicalUrlOptions, canonicalizePageUrl } from '../../../collector/scrub/canonical-url.js';
import type { ParsedBeaconEvent } from '../../../collector/steps/parse-beacon.js';
import { toAnonymousEvent } from '../../../collector/steps/to-anonymous-event.js';
import type { AnonymousEvent } from '../../../schema/event.js';

/**
 * What no stored label may contain, written out from Unicode's own lists rather than taken from the
 * code under test: every control character (general category Cc: C0, DEL and C1), the line and
 * paragraph separators, and every default-ignorable code point (DerivedCoreProperties.txt: soft
 * hyphen, bidi marks, overrides and isolates, zero-width characters, word joiner and invisible
 * operators, Hangul fillers, variation selectors, BOM, tag characters).
 */
export const INVISIBLE_OR_CONTROL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what the tests look for
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: U+034F is listed alone, as a character to find
  /[\u0000-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\u{1bca0}-\u{1bca3}\u{1d173}-\u{1d17a}\u{e0000}-\u{e0fff}]/u;

/** Every string inside a value (an anonymous event, a canonical page), however deep. */
export function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringsOf);
  return [];
}

const CHROME = {
  device: 'desktop',
  browser: 'Chrome',
  os: 'Linux',
  bot: undefined,
  engine: 'chromium',
  major: 131,
} as const;

/** The anonymous event the collector makes of one beacon, with fixed request facts. */
export function anonymise(beacon: ParsedBeaconEvent, options: CanonicalUrlOptions): AnonymousEvent {
  const page = canonicalizePageUrl(beacon.url, options);
  const facts = { ts: 0, visitor: '1', client: CHROME, country: 'DE', page };
  return toAnonymousEvent(beacon, facts, { ...options, maxOrderCents: 100_000 }, 0);
}
