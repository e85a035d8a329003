import { dropCutPlaceholder } from './placeholders.js';
import { capLength } from './text-shape.js';

/**
 * Caps already-scrubbed text at `max` code units and scrubs the cut text again with the same
 * `scrub`, until it fits. Scrubbing comes first so a cut can never leave half an e-mail address
 * behind; scrubbing again after the cut is needed because a cut changes shapes (a cut
 * `…/Aaaa/SKU-1234-` no longer reads as words and becomes a token), and it is what keeps the
 * result a fixed point: capping a capped value changes nothing. `scrub` must be idempotent.
 */
export function capScrubbed(scrubbed: string, max: number, scrub: (text: string) => string): string {
  let current = scrubbed;
  // Re-scrubbing only shortens text (placeholders are shorter than what they replace, bar a
  // five-character address), so this settles in one or two rounds.
  for (let round = 0; round < 3 && current.length > max; round++) {
    current = scrub(dropCutPlaceholder(capLength(current, max)));
  }
  return current.length > max ? dropCutPlaceholder(capLength(current, max)).trim() : current;
}
