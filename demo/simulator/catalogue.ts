import { z } from 'zod';

/**
 * What the simulated shoppers browse: the demo shop's own catalogue (demo/shop/assets/catalog.js,
 * read as the shop's pages read it, so the two cannot drift), plus the slots, promotions and
 * search behaviour written into the shop's pages. test/demo/catalogue.test.ts checks the slot and
 * promotion names against demo/shop/*.html.
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
        notes: z.string(),
        description: z.string(),
      }),
    )
    .min(1),
});

export interface Product {
  id: string;
  name: string;
  category: string;
  price: number;
  /** Name, notes, description and category name, lower-cased: what the shop's search looks in. */
  text: string;
}

export interface Catalogue {
  currency: string;
  categories: readonly string[];
  /** In the shop's order: the order of category grids, related items and search results. */
  products: readonly Product[];
  /** Most popular first, for Zipf-like choices. */
  byPopularity: readonly Product[];
  /** Home page hero tiles, in page order. */
  hero: readonly Link[];
  /** The home page's "Picked for you" strip. */
  recommendations: readonly Product[];
  promotions: readonly Promotion[];
}

export type Link = { kind: 'category'; category: string } | { kind: 'product'; product: Product };

export interface Promotion {
  id: string;
  slot: string;
  /** Where a click leads. */
  target: Link;
}

/** How popular each product is, most popular first; ids the shop does not have are skipped. */
const POPULARITY = ['p04', 'p01', 'p07', 'p02', 'p10', 'p06', 'p11', 'p05', 'p03', 'p09', 'p08', 'p12'];

const SHOP_CATALOG_URL = new URL('../shop/assets/catalog.js', import.meta.url);

export async function loadCatalogue(): Promise<Catalogue> {
  // A computed specifier: the shop's module is plain JavaScript, checked here instead of typed.
  const shop = ShopCatalog.parse(await import(SHOP_CATALOG_URL.href));
  const products = shop.PRODUCTS.map(
    (product): Product => ({
      id: product.id,
      name: product.name,
      category: product.category,
      price: product.price,
      text: [product.name, product.notes, product.description, shop.CATEGORIES[product.category]?.name ?? '']
        .join(' ')
        .toLowerCase(),
    }),
  );
  const byId = new Map(products.map((product) => [product.id, product]));
  const product = (id: string): Product => {
    const found = byId.get(id);
    if (!found) throw new Error(`demo catalogue: the shop has no product ${id}`);
    return found;
  };
  const ranked = POPULARITY.flatMap((id) => byId.get(id) ?? []);
  const byPopularity = [...ranked, ...products.filter((p) => !ranked.includes(p))];
  return {
    currency: shop.CURRENCY,
    categories: Object.keys(shop.CATEGORIES),
    products,
    byPopularity,
    // As in demo/shop/index.html and assets/pages/home.js.
    hero: [
      { kind: 'category', category: 'coffee' },
      { kind: 'category', category: 'tea' },
      { kind: 'product', product: product('p10') },
    ],
    recommendations: ['p01', 'p10', 'p05', 'p11'].map(product),
    promotions: [
      { id: 'summer-sale', slot: 'home-banner', target: { kind: 'category', category: 'brewing' } },
    ],
  };
}

/** The shop's search (assets/pages/search.js): every word must appear in the product's text. */
export function searchCatalogue(catalogue: Catalogue, query: string): Product[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return catalogue.products.filter((product) => words.every((word) => product.text.includes(word)));
}

export const inCategory = (catalogue: Catalogue, category: string) =>
  catalogue.products.filter((product) => product.category === category);

/** "You may also like" on a product page: three others of its category, in shop order. */
export const relatedTo = (catalogue: Catalogue, product: Product) =>
  inCategory(catalogue, product.category)
    .filter((other) => other.id !== product.id)
    .slice(0, 3);
