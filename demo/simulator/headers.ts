import { acceptLanguage, type BrowserProfile } from './clients.js';
import type { Visitor } from './visitors.js';

/**
 * The request headers of a visitor's beacons, fixed per visitor: what the browser sends with the
 * tracker's fetch (a cross-origin or same-site POST with a text/plain body), the address the proxy
 * saw in X-Forwarded-For, and Sec-GPC for shoppers who opted out. Bots send what their kind sends.
 */
export const BACKFILL_HEADER = 'x-kanon-backfill';

function fetchSite(origin: string, collectorUrl: string): string {
  const page = new URL(origin);
  const collector = new URL(collectorUrl);
  if (page.origin === collector.origin) return 'same-origin';
  const site = (host: string) => host.split('.').slice(-2).join('.');
  return site(page.hostname) === site(collector.hostname) ? 'same-site' : 'cross-site';
}

/** Client hints go to secure contexts only (https, or localhost). */
const secureContext = (origin: string) => {
  const url = new URL(origin);
  return url.protocol === 'https:' || url.hostname === 'localhost' || url.hostname === '127.0.0.1';
};

function browserHeaders(
  browser: BrowserProfile,
  locale: string,
  origin: string,
  collectorUrl: string,
  headless = false,
): Record<string, string> {
  const headers: Record<string, string> = {
    accept: '*/*',
    'accept-language': headless ? 'en-US' : acceptLanguage(browser.engine, locale),
    'accept-encoding': browser.engine === 'safari' ? 'gzip, deflate, br' : 'gzip, deflate, br, zstd',
    referer: `${origin}/`,
    'sec-fetch-site': fetchSite(origin, collectorUrl),
    'sec-fetch-mode': 'cors',
    'sec-fetch-dest': 'empty',
  };
  if (browser.hints && secureContext(origin)) {
    headers['sec-ch-ua'] = browser.hints.brands;
    headers['sec-ch-ua-mobile'] = browser.hints.mobile ? '?1' : '?0';
    headers['sec-ch-ua-platform'] = `"${browser.hints.platform}"`;
  }
  return headers;
}

export function headersFor(visitor: Visitor, origin: string, collectorUrl: string): Record<string, string> {
  const client = visitor.client;
  const userAgent = client.kind === 'person' ? client.browser.userAgent : client.bot.userAgent;
  const base: Record<string, string> = {
    'content-type': 'text/plain;charset=UTF-8',
    origin,
    'user-agent': userAgent,
    'x-forwarded-for': visitor.ip,
  };
  if (client.kind === 'person') {
    const headers = {
      ...base,
      ...browserHeaders(client.browser, visitor.country.locale, origin, collectorUrl),
    };
    if (client.optedOut) headers['sec-gpc'] = '1';
    return headers;
  }
  const bot = client.bot;
  if (bot.browserHeaders) {
    const browser = bot.browser ?? {
      name: 'Headless Chrome',
      weight: 0,
      device: 'desktop',
      engine: 'chromium',
      userAgent: bot.userAgent,
      hints: {
        brands: '"Chromium";v="138", "Not)A;Brand";v="8", "HeadlessChrome";v="138"',
        mobile: false,
        platform: 'Linux',
      },
      viewports: [bot.viewport],
    };
    return { ...base, ...browserHeaders(browser, 'en-US', origin, collectorUrl, !bot.browser) };
  }
  // A scraper that copies a browser's user agent sets a language, but no Fetch metadata.
  if (bot.expect === 'missing_fetch_metadata')
    return { ...base, accept: '*/*', 'accept-language': 'en-US,en;q=0.9' };
  return { ...base, accept: '*/*' };
}
