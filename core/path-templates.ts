/**
 * Path templates (KANON_PATH_TEMPLATES): `keyword/:placeholder` pairs. Wherever a path has a
 * segment equal to `keyword` (any case), the segment after it becomes `:placeholder`. They exist
 * because a path can carry a person's name (`/account/john.smith/orders`), which no detector can
 * tell from a word. The collector applies them (collector/scrub/path-templates.ts); the syntax
 * lives here because config.ts validates it and core imports no stage.
 */
export interface PathTemplate {
  /** A lower-case path segment, such as `account`. */
  keyword: string;
  /** What the segment after it becomes: `:name` for what may name a person, `:id` for numbers. */
  placeholder: 'name' | 'id';
}

/** The keywords that introduce a person's account or an order in the paths of common shop systems. */
export const DEFAULT_PATH_TEMPLATES = [
  'account/:name',
  'user/:name',
  'users/:name',
  'customer/:name',
  'customers/:name',
  'profile/:name',
  'member/:name',
  'members/:name',
  'order/:id',
  'orders/:id',
].join(',');

/** The value that turns path templates off (an empty variable means "unset": the defaults). */
export const NO_PATH_TEMPLATES = 'none';

const ENTRY = /^([a-z0-9][a-z0-9_.~-]{0,63})\/:(name|id)$/;

export type PathTemplatesParseResult =
  | { ok: true; templates: PathTemplate[] }
  | { ok: false; problem: string; templates?: undefined };

/** Parses `keyword/:name,keyword/:id,…` or `none`. */
export function parsePathTemplates(text: string): PathTemplatesParseResult {
  if (text.trim().toLowerCase() === NO_PATH_TEMPLATES) return { ok: true, templates: [] };
  const templates: PathTemplate[] = [];
  const entries = text.split(',');
  for (const [index, entry] of entries.entries()) {
    const match = ENTRY.exec(entry.trim().toLowerCase());
    if (!match) {
      return {
        ok: false,
        problem: `entry ${index + 1} must be keyword/:name or keyword/:id, like account/:name`,
      };
    }
    const keyword = match[1] as string;
    if (templates.some((template) => template.keyword === keyword)) {
      return { ok: false, problem: `keyword "${keyword}" is listed twice` };
    }
    templates.push({ keyword, placeholder: match[2] as PathTemplate['placeholder'] });
  }
  return { ok: true, templates };
}

/** The default templates, parsed (for the bench and tests, which build their options by hand). */
export function defaultPathTemplates(): PathTemplate[] {
  return (parsePathTemplates(DEFAULT_PATH_TEMPLATES).templates ?? []).slice();
}
