import { z } from 'zod';

/**
 * The demo shop's product feed, in Google Merchant Center's RSS form, built from the shop's own
 * catalogue (demo/shop/assets/catalog.js) so the two cannot drift, and the pictures its feed points
 * to: the shop's product art (assets/art.js) as SVG files. `npm start` imports the feed for the
 * demo site, so the dashboards name the demo's products out of the box; the shop serves both at
 * /feed.xml and /images/<id>.svg, as a real shop publishes its feed.
 */
const ShopCatalog = z.object({
  CURRENCY: z.string().regex(/^[A-Z]{3}$/),
  CATEGORIES: z.record(z.string(), z.object({ name: z.string() })),
  PRODUCTS: z
    .array(
      z.object({
        id: z.string(),
        name: z.string(),
        category: z.string(),
        price: z.number(),
        shape: z.string(),
        color: z.string(),
        description: z.string(),
      }),
    )
    .min(1),
});

// Computed specifiers: the shop's modules are plain JavaScript, checked here instead of typed.
const shop = ShopCatalog.parse(await import(new URL('./shop/assets/catalog.js', import.meta.url).href));
const art = (await import(new URL('./shop/assets/art.js', import.meta.url).href)) as {
  productArt(product: (typeof shop.PRODUCTS)[number]): string;
};

const escapeXml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** Which products are out of stock or on preorder in the demo, so the dashboards show each state. */
const AVAILABILITY: Record<string, string> = { p03: 'out_of_stock', p08: 'preorder', p11: 'backorder' };

export const demoProductIds = (): string[] => shop.PRODUCTS.map((product) => product.id);

/** The feed, with links and image links on `shopOrigin` (e.g. http://localhost:8082). */
export function demoFeedXml(shopOrigin: string): string {
  const items = shop.PRODUCTS.map(
    (product) => `    <item>
      <g:id>${escapeXml(product.id)}</g:id>
      <title>${escapeXml(product.name)}</title>
      <description>${escapeXml(product.description)}</description>
      <link>${escapeXml(`${shopOrigin}/product?id=${product.id}`)}</link>
      <g:image_link>${escapeXml(`${shopOrigin}/images/${product.id}.svg`)}</g:image_link>
      <g:price>${product.price.toFixed(2)} ${shop.CURRENCY}</g:price>
      <g:availability>${AVAILABILITY[product.id] ?? 'in_stock'}</g:availability>
      <g:product_type>${escapeXml(shop.CATEGORIES[product.category]?.name ?? product.category)}</g:product_type>
    </item>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0">
  <channel>
    <title>Hearth &amp; Bean</title>
    <link>${escapeXml(shopOrigin)}</link>
    <description>The demo shop's products</description>
${items.join('\n')}
  </channel>
</rss>
`;
}

/** `/images/<id>.svg` → the product's picture as a standalone SVG file. */
export function demoProductImages(): Map<string, string> {
  return new Map(
    shop.PRODUCTS.map((product) => [
      `/images/${product.id}.svg`,
      art.productArt(product).replace('<svg ', '<svg xmlns="http://www.w3.org/2000/svg" '),
    ]),
  );
}
