/**
 * Sites are the shops a deployment collects for. Each has an id that the tracker tag names
 * (`data-site="shop-eu"`) and the exact origins its pages are served from; beacons from any
 * other origin are refused (invariant 9).
 */
export interface Site {
  id: string;
  origins: readonly string[];
  /**
   * Also accept `Origin: null`, which a page in a sandboxed frame sends (Shopify runs Custom
   * Pixels in one): listed as `null` among the site's origins. Such a request could come from
   * any sandboxed frame, so each event's page URL must still be on one of `origins`.
   */
  sandboxed?: true;
}

export const SITE_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export type SitesParseResult = { ok: true; sites: Site[] } | { ok: false; problem: string };

/**
 * Parses `id=origin[,origin…][;id=…]`, e.g.
 * `shop-eu=https://shop.example,https://www.shop.example;demo=http://localhost:8080`. The word
 * `null` among a site's origins marks it `sandboxed`; it still needs an origin of its own.
 */
export function parseSites(text: string): SitesParseResult {
  const sites: Site[] = [];
  const entries = text
    .split(';')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0)
    return { ok: false, problem: 'names no site; expected id=origin[,origin][;id=origin]' };
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    const id = (eq === -1 ? entry : entry.slice(0, eq)).trim();
    if (!SITE_ID.test(id)) {
      return { ok: false, problem: `site id "${id}" must be 1-63 lowercase letters, digits, - or _` };
    }
    if (sites.some((site) => site.id === id)) return { ok: false, problem: `site "${id}" is listed twice` };
    const origins = (eq === -1 ? '' : entry.slice(eq + 1))
      .split(/[\s,]+/)
      .map((origin) => origin.trim())
      .filter(Boolean);
    const real = origins.filter((origin) => origin !== 'null');
    if (real.length === 0) return { ok: false, problem: `site "${id}" has no allowed origin` };
    for (const origin of real) {
      const normalised = toOrigin(origin);
      if (normalised === undefined) {
        return { ok: false, problem: `site "${id}": "${origin}" is not an origin like https://shop.example` };
      }
    }
    const site: Site = { id, origins: real.map((origin) => toOrigin(origin) as string) };
    sites.push(real.length < origins.length ? { ...site, sandboxed: true } : site);
  }
  return { ok: true, sites };
}

/** An origin is scheme://host[:port] with nothing after it; returns its canonical form. */
export function toOrigin(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password || url.search || url.hash || url.pathname !== '/') return undefined;
  return url.origin;
}
