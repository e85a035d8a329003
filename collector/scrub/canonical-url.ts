import { capScrubbed } from './capped.js';
import type { PathTemplates } from './path-templates.js';
import { scrubText } from './scrub-text.js';
import { normaliseSearchTerm } from './search-term.js';
import { capLength, collapseWhitespace } from './text-shape.js';

export interface Utm {
  source: string;
  medium: string;
  campaign: string;
  content: string;
  term: string;
}

export interface CanonicalPage {
  /** `scheme://host[:port]` as `URL.origin` writes it, for the site check; never stored. */
  origin: string;
  /** Lower-cased host name, with the port only when it is not the scheme's default. */
  host: string;
  /** Scrubbed, decoded where safe, without empty segments or a trailing slash. */
  path: string;
  utm: Utm;
  /** The normalised value of the first configured search parameter present, when not empty. */
  searchTerm?: string;
}

export interface CanonicalUrlOptions {
  /** Query parameters a site may keep in future; not part of the output yet. */
  allowedParams: readonly string[];
  /** Query parameters that carry the site's search term, such as `q`. */
  searchParams: readonly string[];
  /** Keywords whose next path segment becomes a placeholder (KANON_PATH_TEMPLATES). */
  pathTemplates: PathTemplates;
}

export const MAX_PATH = 2048;
export const MAX_UTM = 128;

const UTM_KEYS = {
  utm_source: 'source',
  utm_medium: 'medium',
  utm_campaign: 'campaign',
  utm_content: 'content',
  utm_term: 'term',
} as const satisfies Record<string, keyof Utm>;

function isUtmKey(key: string): key is keyof typeof UTM_KEYS {
  return Object.hasOwn(UTM_KEYS, key);
}

/**
 * URLSearchParams costs more than the rest of the canonicalisation together, and most queries
 * (`?page=2&sort=price`) hold nothing Kanon keeps, so a substring check decides whether to parse.
 */
function mayHoldKeptParams(search: string, searchParams: readonly string[]): boolean {
  if (search.length < 2) return false;
  const lower = search.toLowerCase();
  return lower.includes('utm_') || searchParams.some((key) => lower.includes(key.toLowerCase()));
}

function parseHttpUrl(url: string): URL | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed : undefined;
  } catch {
    // Not a URL at all: the caller answers 400 for the event; nothing of it is kept.
    return undefined;
  }
}

/** Drops a trailing `%` or `%X` that a length cap cut out of an escape. */
function capPath(path: string): string {
  if (path.length <= MAX_PATH) return path;
  const cut = capLength(path, MAX_PATH);
  const percent = cut.lastIndexOf('%');
  return percent >= cut.length - 2 && percent !== -1 ? cut.slice(0, percent) : cut;
}

function canonicalPath(pathname: string, templates: PathTemplates): string {
  const scrubbed = scrubText(pathname, 'path');
  // Most paths have no empty segment to drop (no `//`, no trailing `/`): they need no split and join.
  const clean =
    scrubbed.startsWith('/') &&
    !scrubbed.includes('//') &&
    (scrubbed.length === 1 || !scrubbed.endsWith('/'));
  const tidy = clean
    ? scrubbed
    : `/${scrubbed
        .split('/')
        .filter((segment) => segment !== '')
        .join('/')}`;
  // Templates before the cap, so a cut can never leave the start of a name after its keyword.
  return capPath(templates.apply(tidy));
}

/** Scrubbed before lower-casing: the token detector needs the original case. */
const normaliseUtm = (value: string) => collapseWhitespace(scrubText(value, 'text')).toLowerCase();

function utmValue(value: string): string {
  return capScrubbed(normaliseUtm(value), MAX_UTM, normaliseUtm);
}

/**
 * Reduces a page URL to what Kanon keeps: host, scrubbed path, the five utm_* values and the
 * search term. Invariant 1: the fragment, user info and every other query parameter are dropped
 * unread, so no query-string value except these reaches the event. Returns undefined for anything
 * but an absolute http(s) URL.
 */
export function canonicalizePageUrl(url: string, options: CanonicalUrlOptions): CanonicalPage | undefined {
  const parsed = parseHttpUrl(url);
  if (!parsed) return undefined;
  const utm: Utm = { source: '', medium: '', campaign: '', content: '', term: '' };
  const seen = new Set<string>();
  const searchKeys = new Set(options.searchParams.map((key) => key.toLowerCase()));
  let search: string | undefined;
  const params = mayHoldKeptParams(parsed.search, options.searchParams) ? parsed.searchParams : [];
  for (const [rawKey, value] of params) {
    const key = rawKey.toLowerCase();
    // The first occurrence of a key wins, as in most server frameworks.
    if (seen.has(key)) continue;
    seen.add(key);
    if (isUtmKey(key)) utm[UTM_KEYS[key]] = utmValue(value);
    else if (search === undefined && searchKeys.has(key)) search = value;
  }
  const page: CanonicalPage = {
    origin: parsed.origin,
    host: parsed.host.toLowerCase(),
    path: canonicalPath(parsed.pathname, options.pathTemplates),
    utm,
  };
  const searchTerm = search === undefined ? '' : normaliseSearchTerm(search);
  if (searchTerm !== '') page.searchTerm = searchTerm;
  return page;
}
