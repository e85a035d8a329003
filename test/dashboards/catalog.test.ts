import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test as base, describe, expect } from 'vitest';
import { z } from 'zod';
import { importDemoCatalog } from '../../bin/runtime/demo-catalog.js';
import { parseBeacon } from '../../collector/steps/parse-beacon.js';
import { loadConfig } from '../../core/config.js';
import { serveControlToken } from '../../dashboards/auth/control-token.js';
import { CatalogStore, MAX_IMAGE_ORIGINS } from '../../dashboards/catalog/catalog-store.js';
import { productDetails } from '../../dashboards/catalog/product-details.js';
import { UPLOAD_MAX_BYTES } from '../../dashboards/routes/catalog.js';
import { buildDemoShop } from '../../demo/shop-server.js';
import { CATALOG_TABLE } from '../../schema/tables.js';
import { purgeSite } from '../../workers/purge-site.js';
import { captureLogs } from '../fixtures/log-sink.js';
import { runCli } from '../fixtures/run-cli.js';
import { type DashboardsHarness, SITE, startDashboards } from './fixtures/dashboards-app.js';

/**
 * The product catalogue (issue 26, "Names, not ids"): a shop's Merchant Center feed, imported by
 * upload, by `npm run catalog` and at start for the demo, names the products the dashboards show.
 * Real engine, real HTTP, real CLI processes.
 */
const test = base.extend(
  'dash',
  { scope: 'file' },
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern.
  async ({}, { onCleanup }): Promise<DashboardsHarness & { dataDir: string; catalog: CatalogStore }> => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kanon-catalog-'));
    const control = await serveControlToken(dataDir);
    const harness = await startDashboards({ controlToken: control?.token, cacheSeconds: 0 });
    onCleanup(async () => {
      await harness.close();
      await control?.close();
    });
    return Object.assign(harness, { dataDir, catalog: new CatalogStore(harness.warehouse) });
  },
);

/** The fixture's products (test/dashboards/fixtures/published-templates.ts), as a shop lists them. */
const PRODUCTS = [
  ['yirgacheffe-250g', 'Ethiopia Yirgacheffe 250 g', 'in stock'],
  ['huila-250g', 'Colombia Huila 250 g', 'in stock'],
  ['mandheling-250g', 'Sumatra Mandheling 250 g', 'out of stock'],
  ['house-espresso-1kg', 'House Espresso Blend 1 kg', 'in stock'],
  ['darjeeling-first-flush', 'Darjeeling First Flush', 'preorder'],
  ['sencha-asamushi', 'Sencha Asamushi', 'in stock'],
  ['earl-grey-classic', 'Earl Grey Classic', 'in stock'],
  ['gooseneck-kettle', 'Gooseneck Kettle', 'backorder'],
  ['burr-grinder', 'Burr Grinder', 'in stock'],
  ['v60-dripper', 'V60 Dripper', 'in stock'],
  ['cold-brew-kit', 'Cold Brew Kit', 'in stock'],
] as const;

const SHOP = 'https://shop.example';
const CDN = 'https://cdn.shop.example';

function tsvFeed(title = (name: string) => name): string {
  const header = 'id\ttitle\tdescription\tlink\timage link\tprice\tavailability\tproduct_type\n';
  return (
    header +
    PRODUCTS.map(
      ([id, name, availability]) =>
        `${id}\t${title(name)}\tA fine thing.\t${SHOP}/p/${id}\t${CDN}/${id}.jpg\t12.90 EUR\t${availability}\tCoffee > Beans\n`,
    ).join('')
  );
}

function rssFeed(items: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0">
<channel>
<title>Hearth &amp; Bean</title>
<link>${SHOP}</link>
${items}
</channel>
</rss>
`;
}

const from = (text: string) => Readable.from([Buffer.from(text)]);
const LIMIT = { maxBytes: 10 * 1024 * 1024 };

interface ProductRow {
  product: string;
  product_id: string;
  product_image: string | null;
  product_link: string | null;
  availability: string | null;
  level: number;
}

describe('importing a feed', () => {
  test('reads a TSV feed with a header and names every listed product', async ({ dash }) => {
    const result = await dash.catalog.importFeed(SITE, from(tsvFeed()), LIMIT);
    expect(result).toMatchObject({ format: 'tsv', items: PRODUCTS.length, badLines: 0, imageOrigins: [CDN] });
    const details = await productDetails(dash.warehouse, SITE, ['mandheling-250g', 'not-in-the-feed']);
    expect([...details.keys()]).toEqual(['mandheling-250g']);
    expect(details.get('mandheling-250g')).toEqual({
      title: 'Sumatra Mandheling 250 g',
      link: `${SHOP}/p/mandheling-250g`,
      image: `${CDN}/mandheling-250g.jpg`,
      availability: 'out_of_stock',
    });
    expect(await dash.catalog.current(SITE)).toMatchObject({ items: PRODUCTS.length, format: 'tsv' });
  });

  test('reads an RSS feed by the g: namespace, whatever its prefix, and an Atom feed', async ({ dash }) => {
    const rss = rssFeed(`
<item>
  <g:id>v60-dripper</g:id>
  <title><![CDATA[V60 Dripper <ceramic>]]></title>
  <link>${SHOP}/p/v60</link>
  <g:image_link>${CDN}/v60.jpg</g:image_link>
  <g:price>24.00 EUR</g:price>
  <g:availability>in_stock</g:availability>
  <g:shipping><g:country>DE</g:country><g:price>4.90 EUR</g:price></g:shipping>
</item>
<item><g:id>burr-grinder</g:id><g:title>Burr Grinder</g:title><g:availability>out of stock</g:availability></item>`);
    expect(await dash.catalog.importFeed(SITE, from(rss), LIMIT)).toMatchObject({ format: 'xml', items: 2 });
    const rssDetails = await productDetails(dash.warehouse, SITE, ['v60-dripper', 'burr-grinder']);
    expect(rssDetails.get('v60-dripper')).toEqual({
      title: 'V60 Dripper <ceramic>',
      link: `${SHOP}/p/v60`,
      image: `${CDN}/v60.jpg`,
      availability: 'in_stock',
    });
    expect(rssDetails.get('burr-grinder')?.availability).toBe('out_of_stock');

    const atom = `<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:merchant="http://base.google.com/ns/1.0">
  <title>Hearth &amp; Bean</title>
  <entry>
    <id>tag:shop.example,2026:entry-1</id>
    <title>Gooseneck Kettle</title>
    <link rel="alternate" href="${SHOP}/p/kettle"/>
    <merchant:id>gooseneck-kettle</merchant:id>
    <merchant:availability>backorder</merchant:availability>
  </entry>
</feed>`;
    expect(await dash.catalog.importFeed(SITE, from(atom), LIMIT)).toMatchObject({ format: 'xml', items: 1 });
    const atomDetails = await productDetails(dash.warehouse, SITE, ['gooseneck-kettle']);
    expect(atomDetails.get('gooseneck-kettle')).toMatchObject({
      title: 'Gooseneck Kettle',
      link: `${SHOP}/p/kettle`,
      availability: 'backorder',
    });
  });

  test('skips bad lines and reports each by line, field and rule, never by its values', async ({ dash }) => {
    const secret = 'jane.doe@example.com';
    const feed = [
      'id\ttitle\tlink\tprice\tavailability',
      'huila-250g\tColombia Huila\thttps://shop.example/huila\t12.90 EUR\tin stock',
      `\t${secret}\t\t\t`,
      `sencha-asamushi\t\tjavascript:alert('${secret}')\t\t`,
      `burr-grinder\tBurr Grinder\t\t${secret}\t`,
      `v60-dripper\tV60\t\t\t${secret}`,
      'huila-250g\tColombia Huila again\t\t\t',
      '',
      `earl-grey-classic\t${'x'.repeat(151)}\t\t\t`,
    ].join('\r\n');
    const result = await dash.catalog.importFeed(SITE, from(feed), LIMIT);
    expect(result.items).toBe(1);
    expect(result.badLines).toBe(6);
    expect(result.errors).toEqual([
      { line: 3, field: 'id', rule: 'missing' },
      { line: 4, field: 'title', rule: 'missing' },
      { line: 5, field: 'price', rule: 'not a price like 14.50 EUR' },
      { line: 6, field: 'availability', rule: 'not one of in_stock, out_of_stock, preorder, backorder' },
      { line: 7, field: 'id', rule: 'already on line 2' },
      { line: 9, field: 'title', rule: 'longer than 150 characters' },
    ]);
    expect(JSON.stringify(result)).not.toContain(secret);
  });

  test('replaces the catalogue whole: products the new feed lacks are gone, and their rows too', async ({
    dash,
  }) => {
    await dash.catalog.importFeed(SITE, from(tsvFeed()), LIMIT);
    const renamed = tsvFeed((name) => `${name} (new)`)
      .split('\n')
      .filter((line) => !line.startsWith('burr-grinder'))
      .join('\n');
    await dash.catalog.importFeed(SITE, from(renamed), LIMIT);
    const details = await productDetails(dash.warehouse, SITE, ['huila-250g', 'burr-grinder']);
    expect(details.get('huila-250g')?.title).toBe('Colombia Huila 250 g (new)');
    expect(details.has('burr-grinder')).toBe(false);
    const [stored] = await dash.warehouse.query({
      name: 'catalog_rows',
      sql: `SELECT count() AS rows, uniqExact(version) AS versions FROM ${CATALOG_TABLE} WHERE site = {site:String}`,
      params: { site: SITE },
      row: z.object({ rows: z.number(), versions: z.number() }),
    });
    expect(stored).toEqual({ rows: PRODUCTS.length - 1, versions: 1 });
  });

  test('keeps the current catalogue when a feed is not well-formed, has no id column or no valid item', async ({
    dash,
  }) => {
    await dash.catalog.importFeed(SITE, from(tsvFeed()), LIMIT);
    const before = await dash.catalog.current(SITE);
    const broken = rssFeed('<item>\n<g:id>huila-250g</g:id>\n<title>Half an item</item>');
    await expect(dash.catalog.importFeed(SITE, from(broken), LIMIT)).rejects.toMatchObject({
      code: 'catalog_bad_feed',
      status: 400,
      message: expect.stringContaining('at line 8;'),
    });
    await expect(
      dash.catalog.importFeed(SITE, from('sku\tname\nhuila-250g\tHuila\n'), LIMIT),
    ).rejects.toMatchObject({ code: 'catalog_bad_header', status: 400 });
    await expect(
      dash.catalog.importFeed(SITE, from('id\ttitle\nhuila-250g\t\n'), LIMIT),
    ).rejects.toMatchObject({
      code: 'catalog_no_items',
      message: expect.stringContaining('line 2, title: missing'),
    });
    // A feed over the size limit is refused once the limit is passed, before the rest is read.
    await expect(
      dash.catalog.importFeed(SITE, from(tsvFeed()), { maxBytes: 200, tooLargeHint: '' }),
    ).rejects.toMatchObject({ code: 'catalog_too_large', status: 413 });
    expect(await dash.catalog.current(SITE)).toEqual(before);
    expect((await productDetails(dash.warehouse, SITE, ['huila-250g'])).get('huila-250g')?.title).toBe(
      'Colombia Huila 250 g',
    );
    const [stored] = await dash.warehouse.query({
      name: 'catalog_rows',
      sql: `SELECT count() AS rows FROM ${CATALOG_TABLE} WHERE site = {site:String}`,
      params: { site: SITE },
      row: z.object({ rows: z.number() }),
    });
    expect(stored?.rows).toBe(PRODUCTS.length);
  });

  test(`allows images from ${MAX_IMAGE_ORIGINS} hosts and shows none from a further one`, async ({
    dash,
  }) => {
    const hosts = Array.from({ length: MAX_IMAGE_ORIGINS + 1 }, (_, index) => `https://img${index}.example`);
    const feed = `id\ttitle\timage_link\n${PRODUCTS.slice(0, hosts.length)
      .map(([id, name], index) => `${id}\t${name}\t${hosts[index]}/${id}.png`)
      .join('\n')}\n`;
    const result = await dash.catalog.importFeed(SITE, from(feed), LIMIT);
    expect(result.imageOrigins).toEqual(hosts.slice(0, MAX_IMAGE_ORIGINS));
    expect(result.imagesDropped).toBe(1);
    const last = PRODUCTS[MAX_IMAGE_ORIGINS]![0];
    expect((await productDetails(dash.warehouse, SITE, [last])).get(last)?.image).toBe('');
  });
});

describe('the dashboards show names', () => {
  test('the products, movers and rarely-bought tables name products from the feed, ids kept beside', async ({
    dash,
  }) => {
    await dash.catalog.importFeed(SITE, from(tsvFeed()), LIMIT);
    const analyst = await dash.signIn('analyst');
    const names = new Map<string, string>(PRODUCTS.map(([id, name]) => [id, name]));
    const range = `from=${dash.data.lastReleased}&to=${dash.data.lastReleased}`;
    for (const path of ['/api/v1/products', '/api/v1/products/movers', '/api/v1/products/unbought']) {
      const response = await analyst.json<{ table: { rows: ProductRow[] } }>(`${path}?site=${SITE}&${range}`);
      const named = response.table.rows.filter((row) => row.level === 0);
      expect(named.length, path).toBeGreaterThan(0);
      for (const row of named) {
        expect(row.product, path).toBe(names.get(row.product_id));
        expect(row.product_image).toBe(`${CDN}/${row.product_id}.jpg`);
        expect(row.product_link).toBe(`${SHOP}/p/${row.product_id}`);
      }
    }
    const products = await analyst.json<{ table: { rows: ProductRow[] } }>(
      `/api/v1/products?site=${SITE}&${range}`,
    );
    expect(products.table.rows.find((row) => row.product_id === 'mandheling-250g')?.availability).toBe(
      'out_of_stock',
    );
    // Grouped rows keep their own names; the feed names products, it never adds or splits a row.
    for (const row of products.table.rows.filter((row) => row.level > 0))
      expect(row.product).toMatch(/^Other products in /);
    const csv = await (await analyst.fetch(`/api/v1/products?site=${SITE}&${range}&format=csv`)).text();
    expect(csv.split('\r\n')[0]).toContain('Product id,Availability');
    expect(csv).toContain('Sumatra Mandheling 250 g,');
    expect(csv).toMatch(/,mandheling-250g,out_of_stock,/);
  });
});

describe('the admin upload', () => {
  const upload = (
    client: { fetch: (path: string, init?: RequestInit) => Promise<Response> },
    body: string,
    site = SITE,
  ) =>
    client.fetch(`/api/v1/sites/${site}/catalog`, {
      method: 'PUT',
      headers: { 'content-type': 'text/tab-separated-values' },
      body,
    });

  test('replaces the catalogue for an admin, and the page then shows its size and date', async ({ dash }) => {
    const admin = await dash.signIn('admin');
    const response = await upload(admin, tsvFeed());
    expect(response.status).toBe(200);
    const { catalog } = (await response.json()) as { catalog: { items: number; format: string } };
    expect(catalog).toMatchObject({ items: PRODUCTS.length, format: 'tsv' });
    const shown = await admin.json<{ catalog: { items: number; importedAt: string } }>(
      `/api/v1/sites/${SITE}/catalog`,
    );
    expect(shown.catalog.items).toBe(PRODUCTS.length);
    expect(shown.catalog.importedAt).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(dash.logs()).toContain('catalogue imported');
    expect(dash.logs()).not.toContain('Sumatra');
  });

  test('takes an XML feed as a raw body of any content type', async ({ dash }) => {
    const admin = await dash.signIn('admin');
    const response = await admin.fetch(`/api/v1/sites/${SITE}/catalog`, {
      method: 'PUT',
      headers: { 'content-type': 'application/xml' },
      body: rssFeed('<item><g:id>huila-250g</g:id><g:title>Huila</g:title></item>'),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { catalog: { format: string } }).catalog.format).toBe('xml');
  });

  test('refuses analysts, writes without the CSRF token, unknown sites, empty and oversized bodies', async ({
    dash,
  }) => {
    for (const method of ['GET', 'PUT']) {
      const signedOut = await fetch(`${dash.url}/api/v1/sites/${SITE}/catalog`, {
        method,
        headers: { origin: dash.url },
        body: method === 'PUT' ? tsvFeed() : undefined,
      });
      expect(signedOut.status, method).toBe(401);
    }
    const analyst = await dash.signIn('analyst');
    const refused = await upload(analyst, tsvFeed());
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    expect((await analyst.fetch(`/api/v1/sites/${SITE}/catalog`)).status).toBe(403);

    const admin = await dash.signIn('admin');
    const noCsrf = await fetch(`${dash.url}/api/v1/sites/${SITE}/catalog`, {
      method: 'PUT',
      headers: { cookie: admin.cookie, origin: dash.url, 'content-type': 'text/plain' },
      body: tsvFeed(),
    });
    expect(noCsrf.status).toBe(403);
    expect(((await noCsrf.json()) as { error: { code: string } }).error.code).toBe('csrf_failed');

    const cases: [Response, number, string][] = [
      [await upload(admin, tsvFeed(), 'no-such-site'), 404, 'unknown_site'],
      [await upload(admin, tsvFeed(), 'Not A Site!'), 400, 'invalid_body'],
      [await upload(admin, ''), 400, 'invalid_body'],
      [await upload(admin, 'sku\tname\nhuila-250g\tHuila\n'), 400, 'catalog_bad_header'],
      [await upload(admin, '<rss><channel><item></channel></rss>'), 400, 'catalog_bad_feed'],
    ];
    for (const [response, status, code] of cases) {
      expect(response.status, code).toBe(status);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe(code);
      expect(body.error.message).not.toContain('Not A Site');
      expect(body.error.message).not.toContain('sku');
    }
    // A declared length over the limit is refused before the body is read (fetch would not send it).
    const tooLarge = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(
        `${dash.url}/api/v1/sites/${SITE}/catalog`,
        {
          method: 'PUT',
          headers: {
            cookie: admin.cookie,
            origin: dash.url,
            'x-csrf-token': admin.csrfToken,
            'content-type': 'text/plain',
            'content-length': String(UPLOAD_MAX_BYTES + 1),
          },
        },
        (response) => {
          let body = '';
          response.on('data', (chunk) => (body += chunk));
          response.on('end', () => {
            request.destroy();
            resolve({ status: response.statusCode ?? 0, body });
          });
        },
      );
      request.on('error', reject);
      request.write('id\ttitle\n');
    });
    expect(tooLarge.status).toBe(413);
    expect((JSON.parse(tooLarge.body) as { error: { code: string } }).error.code).toBe('catalog_too_large');
  });
});

describe('where the catalogue lives', () => {
  test("is not readable through analysts' SQL, and goes with the site when it is purged", async ({
    dash,
  }) => {
    await dash.catalog.importFeed(SITE, from(tsvFeed()), LIMIT);
    const analyst = await dash.signIn('analyst');
    for (const table of ['app_catalog', 'app_catalog_versions']) {
      const response = await analyst.fetch('/api/v1/query', {
        method: 'POST',
        json: { sql: `SELECT * FROM ${table}` },
      } as RequestInit);
      expect(response.status, table).toBe(403);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('query_not_allowed');
    }
    await purgeSite(dash.warehouse, SITE);
    expect(await dash.catalog.current(SITE)).toBeUndefined();
    expect((await productDetails(dash.warehouse, SITE, ['huila-250g'])).size).toBe(0);
  });

  test("allows the feed's image hosts in the dashboards' Content-Security-Policy, and no other", async ({
    dash,
  }) => {
    const before = await fetch(`${dash.url}/login`);
    expect(before.headers.get('content-security-policy')).toMatch(/img-src 'self' data: 'self';/);
    const admin = await dash.signIn('admin');
    expect((await upload(admin, tsvFeed())).status).toBe(200);
    const after = await fetch(`${dash.url}/login`);
    expect(after.headers.get('content-security-policy')).toContain(`img-src 'self' data: ${CDN};`);
    expect(after.headers.get('content-security-policy')).not.toContain(`${SHOP} `);
  });

  function upload(client: { fetch: (path: string, init?: RequestInit) => Promise<Response> }, body: string) {
    return client.fetch(`/api/v1/sites/${SITE}/catalog`, { method: 'PUT', body });
  }
});

describe('npm run catalog', () => {
  const feedFile = (text: string, name = 'feed.tsv') => {
    const file = join(mkdtempSync(join(tmpdir(), 'kanon-feed-')), name);
    writeFileSync(file, text);
    return file;
  };

  test('imports a feed through the running Kanon, with progress, and shows the catalogue', async ({
    dash,
  }) => {
    const env = {
      KANON_DATA_DIR: dash.dataDir,
      KANON_DASHBOARDS_PORT: new URL(dash.url).port,
      KANON_SITES: `${SITE}=http://localhost:8080`,
    };
    const imported = await runCli('catalog', ['import', feedFile(tsvFeed()), '--site', SITE], env);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain(`Imported ${PRODUCTS.length} products for ${SITE} from a TSV feed`);
    expect(imported.stderr).toMatch(/importing demo: 100% \(0\.0 of 0\.0 MB\)/);
    expect((await productDetails(dash.warehouse, SITE, ['huila-250g'])).get('huila-250g')?.title).toBe(
      'Colombia Huila 250 g',
    );
    const shown = await runCli('catalog', ['show'], env);
    expect(shown.stdout).toMatch(new RegExp(`^${SITE}: ${PRODUCTS.length} products, imported \\d{4}-`, 'm'));
    expect(shown.stdout).toContain(`images from: ${CDN}`);

    const bad = await runCli(
      'catalog',
      ['import', feedFile(rssFeed('<item><g:id>x</item>'), 'feed.xml')],
      env,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("error: The feed's XML is not well-formed at line 6");
    const usage = await runCli('catalog', ['import'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('usage: npm run catalog');
  });

  test('opens the store itself when no Kanon is running', async () => {
    const env = {
      KANON_DATA_DIR: mkdtempSync(join(tmpdir(), 'kanon-catalog-direct-')),
      KANON_SITES: 'shop-eu=https://shop.example',
    };
    expect((await runCli('kanon', ['migrate'], env)).code).toBe(0);
    const imported = await runCli('catalog', ['import', feedFile(tsvFeed())], env);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain(`Imported ${PRODUCTS.length} products for shop-eu`);
    expect((await runCli('catalog', ['show', '--site', 'shop-eu'], env)).stdout).toContain(
      `shop-eu: ${PRODUCTS.length} products`,
    );
  });
});

describe('the demo', () => {
  test("npm start gives the demo shop's site its product feed once, and no other site", async ({ dash }) => {
    const config = loadConfig({
      KANON_SITES: 'demoshop=http://localhost:8082,http://127.0.0.1:8082;shop-eu=https://shop.example',
    });
    const logs = captureLogs();
    await importDemoCatalog(dash.warehouse, config, logs.log);
    const first = await dash.catalog.current('demoshop');
    expect(first).toMatchObject({ items: 12, format: 'xml', imageOrigins: ['http://localhost:8082'] });
    const details = await productDetails(dash.warehouse, 'demoshop', ['p01', 'p03']);
    expect(details.get('p01')).toEqual({
      title: 'Ethiopia Yirgacheffe',
      link: 'http://localhost:8082/product?id=p01',
      image: 'http://localhost:8082/images/p01.svg',
      availability: 'in_stock',
    });
    expect(details.get('p03')?.availability).toBe('out_of_stock');
    expect(await dash.catalog.current('shop-eu')).toBeUndefined();
    // A second start keeps what the site has (an admin's own feed, or this one).
    await importDemoCatalog(dash.warehouse, config, logs.log);
    expect(await dash.catalog.current('demoshop')).toEqual(first);

    // The demo shop serves the feed and the pictures it points to.
    const shop = buildDemoShop({ site: 'demoshop', collectorUrl: 'http://localhost:8080' });
    try {
      const feed = await shop.inject({ url: '/feed.xml', headers: { host: 'localhost:8082' } });
      expect(feed.statusCode).toBe(200);
      expect(feed.body).toContain('<g:image_link>http://localhost:8082/images/p01.svg</g:image_link>');
      const image = await shop.inject({ url: '/images/p01.svg' });
      expect(image.statusCode).toBe(200);
      expect(image.headers['content-type']).toContain('image/svg+xml');
      expect(image.body).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    } finally {
      await shop.close();
    }
  });
});

describe('names on events', () => {
  test('a name sent with a product is dropped by the collector: names come from the feed only', () => {
    const [event] = parseBeacon(
      {
        site: SITE,
        type: 'product_view',
        url: 'http://localhost:8080/p/huila',
        product: { id: 'huila-250g', category: 'coffee', name: 'Jane Doe asked for this' },
      },
      10,
    );
    expect(event).toMatchObject({ type: 'product_view', product: { id: 'huila-250g' } });
    expect(JSON.stringify(event)).not.toContain('Jane Doe');
  });
});
