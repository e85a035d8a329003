import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SITE_ID } from '../../core/sites.js';
import { noteAudit } from '../audit/audit-trail.js';
import type { CatalogStore } from '../catalog/catalog-store.js';
import { catalogTooLarge, invalidBody, unknownSite } from '../errors.js';
import { parseBody } from './body.js';

/**
 * A feed uploaded on the admin page: large enough for tens of thousands of items with every
 * attribute Merchant Center has (about 1 KB an item), small enough that a mistaken upload of
 * something else is refused quickly.
 */
export const UPLOAD_MAX_BYTES = 100 * 1024 * 1024;
/** `npm run catalog -- import FILE` on this machine (the control routes): a whole export. */
export const CONTROL_MAX_BYTES = 2 * 1024 * 1024 * 1024;

const SiteParams = z.object({ site: z.string().regex(SITE_ID, 'must be a site id like shop-eu') });

/**
 * The product catalogue's routes: the admin page's (`/api/v1/sites/:site/catalog`, admin role,
 * CSRF-checked like every write) and the CLI's (`/control/v1/...`, loopback with the control token).
 * A PUT's body is the feed itself, TSV or XML, in any content type: it streams into the importer,
 * so memory holds a batch of items and never the whole feed.
 */
export function registerCatalogRoutes(
  app: FastifyInstance,
  options: { catalog: CatalogStore; siteIds: readonly string[]; control: boolean },
): void {
  const { catalog } = options;
  const site = (params: unknown) => {
    const id = parseBody(SiteParams, params).site;
    if (!options.siteIds.includes(id)) throw unknownSite();
    return id;
  };

  const show = async (request: FastifyRequest) => {
    const id = site(request.params);
    return { site: id, catalog: (await catalog.current(id)) ?? null };
  };

  const replace =
    (maxBytes: number, tooLargeHint: string) => async (request: FastifyRequest, reply: FastifyReply) => {
      const id = site(request.params);
      noteAudit(request, { target: id });
      const declared = Number(request.headers['content-length'] ?? Number.NaN);
      if (declared > maxBytes) {
        reply.header('Connection', 'close');
        throw catalogTooLarge(maxBytes, tooLargeHint);
      }
      const body = request.body as Readable | undefined;
      if (!body || declared === 0) throw invalidBody('', 'send the feed (TSV or XML) as the request body');
      const started = performance.now();
      try {
        const result = await catalog.importFeed(id, body, { maxBytes, tooLargeHint });
        // Counts only: a feed's values are the shop's, and logs are not the place for them.
        request.log.info(
          {
            site: id,
            format: result.format,
            items: result.items,
            badLines: result.badLines,
            seconds: Number(((performance.now() - started) / 1000).toFixed(2)),
          },
          'catalogue imported',
        );
        noteAudit(request, { rows: result.items, detail: `${result.format}, ${result.badLines} bad lines` });
        return { catalog: result };
      } catch (error) {
        // What is left of the body is read and dropped, so the client gets the answer rather than a
        // broken connection; a body over the limit is not read on, the connection closes instead.
        if ((error as { code?: string }).code === 'catalog_too_large') reply.header('Connection', 'close');
        else body.resume();
        throw error;
      }
    };

  app.register(async (scope) => {
    // In this scope only: any content type, handed over as the raw stream.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

    const admin = { config: { access: 'admin' as const } };
    scope.get('/api/v1/sites/:site/catalog', admin, show);
    scope.put(
      '/api/v1/sites/:site/catalog',
      { config: { access: 'admin', audit: 'catalog_import' } },
      replace(
        UPLOAD_MAX_BYTES,
        'Leave out the attributes Kanon does not read (description, shipping, ...), or import it with npm run catalog on the server.',
      ),
    );
    if (options.control) {
      const control = { config: { access: 'control' as const } };
      scope.get('/control/v1/sites/:site/catalog', control, show);
      scope.put(
        '/control/v1/sites/:site/catalog',
        { config: { access: 'control', audit: 'catalog_import' } },
        replace(CONTROL_MAX_BYTES, ''),
      );
    }
  });
}
