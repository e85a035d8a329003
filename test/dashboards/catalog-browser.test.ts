import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { artifactPath, browserTest, describeInBrowser } from '../fixtures/browser.js';
import { type DashboardsHarness, SITE, startDashboards } from './fixtures/dashboards-app.js';

/**
 * The products view with names and pictures from a product feed, in real Chromium at desktop and
 * phone widths, and the admin page's feed upload. The pictures come from a host of their own (as a
 * shop's CDN would), which only the feed puts in the dashboards' Content-Security-Policy: a picture
 * refused by it would show as a console error here.
 */
const PRODUCTS: [string, string, string][] = [
  ['yirgacheffe-250g', 'Ethiopia Yirgacheffe 250 g', 'in_stock'],
  ['huila-250g', 'Colombia Huila 250 g', 'in_stock'],
  ['mandheling-250g', 'Sumatra Mandheling 250 g', 'out_of_stock'],
  ['house-espresso-1kg', 'House Espresso Blend 1 kg', 'in_stock'],
  ['darjeeling-first-flush', 'Darjeeling First Flush', 'preorder'],
  ['sencha-asamushi', 'Sencha Asamushi', 'in_stock'],
  ['earl-grey-classic', 'Earl Grey Classic', 'in_stock'],
  ['gooseneck-kettle', 'Gooseneck Kettle', 'backorder'],
  ['burr-grinder', 'Burr Grinder', 'in_stock'],
  ['v60-dripper', 'V60 Dripper', 'in_stock'],
  ['cold-brew-kit', 'Cold Brew Kit', 'in_stock'],
];

interface ImageHost {
  origin: string;
  requests: string[];
  close(): Promise<void>;
}

/** A stand-in for the shop's image host: a coloured square per product. */
async function startImageHost(): Promise<ImageHost> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    requests.push(request.url ?? '');
    response.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'no-store' });
    response.end(
      '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="#c2703d"/></svg>',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function feed(images: string): string {
  return `id\ttitle\tlink\timage_link\tavailability\n${PRODUCTS.map(
    ([id, title, availability]) =>
      `${id}\t${title}\thttps://shop.example/p/${id}\t${images}/${id}.svg\t${availability}`,
  ).join('\n')}\n`;
}

const test = browserTest
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern.
  .extend('images', { scope: 'file' }, async ({}, { onCleanup }): Promise<ImageHost> => {
    const host = await startImageHost();
    onCleanup(() => host.close());
    return host;
  })
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern.
  .extend('dash', { scope: 'file' }, async ({}, { onCleanup }): Promise<DashboardsHarness> => {
    const harness = await startDashboards();
    onCleanup(() => harness.close());
    return harness;
  });

const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

async function openAs(
  context: BrowserContext,
  dash: DashboardsHarness,
  role: 'analyst' | 'admin',
  path: string,
) {
  const client = await dash.signIn(role, `catalog-${role}`);
  const [name, value] = client.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: dash.url, httpOnly: true, sameSite: 'Strict' }]);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${dash.url}${path}`);
  return { page, errors };
}

describeInBrowser('product names and pictures from a feed', () => {
  test('an admin imports a feed on the admin page, and the page says what it holds', async ({
    context,
    dash,
    images,
  }) => {
    const { page, errors } = await openAs(context, dash, 'admin', '/admin');
    await poll(() => page.locator('#catalog .catalog-status').first().textContent()).toContain('No feed yet');
    const file = join(tmpdir(), `kanon-feed-${process.pid}.tsv`);
    writeFileSync(file, feed(images.origin));
    await page.locator('#catalog input[type=file]').first().setInputFiles(file);
    await page.locator('#catalog button[type=submit]').first().click();
    await poll(() => page.locator('#catalog .catalog-report').first().textContent()).toContain(
      `Imported ${PRODUCTS.length} products`,
    );
    await poll(() => page.locator('#catalog .catalog-status').first().textContent()).toMatch(
      new RegExp(
        `^${PRODUCTS.length} products, imported \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} UTC from a TSV feed`,
      ),
    );
    await page.locator('#catalog').screenshot({ path: artifactPath('dashboards/catalog-admin.png') });
    expect(errors).toEqual([]);
  });

  for (const width of [1440, 390]) {
    test(`the products view shows names, pictures and availability at ${width} px, ids on hover`, async ({
      context,
      dash,
      images,
    }) => {
      const admin = await dash.signIn('admin', 'catalog-admin');
      const uploaded = await admin.fetch(`/api/v1/sites/${SITE}/catalog`, {
        method: 'PUT',
        body: feed(images.origin),
      });
      expect(uploaded.status).toBe(200);
      const { page, errors } = await openAs(context, dash, 'analyst', '/products');
      await page.setViewportSize({ width, height: 900 });
      const first = page.locator('#products tbody tr:first-child td:first-child');
      await poll(() => first.locator('.label').textContent()).toMatch(
        new RegExp(PRODUCTS.map(([, title]) => title).join('|')),
      );
      const title = await first.locator('.label').textContent();
      const id = PRODUCTS.find(([, name]) => name === title)![0];
      expect(await first.locator('.label').getAttribute('title')).toBe(`Product id: ${id}`);
      // The picture loaded from the feed's image host, and drew.
      await poll(() =>
        first
          .locator('img.thumb')
          .evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth),
      ).toBeGreaterThan(0);
      expect(images.requests).toContain(`/${id}.svg`);
      expect(await page.locator('#products .avail.out_of_stock').first().textContent()).toBe('Out of stock');
      expect(await page.locator('#products a.shop-link').first().getAttribute('rel')).toBe(
        'noopener noreferrer',
      );
      // Grouped rows keep their names and show no picture.
      const grouped = page.locator('#products tr.generalised td:first-child').first();
      await grouped.waitFor();
      expect(await grouped.locator('img').count()).toBe(0);
      // The name and its picture are on screen at this width, not clipped away.
      const box = await first.locator('.label').boundingBox();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + Math.min(box!.width, 40)).toBeLessThanOrEqual(width);
      // The movers name products too (with comparison on, the default).
      await poll(() =>
        page.locator('#rising .movers li strong, #falling .movers li strong').first().textContent(),
      ).toMatch(new RegExp(PRODUCTS.map(([, name]) => name).join('|')));
      await page.waitForTimeout(200);
      await page.screenshot({ path: artifactPath(`dashboards/products-named-${width}.png`), fullPage: true });
      expect(errors).toEqual([]);
    });
  }
});
