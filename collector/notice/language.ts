/** The languages of the shoppers' notice (/privacy); the first is the fallback. */
export const LANGUAGES = ['en', 'de', 'fr'] as const;
export type Language = (typeof LANGUAGES)[number];

export const isLanguage = (value: unknown): value is Language =>
  typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);

/** A browser sends a handful of ranges; more than this is not a browser, and is not read. */
const MAX_RANGES = 20;

/**
 * The notice's language for an `Accept-Language` header (RFC 9110 12.5.4): the supported
 * language of the range with the highest weight (`de-CH` counts as `de`, `q=0` as "not this"),
 * the earlier range on a tie; English when none is supported or the header is absent.
 */
export function negotiateLanguage(header: string | undefined): Language {
  let best: { language: Language; q: number } | undefined;
  for (const range of (header ?? '').split(',').slice(0, MAX_RANGES)) {
    const [tag = '', ...params] = range.split(';');
    const language = tag.trim().toLowerCase().split('-')[0];
    if (!isLanguage(language)) continue;
    const weight = params.map((param) => /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(param)).find(Boolean);
    const q = weight ? Number(weight[1]) : 1;
    if (q > 0 && q <= 1 && (!best || q > best.q)) best = { language, q };
  }
  return best?.language ?? LANGUAGES[0];
}
