import { removeInvisible } from './invisible.js';
import { percentDecode } from './percent-decode.js';
import { NON_ASCII } from './text-shape.js';

/**
 * The form detectors look at: percent-decoded, then NFKC-normalised when the text is not plain
 * ASCII, so fullwidth `＠` and `４１１１` read as `@` and `4111`. Decoding can reveal non-ASCII text
 * and NFKC can reveal `%` (fullwidth `％`), so the two repeat until nothing changes (bounded:
 * `percentDecode` is, and NFKC is idempotent). Controls and invisible characters go last in each
 * round, so that whatever decoding reveals (`%1B`, `%E2%80%AE`) is removed too, and removing one can
 * join what it split (`%\u200B41`, `e\u200B\u0301`), which the next round decodes or composes. Reaching
 * a fixed point here is what makes scrubbing twice the same as scrubbing once.
 */
export function canonicalForm(text: string): string {
  let current = text;
  for (let round = 0; round < 3; round++) {
    let next = current.includes('%') ? percentDecode(current) : current;
    if (NON_ASCII.test(next)) next = next.normalize('NFKC');
    next = removeInvisible(next);
    if (next === current) break;
    current = next;
  }
  return current;
}
