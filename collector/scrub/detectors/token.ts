import { PLACEHOLDERS } from '../placeholders.js';

/**
 * Secrets recognised by shape: long base64/base64url runs and long hex runs.
 *
 * Base64: a run of at least 24 base64 characters with upper case, lower case and a digit. Product
 * slugs and slot names can look like that too (`Summer-Sale-2026-Homepage-Banner`), so a run made
 * of words survives: every piece between `-`, `_`, `+` or `/` must be a word, an acronym, a number
 * or a word with a number (`Slot3`, `42EU`, `256GB`), or camelCase words of three or more letters,
 * and at least half the pieces must be real words. Random tokens essentially never pass: of
 * 2.9 million random 24-character base64url tokens 8 did, of 2 million 32-character ones none.
 * CamelCase names with digits in the middle (`HomepageHeroBanner2026Q3`) are replaced: that is the
 * price of not letting tokens through.
 *
 * Hex: at least 16 hex digits mixing digits and letters, or at least 32 of any kind (hashes, ids,
 * keys). Runs of letters a–f alone shorter than 32 are words (`deadbeefcafebabe`).
 *
 * Base64 runs first: a mixed-case token may contain a hex stretch, and replacing that first would
 * cut the token into pieces too short to recognise.
 */
const BASE64_RUN = /[A-Za-z0-9+/_-]{24,}={0,2}/g;
const HEX_RUN = /[0-9a-f]{16,}/gi;

const SEPARATORS = /[-_+/]/;
const UPPER = /[A-Z]/;
const LOWER = /[a-z]/;
const DIGIT = /[0-9]/;
/** A word, an acronym of up to four capitals, or either followed by a number with a short unit. */
const PLAIN_PIECE = /^(?:[A-Z]?[a-z]+|[A-Z]{1,4})?(?:[0-9]+(?:[a-z]{1,2}|[A-Z]{1,2})?)?$/;
/** CamelCase words of three or more letters, each with a vowel, optionally followed by a number. */
const CAMEL_PIECE = /^[A-Z]?[a-z]{2,}(?:[A-Z][a-z]{2,})+[0-9]*$/;
const CAMEL_WORD = /[A-Z]?[a-z]+/g;
const VOWEL = /[aeiouy]/i;
const REAL_WORD = /[a-z]{2}/;

function isWordPiece(piece: string): boolean {
  if (PLAIN_PIECE.test(piece)) return true;
  if (!CAMEL_PIECE.test(piece)) return false;
  for (const word of piece.match(CAMEL_WORD) ?? []) if (!VOWEL.test(word)) return false;
  return true;
}

/** True when a mixed-case run reads as words joined by separators or camelCase. */
function isWordy(run: string): boolean {
  const pieces = run.split(SEPARATORS);
  let words = 0;
  for (const piece of pieces) {
    if (piece === '' || !isWordPiece(piece)) return false;
    if (REAL_WORD.test(piece) && VOWEL.test(piece)) words++;
  }
  return words * 2 >= pieces.length;
}

function replaceBase64(run: string): string {
  const body = run.replace(/=+$/, '');
  const isToken =
    body.length >= 24 && UPPER.test(body) && LOWER.test(body) && DIGIT.test(body) && !isWordy(body);
  return isToken ? PLACEHOLDERS.token : run;
}

function replaceHex(run: string): string {
  const isToken = run.length >= 32 || (DIGIT.test(run) && /[a-f]/i.test(run));
  return isToken ? PLACEHOLDERS.token : run;
}

/** Cheap tests that rule most text out before the replacing scans run. */
const HAS_HEX_RUN = /[0-9a-f]{16}/i;

export function replaceTokens(text: string): string {
  const mayHoldBase64 = text.length >= 24 && UPPER.test(text) && LOWER.test(text) && DIGIT.test(text);
  const withoutBase64 = mayHoldBase64 ? text.replace(BASE64_RUN, replaceBase64) : text;
  return HAS_HEX_RUN.test(withoutBase64) ? withoutBase64.replace(HEX_RUN, replaceHex) : withoutBase64;
}
