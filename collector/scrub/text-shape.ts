/** Small text helpers shared by the scrubbing entry points. */

const WHITESPACE_RUN = /\s+/g;

/**
 * Any character from U+00A0 up: where NFKC can change something. (U+0080 to U+009F are C1 control
 * characters, which NFKC leaves alone.)
 */
export const NON_ASCII = /[\u00a0-\uffff]/;

/** Turns every run of whitespace (including tabs, newlines and no-break spaces) into one space. */
export function collapseWhitespace(text: string): string {
  return text.replace(WHITESPACE_RUN, ' ').trim();
}

/**
 * Cuts `text` to at most `max` UTF-16 code units. zod's `.max()` counts code points, of which a
 * text has at most as many as code units, so a capped text always passes the event schema's limit.
 * A cut that would split a surrogate pair drops the lone high surrogate instead, so the
 * result is always well-formed Unicode.
 */
export function capLength(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, Math.max(0, max));
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}
