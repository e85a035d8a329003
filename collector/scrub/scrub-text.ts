import { canonicalForm } from './canonical-form.js';
import { replaceCardNumbers } from './detectors/card.js';
import { replaceEmails } from './detectors/email.js';
import { replaceIbans } from './detectors/iban.js';
import { replaceIpAddresses } from './detectors/ip.js';
import { replaceJwts } from './detectors/jwt.js';
import { replaceLongIds } from './detectors/long-id.js';
import { replacePhoneNumbers } from './detectors/phone.js';
import { replaceSessionParams } from './detectors/session-param.js';
import { replaceTokens } from './detectors/token.js';
import { replaceUuids } from './detectors/uuid.js';
import { removeInvisible } from './invisible.js';
import { percentDecode } from './percent-decode.js';
import { NON_ASCII } from './text-shape.js';

/**
 * Invariant 2: sensitive values are replaced by typed placeholders before anything is enqueued.
 *
 * - `text`: search terms, slot, promotion and element names. Every detector runs on the
 *   percent-decoded, NFKC-normalised text, and the result is that canonical text.
 * - `path`: a URL path. Every detector runs on each decoded segment separately (so `/2026/11/25`
 *   is three short numbers, not one long one); characters that would change the path's structure
 *   or are invisible are re-encoded, placeholders are not (`:` is safe in a path).
 * - `id`: product ids, promotion ids and categories chosen by the shop. Those are the shop's own
 *   identifiers, and numeric ids, UUIDs and hex SKUs are everyday product ids, so only values that
 *   cannot be a product id are replaced: e-mail addresses, phone numbers written with `+` or
 *   separators, JWTs, IBANs and card numbers written in groups. A plain 13-digit run stays because
 *   EAN-13 barcodes are 13 digits and one in ten passes the Luhn check. The id is returned as sent
 *   unless something was replaced.
 */
export type ScrubProfile = 'path' | 'text' | 'id';

type Detector = (text: string) => string;

/**
 * Detector order, most specific first, because later detectors would shred what earlier ones
 * recognise whole:
 *  1. JWT: its segments are base64 (token), it contains dots (e-mail domains).
 *  2. e-mail: the local part can hold digits, hex and dots (phone, id, token, IP).
 *  3. UUID: its groups are hex and digits (token, phone, id).
 *  4. IBAN: its account part is a long digit run that may pass Luhn (card, id) and its country
 *     code plus digits reads as hex (token).
 *  5. IP: dotted digits look like a phone number, IPv6 groups like hex.
 *  6. session parameters: the key tells more than the value's shape, so it goes before the shape
 *     detectors.
 *  7. tokens: long hex and base64; before the digit detectors so a token keeps its label and is
 *     replaced whole rather than around its digit runs.
 *  8. card: before phone, since grouped card digits look like a phone number.
 *  9. phone: before ids, since a phone number's longest group would otherwise become `:id`.
 * 10. long ids: whatever numeric id is left.
 */
const TEXT_DETECTORS: readonly Detector[] = [
  replaceJwts,
  replaceEmails,
  replaceUuids,
  replaceIbans,
  replaceIpAddresses,
  replaceSessionParams,
  replaceTokens,
  (text) => replaceCardNumbers(text),
  replacePhoneNumbers,
  replaceLongIds,
];

/** The same order, restricted to the values that can never be a shop's product id. */
const ID_DETECTORS: readonly Detector[] = [
  replaceJwts,
  replaceEmails,
  replaceIbans,
  (text) => replaceCardNumbers(text, { requireSeparators: true }),
  replacePhoneNumbers,
];

/**
 * Cheap early exit, tested before any detector: every detector needs one of these to match (a
 * digit, `@`, `%`, `=`, `:`, a JWT header, an all-letter hex run or UUID). Most labels and path
 * segments have none and cost one scan. Two patterns, because V8 runs a single alternation with
 * the `i` flag several times slower.
 */
const TRIGGER_CHARS = /[0-9@%=:]|eyJ/;
const LETTER_HEX = /[a-f]{32}|[a-f]{8}-[a-f]{4}-/i;
const mayHoldSensitive = (text: string) => TRIGGER_CHARS.test(text) || LETTER_HEX.test(text);
const ID_TRIGGER = /[0-9@%]|eyJ/;
/** Characters re-encoded in a path segment: structure (`/ ? # %`), invisible and WHATWG-encoded ones. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what must be encoded
const PATH_UNSAFE = /[\s\x00-\x1f"#%/<>?`{}\x7f-\x9f]/g;
/** The same set without `/`, to decide whether a whole path needs any work at all. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what must be encoded
const SEGMENT_UNSAFE = /[\s\x00-\x1f"#%<>?`{}\x7f-\x9f]/;

/**
 * Passes at most. A replacement can create a match that was not there before: a placeholder joins
 * its neighbours (`4111 1111 1111 1111/HeroBanner…` becomes `:card/HeroBanner…`, whose letters run
 * on into a token-shaped string). So the detectors run again until nothing changes, which also
 * makes scrubbing idempotent. Every replacement consumes at least one character that is not part of
 * a placeholder, so the loop ends; in practice one pass finds everything and a second confirms it,
 * and text with nothing to replace (almost all of it) costs one pass.
 */
const MAX_PASSES = 4;

function runDetectors(text: string, detectors: readonly Detector[]): string {
  let current = text;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let next = current;
    for (const detect of detectors) next = detect(next);
    if (next === current) break;
    current = next;
  }
  return current;
}

function scrubCanonical(text: string): string {
  const canonical = canonicalForm(text);
  return mayHoldSensitive(canonical) ? runDetectors(canonical, TEXT_DETECTORS) : canonical;
}

function scrubPathSegment(segment: string): string {
  const scrubbed = scrubCanonical(segment);
  return scrubbed.includes('/') || SEGMENT_UNSAFE.test(scrubbed)
    ? scrubbed.replace(PATH_UNSAFE, (char) => encodeURIComponent(char))
    : scrubbed;
}

function scrubPath(path: string): string {
  const plain = !path.includes('%') && !NON_ASCII.test(path) && !SEGMENT_UNSAFE.test(path);
  if (!plain) return path.split('/').map(scrubPathSegment).join('/');
  if (!mayHoldSensitive(path)) return path;
  // Nothing to decode, normalise or encode: only segments that may hold a value need the detectors.
  return path
    .split('/')
    .map((segment) => (mayHoldSensitive(segment) ? runDetectors(segment, TEXT_DETECTORS) : segment))
    .join('/');
}

function scrubIdValue(raw: string): string {
  // Controls and invisible characters go whatever else the id holds, also once decoded (`%1B`).
  const id = removeInvisible(raw);
  const decoded = id.includes('%') ? removeInvisible(percentDecode(id)) : id;
  if (!ID_TRIGGER.test(decoded)) return id;
  const scrubbed = runDetectors(decoded, ID_DETECTORS);
  return scrubbed === decoded ? id : scrubbed;
}

export function scrubText(input: string, profile: ScrubProfile): string {
  // Every scrubbed field comes through here, so every stored text is well-formed Unicode: JSON can
  // carry a lone surrogate ("\ud800"), which the engine would store as invalid UTF-8. toWellFormed
  // (ES2024, Node 20) replaces each with U+FFFD.
  const text = input.toWellFormed();
  switch (profile) {
    case 'path':
      return scrubPath(text);
    case 'id':
      return scrubIdValue(text);
    case 'text':
      return scrubCanonical(text);
  }
}
