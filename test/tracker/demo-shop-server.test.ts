import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoShop } from '../../demo/shop-server.js';

/** A GET with the path sent exactly as written (fetch would normalise "../" away). */
function rawGet(port: number, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('demo shop server', () => {
  let app: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    // As `npm start` would: the collector on port 8080 of whichever host name the shopper used.
    app = buildDemoShop({ collectorUrl: (host) => `http://${host.replace(/:\d+$/, '')}:8080`, site: 'demo' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(() => app.close());

  it('serves every page with the tracker tag filled in for the host the shopper used', async () => {
    for (const page of [
      '/',
      '/coffee',
      '/tea',
      '/brewing',
      '/product',
      '/search',
      '/cart',
      '/checkout',
      '/thanks',
    ]) {
      const viaLocalhost = await fetch(`http://localhost:${port}${page}`);
      expect(viaLocalhost.status).toBe(200);
      const html = await viaLocalhost.text();
      expect(html).toContain(
        '<script defer src="http://localhost:8080/tracker.js" data-site="demo"></script>',
      );
      expect(html).toMatch(
        /<meta name="kanon:page-type" content="(home|category|product|search|cart|checkout)">/,
      );
      expect(html).not.toContain('{{');
    }
    const viaIp = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    expect(viaIp).toContain('src="http://127.0.0.1:8080/tracker.js"');
  });

  it('sends a CSP that allows only the shop, the collector and the hashed kanon() snippet', async () => {
    const response = await fetch(`http://localhost:${port}/coffee.html`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self' http:\/\/localhost:8080 'sha256-[A-Za-z0-9+/]+=*'(;|$)/);
    expect(csp).toContain("connect-src 'self' http://localhost:8080");
    expect(csp).not.toContain('unsafe-inline');
  });

  it('revalidates pages on every visit and caches assets for five minutes, with ETags', async () => {
    const page = await fetch(`http://localhost:${port}/`);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const asset = await fetch(`http://localhost:${port}/assets/style.css`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=300');
    expect(asset.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
    for (const response of [page, asset]) {
      const again = await fetch(response.url, {
        headers: { 'if-none-match': response.headers.get('etag') ?? '' },
      });
      expect(again.status).toBe(304);
    }
  });

  it('answers unknown files and path traversal attempts with 404 not_found', async () => {
    for (const path of [
      '/nope.html',
      '/../package.json',
      '/assets/../../package.json',
      '/%2e%2e/package.json',
      '/..%2f..%2fpackage.json',
      '/assets/%2e%2e/%2e%2e/shop-server.ts',
      '//etc/passwd',
      '/shop-server.ts',
    ]) {
      const response = await rawGet(port, path);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect(JSON.parse(response.body)).toEqual({
        error: { code: 'not_found', message: 'No such page in the demo shop.' },
      });
    }
  });

  it('refuses a Host header it cannot turn into a collector URL, without echoing it', async () => {
    const response = await rawGet(port, '/', { host: 'a"><script>alert(1)</script>' });
    expect(response.status).toBe(400);
    expect(response.body).not.toContain('<script>');
    expect(JSON.parse(response.body).error.code).toBe('bad_host');
  });

  it('refuses to build with a site id that is not one', () => {
    expect(() => buildDemoShop({ collectorUrl: 'http://localhost:8080', site: 'Not A Site' })).toThrow(
      /site id/,
    );
  });
});
