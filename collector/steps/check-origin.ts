import type { Site } from '../../core/sites.js';
import { originNotAllowed, originRequired, unknownSite } from '../errors.js';
import type { ParsedBeaconEvent } from './parse-beacon.js';

/**
 * Step 2 (invariant 9): every event names a registered site, and the request comes from a page on
 * one of that site's origins. Browsers always send Origin with a cross-origin POST and with
 * sendBeacon, so a missing Origin means the sender is not a storefront page. `Origin: null` (a
 * sandboxed frame, which sends no Referer either) passes only for a site listed as `sandboxed`.
 */
export function checkOrigin(
  events: readonly ParsedBeaconEvent[],
  origin: string | undefined,
  sites: ReadonlyMap<string, Site>,
): void {
  for (const event of events) {
    const site = sites.get(event.site);
    if (!site) throw unknownSite();
    if (origin === 'null' && site.sandboxed) continue;
    if (!origin || origin === 'null') throw originRequired();
    if (!site.origins.includes(origin)) throw originNotAllowed();
  }
}

/** Whether any site accepts beacons from this origin (answers CORS preflights). */
export function isKnownOrigin(origin: string | undefined, sites: ReadonlyMap<string, Site>): boolean {
  if (!origin) return false;
  for (const site of sites.values()) {
    if (origin === 'null' ? site.sandboxed : site.origins.includes(origin)) return true;
  }
  return false;
}

/**
 * Whether a page URL's origin (scheme, host and port, as `URL.origin` writes it) is one the site
 * serves pages from. Run on every event after the request's Origin passed checkOrigin: a beacon
 * may still name a page elsewhere (a copied tag, a forged body), and its path and campaign would
 * be counted under this site.
 */
export function isSitePage(pageOrigin: string, site: Site): boolean {
  return site.origins.includes(pageOrigin);
}
