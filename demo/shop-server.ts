import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { KanonError, toErrorBody } from '../core/errors.js';
import { SITE_ID } from '../core/sites.js';
import { demoFeedXml, demoProductImages } from './feed.js';

export interface DemoShopOptions {
  /** The collector's origin, or a function of the request's Host (so localhost and 127.0.0.1 both work). */
  collectorUrl: string | ((requestHost: string) => string);
  /** The site id the tracker tag names (`data-site`). */
  site: string;
}

interface ShopFile {
  body: Buffer;
  type: string;
  /** HTML pages carry {{COLLECTOR_URL}} and {{SITE}}, filled in per request. */
  template: boolean;
  etag: string;
}

const SHOP_DIR = fileURLToPath(new URL('./shop/', import.meta.url));
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

const hash = (data: Buffer | string, encoding: 'hex' | 'base64') =>
  createHash('sha256').update(data).digest(encoding);
const escapeAttribute = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Every servable file, read once at startup and keyed by URL path. Requests are answered from
 * this map only, never by joining a request path onto the disk, so no path can reach a file
 * outside demo/shop/.
 */
function loadShop(): Map<string, ShopFile> {
  const files = new Map<string, ShopFile>();
  for (const name of readdirSync(SHOP_DIR, { recursive: true, encoding: 'utf8' })) {
    const type = TYPES[extname(name)];
    const path = join(SHOP_DIR, name);
    if (!type || !statSync(path).isFile()) continue;
    const body = readFileSync(path);
    const urlPath = `/${name.split(sep).join('/')}`;
    const file = {
      body,
      type,
      template: urlPath.endsWith('.html'),
      etag: `"${hash(body, 'hex').slice(0, 16)}"`,
    };
    files.set(urlPath, file);
    // Pretty URLs: /coffee serves coffee.html, / serves index.html.
    if (file.template) files.set(urlPath.slice(0, -'.html'.length).replace(/\/index$/, '/'), file);
  }
  // The product pictures the shop's feed points to (demo/feed.ts).
  for (const [urlPath, svg] of demoProductImages()) {
    const body = Buffer.from(svg);
    files.set(urlPath, {
      body,
      type: TYPES['.svg']!,
      template: false,
      etag: `"${hash(body, 'hex').slice(0, 16)}"`,
    });
  }
  return files;
}

/** CSP hashes of the inline scripts (the kanon() snippet), so no 'unsafe-inline' is needed. */
function inlineScriptHashes(files: Map<string, ShopFile>): string {
  const hashes = new Set<string>();
  for (const file of files.values()) {
    if (!file.template) continue;
    for (const match of file.body.toString('utf8').matchAll(/<script>([\s\S]*?)<\/script>/g)) {
      hashes.add(`'sha256-${hash(match[1] ?? '', 'base64')}'`);
    }
  }
  return [...hashes].join(' ');
}

function collectorOrigin(option: DemoShopOptions['collectorUrl'], host: string): string | undefined {
  try {
    const url = new URL(typeof option === 'function' ? option(host) : option);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

function sendError(reply: FastifyReply, error: KanonError): FastifyReply {
  return reply.code(error.status).header('Cache-Control', 'no-store').send(toErrorBody(error));
}

/**
 * The demo storefront (demo/shop/) as a Fastify app, with the tracker tag pointed at the given
 * collector. A factory only: the caller decides where it listens. HTML is revalidated on every
 * visit (it is rendered per request); CSS and JS are cached for five minutes, with ETags.
 */
export function buildDemoShop(options: DemoShopOptions): FastifyInstance {
  if (!SITE_ID.test(options.site))
    throw new Error(`demo shop: site "${options.site}" is not a site id like shop-eu`);
  const files = loadShop();
  const scriptHashes = inlineScriptHashes(files);
  const app = Fastify({ logger: false });

  // The shop's product feed, as a shop publishes it for Merchant Center; links on the host it was asked on.
  app.get('/feed.xml', async (request, reply) =>
    reply
      .header('Cache-Control', 'no-cache')
      .type('application/xml; charset=utf-8')
      .send(demoFeedXml(`${request.protocol}://${request.host}`)),
  );

  app.get('/*', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const file = files.get(path);
    if (!file) return sendError(reply, new KanonError('not_found', 404, 'No such page in the demo shop.'));
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'strict-origin-when-cross-origin');
    if (!file.template) {
      reply.header('Cache-Control', 'public, max-age=300').header('ETag', file.etag);
      if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
      return reply.type(file.type).send(file.body);
    }

    const collector = collectorOrigin(options.collectorUrl, request.host);
    if (!collector)
      return sendError(reply, new KanonError('bad_host', 400, 'Host: no collector URL for this host.'));
    const html = file.body
      .toString('utf8')
      .replaceAll('{{COLLECTOR_URL}}', escapeAttribute(collector))
      .replaceAll('{{SITE}}', escapeAttribute(options.site));
    const etag = `"${hash(html, 'hex').slice(0, 16)}"`;
    reply.header('Cache-Control', 'no-cache').header('ETag', etag);
    reply.header(
      'Content-Security-Policy',
      [
        "default-src 'self'",
        `script-src 'self' ${collector} ${scriptHashes}`,
        `connect-src 'self' ${collector}`,
        "style-src 'self'",
        "img-src 'self' data:",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ].join('; '),
    );
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type(file.type).send(html);
  });

  return app;
}
