import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../core/config.js';
import { toErrorBody } from '../../core/errors.js';
import { tokensMatch } from '../../core/http/tokens-match.js';
import type { Metrics } from '../../core/metrics.js';
import { originNotAllowed } from '../errors.js';
import type { GroupCommitter } from '../group-commit.js';
import type { BeaconRequest, PipelineResult } from '../pipeline.js';
import { isKnownOrigin } from '../steps/check-origin.js';

interface BeaconRouteDeps {
  config: Config['collector'];
  pipeline(request: BeaconRequest): Promise<PipelineResult>;
  committer: GroupCommitter;
  metrics: Metrics;
}

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

function isBackfill(request: FastifyRequest, token: string | undefined): boolean {
  const offered = header(request, 'x-kanon-backfill');
  if (!token || !offered) return false;
  return tokensMatch(token, offered);
}

function allowOrigin(reply: FastifyReply, origin: string): void {
  reply.header('Access-Control-Allow-Origin', origin);
  reply.header('Vary', 'Origin');
}

/** Requests refused, by error code: the route's errors, and refuseWhileClosing's 503s. */
export const rejectedRequests = (metrics: Metrics) =>
  metrics.counter('kanon_collector_rejected_total', 'Requests refused, by error code', ['code']);

/**
 * POST /e takes one event or a batch, as application/json or text/plain (what sendBeacon sends),
 * and answers 202 only once its events are in Redis (invariant 5). OPTIONS /e answers CORS
 * preflights for the registered origins only.
 */
export function registerBeaconRoutes(app: FastifyInstance, deps: BeaconRouteDeps): void {
  const sites = new Map(deps.config.sites.map((site) => [site.id, site]));
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  // sendBeacon with a string body sends text/plain, which needs no preflight; parse it as JSON.
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, jsonParser);

  const accepted = deps.metrics.counter('kanon_collector_events_total', 'Events accepted into the queue');
  const dropped = deps.metrics.counter('kanon_collector_dropped_total', 'Events dropped, by reason', [
    'reason',
  ]);
  const optedOut = deps.metrics.counter(
    'kanon_collector_opted_out_total',
    'Events not recorded because the shopper opted out (Sec-GPC or DNT); the only trace they leave',
  );
  const rejected = rejectedRequests(deps.metrics);

  // Every answer to a registered shop page carries its CORS header, including those given before
  // the handler runs: a 429 from the rate limit, a 413 or 400 from the body parser, a 503 while
  // the collector shuts down. Without it the browser hides the answer behind a CORS error: the
  // tag could not tell a 503, which it sends again, from a network error, which it does not, and
  // a shop developer would see no error code in the console. A hook of the whole app, not of the
  // route, so that it runs before refuseWhileClosing's; other routes (/metrics) get no CORS header.
  app.addHook('onRequest', (request, reply, done) => {
    if (request.routeOptions.url === '/e') {
      const origin = header(request, 'origin');
      if (origin && isKnownOrigin(origin, sites)) allowOrigin(reply, origin);
    }
    done();
  });

  app.addHook('onError', async (_request, _reply, error) => {
    const code = (error as { code?: unknown }).code;
    rejected.inc({ code: typeof code === 'string' && /^[a-z_]+$/.test(code) ? code : 'other' });
  });

  app.post(
    '/e',
    { config: { rateLimit: deps.config.rateLimitPerMinute > 0 ? {} : false } },
    async (request, reply) => {
      const result = await deps.pipeline({
        body: request.body,
        origin: header(request, 'origin'),
        ip: request.ip,
        userAgent: header(request, 'user-agent') ?? '',
        acceptLanguage: header(request, 'accept-language'),
        secChUa: header(request, 'sec-ch-ua'),
        secFetchMode: header(request, 'sec-fetch-mode'),
        gpc: header(request, 'sec-gpc'),
        dnt: header(request, 'dnt'),
        backfill: isBackfill(request, deps.config.backfillToken),
      });
      if (result.dropped) {
        dropped.inc({ reason: result.dropped.reason }, result.dropped.events);
        if (result.dropped.reason === 'opted_out') optedOut.inc(result.dropped.events);
      }
      await deps.committer.add(result.events);
      accepted.inc(result.events.length);
      return reply.code(202).send({ accepted: result.events.length });
    },
  );

  app.options('/e', async (request, reply) => {
    if (!isKnownOrigin(header(request, 'origin'), sites)) {
      return reply.code(403).send(toErrorBody(originNotAllowed()));
    }
    reply.header('Access-Control-Allow-Methods', 'POST');
    reply.header('Access-Control-Allow-Headers', 'Content-Type');
    reply.header('Access-Control-Max-Age', '86400');
    return reply.code(204).send();
  });
}
