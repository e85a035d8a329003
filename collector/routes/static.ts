import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { KanonError, toErrorBody } from '../../core/errors.js';

/**
 * /tracker.js and /datalayer.js (the GA4 data layer add-on; cacheable, with an ETag),
 * /.well-known/gpc.json (the GPC support resource) and /privacy.json (what this deployment
 * collects and keeps, generated from its running config).
 */
export function registerStaticRoutes(
  app: FastifyInstance,
  deps: {
    trackerScript: string | undefined;
    dataLayerScript?: string | undefined;
    privacyFacts: (() => unknown) | undefined;
  },
): void {
  serveScript(app, '/tracker.js', deps.trackerScript);
  serveScript(app, '/datalayer.js', deps.dataLayerScript);
  app.get('/.well-known/gpc.json', async (_request, reply) => {
    reply.header('Access-Control-Allow-Origin', '*');
    return { gpc: true, lastUpdate: '2026-11-25' };
  });
  app.get('/privacy.json', async (_request, reply) => {
    reply.header('Access-Control-Allow-Origin', '*');
    return deps.privacyFacts ? deps.privacyFacts() : {};
  });
}

function serveScript(app: FastifyInstance, path: string, script: string | undefined): void {
  const etag = script ? `"${createHash('sha256').update(script).digest('base64url').slice(0, 16)}"` : '';
  app.get(path, async (request, reply) => {
    if (!script) {
      return reply
        .code(503)
        .send(
          toErrorBody(
            new KanonError(
              'tracker_not_built',
              503,
              `${path.slice(1)} is not built; run npm run build:tracker.`,
            ),
          ),
        );
    }
    reply.header('Cache-Control', 'public, max-age=3600, stale-while-revalidate=86400');
    reply.header('ETag', etag);
    reply.header('Access-Control-Allow-Origin', '*');
    reply.header('Cross-Origin-Resource-Policy', 'cross-origin');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('application/javascript; charset=utf-8').send(script);
  });
}
