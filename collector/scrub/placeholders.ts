/**
 * The typed placeholders that replace sensitive values. They are plain lower-case words behind a
 * colon so that they survive every later step unchanged: no detector matches them, percent-encoding
 * leaves `:` alone in a path, and lower-casing a search term does not alter them.
 */
export const PLACEHOLDERS = {
  email: ':email',
  phone: ':phone',
  card: ':card',
  iban: ':iban',
  uuid: ':uuid',
  jwt: ':jwt',
  token: ':token',
  ip: ':ip',
  id: ':id',
  /** Not found by a detector: what follows a path template's keyword (`/account/:name`). */
  name: ':name',
} as const;

export type Placeholder = (typeof PLACEHOLDERS)[keyof typeof PLACEHOLDERS];

const NAMES: readonly string[] = Object.values(PLACEHOLDERS).map((placeholder) => placeholder.slice(1));

/**
 * Removes a placeholder that a length cap has cut short (`:ema`), so dashboards never show half a
 * word. Call it only on text that was actually cut: a whole placeholder, or a colon followed by
 * anything that is not the start of a placeholder name, stays.
 */
export function dropCutPlaceholder(text: string): string {
  const colon = text.lastIndexOf(':');
  if (colon === -1) return text;
  const tail = text.slice(colon + 1);
  const isCut = !NAMES.includes(tail) && NAMES.some((name) => name.startsWith(tail));
  return isCut ? text.slice(0, colon) : text;
}
