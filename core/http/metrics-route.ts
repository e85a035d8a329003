import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { KanonError, toErrorBody } from '../errors.js';
import type { Metrics } from '../metrics.js';
import { tokensMatch } from './tokens-match.js';

/**
 * GET /metrics (Prometheus text format) on every HTTP surface: collector, dashboards and the
 * workers' own port. The figures are counts and timings only, never request data, so by default
 * anyone who reaches the port can scrape them. With a token (`KANON_METRICS_TOKEN`) the route
 * wants `Authorization: Bearer <token>`, what Prometheus sends with `authorization.credentials`
 * in a scrape config, and answers 401 otherwise: a collector is public, and a shop may not want
 * its traffic volume read by anyone who knows the URL.
 */
export function registerMetricsRoute(
  app: FastifyInstance,
  options: { metrics: Metrics; token: string | undefined; routeConfig?: Record<string, unknown> },
): void {
  const { metrics, token } = options;
  app.get('/metrics', { config: options.routeConfig ?? {} }, async (request, reply) => {
    if (token !== undefined && !offersToken(request, token)) return refuse(reply);
    const { contentType, body } = await metrics.render();
    return reply.type(contentType).send(body);
  });
}

function offersToken(request: FastifyRequest, token: string): boolean {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match !== null && tokensMatch(token, match[1]!);
}

function refuse(reply: FastifyReply) {
  return reply
    .code(401)
    .header('WWW-Authenticate', 'Bearer realm="kanon-metrics"')
    .send(
      toErrorBody(
        new KanonError(
          'metrics_unauthorized',
          401,
          'This /metrics needs Authorization: Bearer with the token set in KANON_METRICS_TOKEN.',
        ),
      ),
    );
}
