import { isIP } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../core/config.js';
import type { Metrics } from '../../core/metrics.js';
import {
  clientHeadersRequired,
  invalidEvent,
  secretInUrl,
  serverEventsUnavailable,
  siteSecretInvalid,
  siteSecretRequired,
  unknownSite,
} from '../errors.js';
import type { GroupCommitter } from '../group-commit.js';
import type { BeaconRequest, PipelineResult } from '../pipeline.js';
import type { SiteSecretVerifier } from '../site-secrets.js';

interface ServerEventDeps {
  config: Config['collector'];
  pipeline(request: BeaconRequest): Promise<PipelineResult>;
  committer: GroupCommitter;
  metrics: Metrics;
  secrets: SiteSecretVerifier | undefined;
}

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The one site a body's events name: a server-side request is authenticated for one site. */
function siteOf(body: unknown): string {
  const sites = new Set<unknown>();
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const record = body as { site?: unknown; events?: unknown };
    if (record.site !== undefined) sites.add(record.site);
    if (Array.isArray(record.events))
      for (const event of record.events)
        if (typeof event === 'object' && event !== null && 'site' in event) sites.add(event.site);
  }
  const [site] = sites;
  if (sites.size !== 1 || typeof site !== 'string')
    throw invalidEvent('site', "a server-side request carries one site's events, named by site");
  return site;
}

/**
 * POST /api/event: events from a shop's backend (an order confirmation an ad blocker would lose),
 * authenticated by the site's secret in `Authorization: Bearer`, never in the URL. The shopper's
 * address and request headers come as the shop received them (`Kanon-Client-IP`,
 * `Kanon-Client-User-Agent`, ...), so the same pipeline as /e runs on them: validation, opt-out
 * (Sec-GPC, DNT), bot checks, scrubbing, the visitor token, and the rate limit per shopper address.
 * The secret, the address and the user agent are never logged (request logging is off, and
 * errors name no value).
 */
export function registerServerEventRoutes(app: FastifyInstance, deps: ServerEventDeps): void {
  const sites = new Map(deps.config.sites.map((site) => [site.id, site]));
  const accepted = deps.metrics.counter(
    'kanon_collector_server_events_total',
    'Server-side events accepted into the queue (POST /api/event)',
  );
  // The same counters as /e's, by the same reasons: a drop is a drop wherever it came from.
  const dropped = deps.metrics.counter('kanon_collector_dropped_total', 'Events dropped, by reason', [
    'reason',
  ]);
  const optedOut = deps.metrics.counter(
    'kanon_collector_opted_out_total',
    'Events not recorded because the shopper opted out (Sec-GPC or DNT); the only trace they leave',
  );

  app.post(
    '/api/event',
    {
      config: {
        rateLimit:
          deps.config.rateLimitPerMinute > 0
            ? { keyGenerator: (request: FastifyRequest) => header(request, 'kanon-client-ip') ?? request.ip }
            : false,
      },
    },
    async (request, reply) => {
      // First, before anything else is looked at: a secret in a URL is refused, whatever it is.
      if (request.url.includes('?')) throw secretInUrl();
      const authorization = header(request, 'authorization');
      const secret = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
      if (!secret) throw siteSecretRequired();
      if (!deps.secrets) throw serverEventsUnavailable();
      const site = siteOf(request.body);
      if (!sites.has(site)) throw unknownSite();
      if (!(await deps.secrets.verify(site, secret))) throw siteSecretInvalid();

      const ip = header(request, 'kanon-client-ip')?.trim() ?? '';
      if (isIP(ip) === 0)
        throw clientHeadersRequired(
          "Kanon-Client-IP must be the shopper's IP address, as the shop received it.",
        );
      const userAgent = header(request, 'kanon-client-user-agent') ?? '';
      if (!userAgent)
        throw clientHeadersRequired(
          "Kanon-Client-User-Agent must be the shopper's User-Agent header, as the shop received it.",
        );
      const result = await deps.pipeline({
        body: request.body,
        // The secret proves the site: its own origin stands for the page's.
        origin: sites.get(site)?.origins.find((origin) => origin !== 'null'),
        ip,
        userAgent,
        acceptLanguage: header(request, 'kanon-client-accept-language'),
        secChUa: header(request, 'kanon-client-sec-ch-ua'),
        secFetchMode: header(request, 'kanon-client-sec-fetch-mode'),
        gpc: header(request, 'kanon-client-sec-gpc'),
        dnt: header(request, 'kanon-client-dnt'),
        backfill: false,
      });
      if (result.dropped) {
        dropped.inc({ reason: result.dropped.reason }, result.dropped.events);
        if (result.dropped.reason === 'opted_out') optedOut.inc(result.dropped.events);
      }
      await deps.committer.add(result.events);
      accepted.inc(result.events.length);
      // Unlike /e's answer to a browser (a bot learns nothing there), the shop's own backend is told
      // why events were dropped, so a missing Kanon-Client-* header is found, not silently lost.
      return reply.code(202).send({
        accepted: result.events.length,
        ...(result.dropped
          ? { dropped: { events: result.dropped.events, reason: result.dropped.reason } }
          : {}),
      });
    },
  );
}
