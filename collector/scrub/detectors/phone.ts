import { PLACEHOLDERS } from '../placeholders.js';
import { countDigits } from './digits.js';

/**
 * Phone numbers: 8 to 15 digits (the E.164 maximum) written either with a leading `+` (or `(+`),
 * or with separators (space, `-`, `.`, `/`, parentheses): `+49 151 1234 5678`, `(555) 123-4567`,
 * `0151-12345678`, `06 12 34 56 78`. A bare digit run is not a phone number here; the long-id
 * detector handles it.
 *
 * Candidates are maximal runs of digits, parentheses and single separators followed by a digit.
 * Each character has exactly one way to match, so the pattern cannot backtrack badly, and a
 * rejected run is skipped whole (a date followed by a time must not be re-read from its middle).
 *
 * Numbers that are not phone numbers survive: dates (`2026-11-25`, `25.11.2026`, `11/25/2026`,
 * checked as a leading date so `2026-11-25 10` stays too), years (`2025-2026`), lists of small
 * numbers (`38 39 40 41`, unless they start with 0 like French numbers), and digits glued to a
 * word before them (`SKU-1234-5678`), which are codes.
 */
const CANDIDATE = /(?<![0-9+])(?:\+|\(\+?)?[0-9](?:[0-9()]|[ ./-](?=[0-9(]))*/g;
const DATE_PREFIX =
  /^(?:(?:19|20)[0-9]{2}([-./])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12][0-9]|3[01])|(?:0?[1-9]|[12][0-9]|3[01])([-./])(?:0?[1-9]|1[0-2])\2(?:19|20)?[0-9]{2}|(?:0?[1-9]|1[0-2])\/(?:0?[1-9]|[12][0-9]|3[01])\/(?:19|20)?[0-9]{2})(?![0-9])/;
const YEAR = /^(?:19|20)[0-9]{2}$/;
const GROUPS = /[0-9]+/g;
const WORD_CHAR = /[\p{L}\p{N}]/u;
/** A phone number needs a `+` or a separator between digits; plain digit runs skip the scan. */
const MAY_HOLD_PHONE = /\+[0-9(]|[0-9)][ ./-]\(?[0-9]|\([0-9]/;

function isPhone(candidate: string, offset: number, text: string): boolean {
  const international = candidate.startsWith('+') || candidate.startsWith('(+');
  const groups = candidate.match(GROUPS) ?? [];
  const digits = groups.join('').length;
  if (digits < 8 || digits > 15) return false;
  if (international) return true;
  if (groups.length < 2) return false;
  const before = text.charAt(offset - 1);
  if (WORD_CHAR.test(before)) return false;
  if ((before === '-' || before === '_' || before === '/') && WORD_CHAR.test(text.charAt(offset - 2)))
    return false;
  if (groups.every((group) => YEAR.test(group))) return false;
  if (groups.every((group) => group.length <= 2) && !candidate.startsWith('0')) return false;
  return true;
}

/** Strips closing parentheses that close nothing: `(call 0151 1234567)` keeps its `)`. */
function unbalancedTail(candidate: string): number {
  let open = 0;
  let end = candidate.length;
  for (const char of candidate) if (char === '(') open++;
  let close = 0;
  for (const char of candidate) if (char === ')') close++;
  while (close > open && candidate[end - 1] === ')') {
    end--;
    close--;
  }
  return end;
}

function replaceCandidate(candidate: string, offset: number, text: string): string {
  const end = unbalancedTail(candidate);
  const number = candidate.slice(0, end);
  const rest = candidate.slice(end);
  const date = DATE_PREFIX.exec(number);
  if (date) {
    // A date can be followed by a phone number in the same run (`25.11.2026 0151 1234567`).
    const after = number.slice(date[0].length);
    const trimmed = after.replace(/^[ ./-]+/, '');
    const start = offset + date[0].length + (after.length - trimmed.length);
    const tail = trimmed !== '' && isPhone(trimmed, start, text) ? PLACEHOLDERS.phone : trimmed;
    return date[0] + after.slice(0, after.length - trimmed.length) + tail + rest;
  }
  return isPhone(number, offset, text) ? PLACEHOLDERS.phone + rest : candidate;
}

export function replacePhoneNumbers(text: string): string {
  if (countDigits(text) < 8 || !MAY_HOLD_PHONE.test(text)) return text;
  return text.replace(CANDIDATE, (candidate: string, offset: number) =>
    replaceCandidate(candidate, offset, text),
  );
}
