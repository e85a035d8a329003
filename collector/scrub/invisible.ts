/**
 * Characters no stored label may hold: every control (Unicode category Cc: C0, DEL, C1) and every
 * default-ignorable code point (bidi marks, overrides and isolates, zero-width spaces and joiners,
 * the word joiner, soft hyphen, variation selectors, BOM, tag characters), plus the line and
 * paragraph separators. A control sequence in a label reaches a data engineer's terminal through
 * `npm run sql` (`ESC ] 0 ;` retitles it), and an invisible character makes two labels that look
 * the same count as two rows, or shows a name backwards (`U+202E`).
 */
const INVISIBLE = /[\p{Cc}\p{DI}\u2028\u2029]/u;
const INVISIBLE_ALL = /[\p{Cc}\p{DI}\u2028\u2029]/gu;
/**
 * Printable ASCII holds none of them, and almost every label is printable ASCII. Testing for
 * anything else first costs ~20 ns on a label; the Unicode-property test above costs ~250 ns (V8
 * runs it code point by code point), which made a beacon's labels and campaign values ~2 µs dearer.
 */
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/;
/** Controls and separators that stand between words where they occur in real text. */
const WORD_BREAKS = new Set(['\t', '\n', '\v', '\f', '\r', '\u0085', '\u2028', '\u2029']);

/**
 * Removes them. Tabs and line breaks become a space rather than nothing, because in pasted text
 * they separate words (`red\nshoes` is two words, not `redshoes`); the callers collapse runs of
 * spaces. Every other one is removed, not replaced: what renders as nothing is what the reader saw
 * (`s\u200Bale` is `sale` on screen, so it is stored as `sale`), and an escape sequence without its
 * ESC is harmless text. Replacing them with a visible mark would make look-alike labels differ.
 */
export function removeInvisible(text: string): string {
  if (!NOT_PRINTABLE_ASCII.test(text) || !INVISIBLE.test(text)) return text;
  return text.replace(INVISIBLE_ALL, (char) => (WORD_BREAKS.has(char) ? ' ' : ''));
}
