import { capScrubbed } from './capped.js';
import { scrubText } from './scrub-text.js';
import { collapseWhitespace, NON_ASCII } from './text-shape.js';

/** Longest search term kept, in UTF-16 code units; long enough for any real query. */
export const MAX_SEARCH_TERM = 100;

function normalise(q: string): string {
  const scrubbed = scrubText(collapseWhitespace(q.normalize('NFKC')), 'text');
  let lower = scrubbed.toLowerCase();
  // Lower-casing can leave a sequence NFKC would compose (`İ` becomes `i` plus a combining dot).
  if (NON_ASCII.test(lower)) lower = lower.normalize('NFKC');
  return collapseWhitespace(lower);
}

/**
 * A search term as the dashboards group it: NFKC-normalised, lower-cased, whitespace collapsed,
 * capped at 100 code units, scrubbed.
 *
 * Scrubbing happens before lower-casing and before the cap, not after: the token detector needs the
 * original mixed case to tell a secret from a word, and a cap applied first could cut an e-mail
 * address or card number in half, leaving a fragment no detector recognises (`jane.doe@exa`). A
 * placeholder the cap cuts short is dropped instead. Applying the function twice gives the same
 * result as once, which matters because a search event's term may come through it twice (from the
 * beacon and from the page URL).
 */
export function normaliseSearchTerm(q: string): string {
  return capScrubbed(normalise(q), MAX_SEARCH_TERM, normalise);
}
