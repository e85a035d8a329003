import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SiteSecretStore } from '../../collector/site-secrets.js';
import { KanonError } from '../../core/errors.js';
import type { Warehouse } from '../../core/warehouse/warehouse.js';
import { noteAudit } from '../audit/audit-trail.js';
import { unknownSite } from '../errors.js';
import { parseBody } from './body.js';

export const secretExists = () =>
  new KanonError(
    'site_secret_exists',
    409,
    'This site has a secret already; rotate it (npm run site-secret -- rotate SITE) to replace it.',
  );

/**
 * `npm run site-secret -- create|rotate SITE` through the running Kanon that holds the embedded
 * store (loopback with the control token). Answers the new secret once; the audit log keeps who
 * made it (setting_changed, target site-secret:SITE), never the secret.
 */
export function registerSiteSecretRoutes(
  app: FastifyInstance,
  options: { warehouse: Warehouse; siteIds: readonly string[] },
): void {
  const store = new SiteSecretStore(options.warehouse, { cacheMs: 0 });
  app.post(
    '/control/v1/sites/:site/secret',
    { config: { access: 'control', audit: 'setting_changed' } },
    async (request, reply) => {
      const { site } = parseBody(z.object({ site: z.string().min(1).max(64) }), request.params);
      const { replace } = parseBody(z.object({ replace: z.boolean().default(false) }), request.body ?? {});
      if (!options.siteIds.includes(site)) throw unknownSite();
      noteAudit(request, { target: `site-secret:${site}`, detail: replace ? 'rotated' : 'created' });
      if (!replace && (await store.exists(site))) throw secretExists();
      return reply
        .header('Cache-Control', 'no-store')
        .code(201)
        .send({ site, secret: await store.rotate(site) });
    },
  );
}
