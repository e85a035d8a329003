import { canonicalizePageUrl } from '../../collector/scrub/canonical-url.js';
import { PathTemplates } from '../../collector/scrub/path-templates.js';
import { type ClientDescription, parseClient } from '../../collector/steps/describe-client.js';
import { toAnonymousEvent } from '../../collector/steps/to-anonymous-event.js';
import { defaultPathTemplates } from '../../core/path-templates.js';
import { type AnonymousEvent, BeaconEvent } from '../../schema/event.js';
import { type BeaconJson, int, mulberry32, type Rng, type Shop, visitPages, Weighted } from './shop-model.js';

/**
 * The shoppers behind the synthetic traffic, in two forms: HTTP requests as the tracker sends them
 * (sections that load the collector), and the anonymous events the collector would make of them
 * (sections that fill the queue or staging directly). Anonymous events come from the collector's
 * own `toAnonymousEvent`, so paths, referrers, campaign fields and items are exactly what the
 * collector enqueues.
 */
const USER_AGENTS = new Weighted(
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
    'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
    'Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  ],
  [0.3, 0.1, 0.06, 0.22, 0.18, 0.06, 0.05, 0.03],
);
const WIDTHS = {
  mobile: [375, 390, 412, 430],
  tablet: [820, 1024],
  desktop: [1280, 1440, 1536, 1920],
};
const COUNTRIES = Weighted.zipf(
  ['DE', 'FR', 'NL', 'AT', 'CH', 'BE', 'IT', 'ES', 'PL', 'GB', 'SE', 'DK', 'US', 'CZ', 'LU'].concat([
    'IE',
    'PT',
    'FI',
    'NO',
    'HU',
    'RO',
    'GR',
    'SK',
    'SI',
    'ZZ',
  ]),
  1.1,
);
const LANGUAGES = ['de-DE,de;q=0.9,en;q=0.8', 'fr-FR,fr;q=0.9', 'en-GB,en;q=0.9', 'nl-NL,nl;q=0.9,en;q=0.6'];

export interface Shopper {
  /** 64-bit visitor token, decimal, as the collector mints it. */
  token: string;
  ip: string;
  userAgent: string;
  acceptLanguage: string;
  country: string;
  viewport: number;
}

const u32 = (rng: Rng) => BigInt(Math.floor(rng() * 2 ** 32));
const PRIVATE_FIRST_OCTETS = new Set([0, 10, 100, 127, 169, 172, 192, 198]);

export function newShopper(rng: Rng): Shopper {
  const userAgent = USER_AGENTS.pick(rng);
  const device = /iPad/.test(userAgent) ? 'tablet' : /Mobile/.test(userAgent) ? 'mobile' : 'desktop';
  let first = int(rng, 2, 223);
  while (PRIVATE_FIRST_OCTETS.has(first)) first = int(rng, 2, 223);
  return {
    token: ((u32(rng) << 32n) | u32(rng)).toString(),
    ip: `${first}.${int(rng, 0, 255)}.${int(rng, 0, 255)}.${int(rng, 1, 254)}`,
    userAgent,
    acceptLanguage: LANGUAGES[int(rng, 0, LANGUAGES.length - 1)]!,
    country: COUNTRIES.pick(rng),
    viewport: WIDTHS[device][int(rng, 0, WIDTHS[device].length - 1)]!,
  };
}

/** Headers of a real browser's beacon, so requests pass the collector's bot checks. */
export function browserHeaders(origin: string, shopper?: Shopper): Record<string, string> {
  return {
    'content-type': 'text/plain;charset=UTF-8',
    origin,
    'user-agent': shopper?.userAgent ?? USER_AGENTS.items[0]!,
    'accept-language': shopper?.acceptLanguage ?? LANGUAGES[0]!,
    'sec-fetch-mode': 'no-cors',
    'sec-fetch-site': 'cross-site',
    'sec-fetch-dest': 'empty',
    ...(shopper ? { 'x-forwarded-for': shopper.ip } : {}),
  };
}

const ANONYMISE = {
  searchParams: ['q', 'query', 'search'],
  allowedParams: ['q', 'query', 'search'],
  pathTemplates: new PathTemplates(defaultPathTemplates()),
  maxOrderCents: 1_000_000,
};

/** What makes two beacons anonymise alike; internal referrers all reduce to (internal). */
function beaconKey(beacon: BeaconJson, origin: string): string {
  if (beacon.items) return JSON.stringify(beacon);
  const referrer = typeof beacon.referrer === 'string' ? beacon.referrer : '';
  const product = beacon.product as { id: string } | undefined;
  return [
    beacon.type,
    beacon.url,
    referrer.startsWith(origin) ? origin : referrer,
    beacon.page_type,
    beacon.viewport,
    product?.id,
    beacon.quantity,
    beacon.depth,
    beacon.promo,
    beacon.slot,
    beacon.position,
    beacon.query,
    beacon.results,
  ].join('\u001f');
}

/** Turns beacon events into the anonymous events the collector enqueues, caching per distinct beacon. */
export function createAnonymiser(shop: Shop) {
  const templates = new Map<string, AnonymousEvent>();
  const clients = new Map<string, ClientDescription>();
  const placeholder = parseClient(USER_AGENTS.items[0]!);
  return (beacon: BeaconJson, ts: number, shopper: Shopper): AnonymousEvent => {
    const key = beaconKey(beacon, shop.origin);
    let template = templates.get(key);
    if (!template) {
      const parsed = BeaconEvent.parse({ ...beacon, site: shop.site });
      template = toAnonymousEvent(
        { ...parsed, site: shop.site },
        {
          ts: 0,
          visitor: '0',
          client: placeholder,
          country: 'ZZ',
          page: canonicalizePageUrl(parsed.url, ANONYMISE),
        },
        ANONYMISE,
        0,
      );
      if (templates.size > 500_000) templates.clear();
      templates.set(key, template);
    }
    let client = clients.get(shopper.userAgent);
    if (!client) {
      client = parseClient(shopper.userAgent);
      clients.set(shopper.userAgent, client);
    }
    return {
      ...template,
      ts,
      // Shoppers' addresses are random, and so are their tokens' network codes (the top 16 bits).
      visitor: shopper.token,
      device: client.device,
      browser: client.browser,
      os: client.os,
      country: shopper.country,
    };
  };
}

/** Share of a day's traffic in each hour: quiet nights, a busy afternoon and evening. */
export function hourlyShares(): number[] {
  const weights = Array.from(
    { length: 24 },
    (_, hour) => 0.15 + Math.max(0, Math.sin(((hour + 0.5 - 6) / 18) * Math.PI)) * 1.1,
  );
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((weight) => weight / sum);
}

/**
 * About `count` anonymous events of visits starting in [from, to), ts-ordered, clamped below `to`.
 * `shoppers` is the pool of the day: a quarter of visits are returning shoppers.
 */
export function eventsBetween(options: {
  rng: Rng;
  shop: Shop;
  anonymise: ReturnType<typeof createAnonymiser>;
  shoppers: Shopper[];
  count: number;
  from: number;
  to: number;
}): AnonymousEvent[] {
  const { rng, shop, shoppers } = options;
  const events: AnonymousEvent[] = [];
  while (events.length < options.count) {
    const returning = shoppers.length > 0 && rng() < 0.25;
    const shopper = returning ? shoppers[int(rng, 0, shoppers.length - 1)]! : newShopper(rng);
    if (!returning) shoppers.push(shopper);
    const start = options.from + Math.floor(rng() * (options.to - options.from));
    for (const page of visitPages(rng, shop, start, shopper.viewport)) {
      page.events.forEach((beacon, index) => {
        const ts = Math.min(options.to - 1, page.at + index * 150);
        events.push(options.anonymise(beacon, ts, shopper));
      });
    }
  }
  return events.sort((a, b) => a.ts - b.ts);
}

export interface BeaconRequestSpec {
  body: string;
  headers: Record<string, string>;
  events: number;
}

/** Tracker requests (one per page) of `size` synthetic visits' pages, each with its shopper's headers. */
export function requestPool(shop: Shop, seed: number, size: number): BeaconRequestSpec[] {
  const rng = mulberry32(seed);
  const pool: BeaconRequestSpec[] = [];
  while (pool.length < size) {
    const shopper = newShopper(rng);
    for (const page of visitPages(rng, shop, 0, shopper.viewport)) {
      pool.push({
        body: JSON.stringify({ site: shop.site, events: page.events }),
        headers: browserHeaders(shop.origin, shopper),
        events: page.events.length,
      });
    }
  }
  return pool.slice(0, size);
}

/** A batch of `n` events as one request body, mixed types, from consecutive synthetic pages. */
export function batchBody(shop: Shop, seed: number, n: number): string {
  const rng = mulberry32(seed);
  const events: BeaconJson[] = [];
  while (events.length < n) {
    const shopper = newShopper(rng);
    for (const page of visitPages(rng, shop, 0, shopper.viewport)) events.push(...page.events);
  }
  return JSON.stringify({ site: shop.site, events: events.slice(0, n) });
}

/** The single-event body of section 1: a ~400-byte landing pageview with campaign parameters. */
export function singleEventBody(shop: Shop): string {
  return JSON.stringify({
    site: shop.site,
    type: 'pageview',
    url: `${shop.origin}/products/coffee/ethiopia-yirgacheffe-natural-light-roast-250g?utm_source=newsletter&utm_medium=email&utm_campaign=spring-roast-2026&utm_content=hero-button`,
    referrer: 'https://www.google.com/search?q=ethiopian+yirgacheffe+natural+light+roast+whole+beans&hl=de',
    page_type: 'product',
    viewport: 1440,
    ts: 1767225600000,
  });
}
