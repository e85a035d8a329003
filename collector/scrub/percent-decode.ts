/**
 * Percent-decoding for detection. A value hidden behind one or more layers of URL encoding
 * (`jane%40example.com`, `jane%2540example.com`) is as sensitive as the plain one, so detectors
 * always look at the decoded text.
 */

const ESCAPE_RUN = /(?:%[0-9A-Fa-f]{2})+/g;
const ASCII_ESCAPE = /%[0-7][0-9A-Fa-f]/g;

/**
 * Layers decoded at most. Real URLs are encoded once, sometimes twice by a redirect; the bound keeps
 * hostile input (`%252525…`) linear. Text still encoded after that many layers keeps its last layer.
 */
const MAX_LAYERS = 4;

function decodeRun(run: string): string {
  try {
    return decodeURIComponent(run);
  } catch {
    // Invalid UTF-8 (`%E2%82` cut short): decode the ASCII escapes, which is where `@`, `.`, `:`
    // and digits live, and keep the rest encoded rather than guessing at the bytes.
    return run.replace(ASCII_ESCAPE, (code) => String.fromCharCode(Number.parseInt(code.slice(1), 16)));
  }
}

/** Decodes every valid `%XX` escape, layer after layer, and leaves stray `%` signs alone. */
export function percentDecode(text: string): string {
  let current = text;
  for (let layer = 0; layer < MAX_LAYERS && current.includes('%'); layer++) {
    const next = current.replace(ESCAPE_RUN, decodeRun);
    if (next === current) break;
    current = next;
  }
  return current;
}
