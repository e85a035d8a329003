/**
 * A synthetic shop and its shoppers, deterministic for a seed: the traffic every section sends or
 * stages. Sized like a mid-size shop rather than the demo's twelve products, so staging cells,
 * visitor sets and published tables have realistic sizes: 400 products in 16 categories with
 * Zipf-like popularity, 300 search terms, 14 campaigns, 8 browser builds, 25 countries.
 *
 * A visit is a list of pages; each page is what the tracker sends in one request (its pageview,
 * scroll milestones, product view, cart and checkout actions, slot and promotion events). On
 * average a visit has about 3.6 pages and 12 events.
 */
export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks from a fixed list with fixed weights in O(log n). */
export class Weighted<T> {
  private readonly cumulative: number[] = [];
  constructor(
    readonly items: readonly T[],
    weights: readonly number[],
  ) {
    let sum = 0;
    for (const weight of weights) {
      sum += weight;
      this.cumulative.push(sum);
    }
  }
  static zipf<T>(items: readonly T[], exponent = 1): Weighted<T> {
    return new Weighted(
      items,
      items.map((_, rank) => 1 / (rank + 1) ** exponent),
    );
  }
  pick(rng: Rng): T {
    const target = rng() * this.cumulative[this.cumulative.length - 1]!;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.cumulative[mid]! < target) low = mid + 1;
      else high = mid;
    }
    return this.items[low]!;
  }
}

export const int = (rng: Rng, min: number, max: number) => min + Math.floor(rng() * (max - min + 1));

export interface Product {
  id: string;
  category: string;
  price: number;
  path: string;
}

export interface Campaign {
  params: string;
}

export interface Shop {
  site: string;
  origin: string;
  categories: readonly string[];
  products: Weighted<Product>;
  byCategory: ReadonlyMap<string, Weighted<Product>>;
  searchTerms: Weighted<string>;
  campaigns: Weighted<Campaign>;
}

const CATEGORY_NAMES = [
  'coffee',
  'tea',
  'brewing',
  'grinders',
  'kettles',
  'mugs',
  'espresso',
  'accessories',
  'chocolate',
  'syrups',
  'filters',
  'storage',
  'gifts',
  'subscriptions',
  'decaf',
  'spare-parts',
];
const WORDS = [
  'dark',
  'light',
  'organic',
  'decaf',
  'green',
  'black',
  'single origin',
  'espresso',
  'fair trade',
];
const THINGS = [
  'roast',
  'beans',
  'tea',
  'grinder',
  'kettle',
  'filter',
  'mug',
  'capsules',
  'dripper',
  'scale',
];
const EXTRAS = ['', ' 1kg', ' gift', ' sale', ' ethiopia', ' colombia', ' matcha', ' set', ' cheap', ' best'];

export function createShop(seed = 1, site = 'shop', origin = 'https://shop.example'): Shop {
  const rng = mulberry32(seed);
  const products: Product[] = [];
  for (let index = 0; index < 400; index++) {
    const category = CATEGORY_NAMES[index % CATEGORY_NAMES.length]!;
    const id = `sku-${1000 + index}`;
    products.push({
      id,
      category,
      price: Math.round((4 + rng() * 180) * 100) / 100,
      path: `/products/${category}/${category}-item-${index}`,
    });
  }
  // Popularity is not the catalogue order: shuffle before ranking.
  for (let i = products.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [products[i], products[j]] = [products[j]!, products[i]!];
  }
  const byCategory = new Map<string, Weighted<Product>>();
  for (const category of CATEGORY_NAMES)
    byCategory.set(category, Weighted.zipf(products.filter((product) => product.category === category)));
  const terms: string[] = [];
  for (const word of WORDS)
    for (const thing of THINGS) for (const extra of EXTRAS) terms.push(`${word} ${thing}${extra}`);
  const campaigns: Campaign[] = [];
  for (const name of ['spring-roast', 'tea-week', 'black-friday', 'welcome', 'restock', 'gift-guide'])
    campaigns.push({ params: `utm_source=newsletter&utm_medium=email&utm_campaign=${name}` });
  for (const name of ['brand', 'retarget', 'lookalike', 'grinders', 'kettles', 'sale', 'video', 'carousel'])
    campaigns.push({ params: `utm_source=facebook&utm_medium=cpc&utm_campaign=${name}` });
  return {
    site,
    origin,
    categories: CATEGORY_NAMES,
    products: Weighted.zipf(products, 0.9),
    byCategory,
    searchTerms: Weighted.zipf(terms.slice(0, 300), 0.9),
    campaigns: Weighted.zipf(campaigns, 0.8),
  };
}

/** One beacon event as the tracker sends it (validated by the collector's schema). */
export type BeaconJson = Record<string, unknown> & { type: string; url: string };

export interface Page {
  /** When the page's request is sent (ms). */
  at: number;
  events: BeaconJson[];
}

type Kind = 'home' | 'category' | 'product' | 'search' | 'cart' | 'checkout';

const SOURCES = new Weighted<'direct' | 'google' | 'bing' | 'instagram' | 'campaign'>(
  ['direct', 'google', 'bing', 'instagram', 'campaign'],
  [0.3, 0.32, 0.05, 0.08, 0.25],
);
const LANDINGS = new Weighted<Kind>(['home', 'category', 'product', 'search'], [0.35, 0.25, 0.35, 0.05]);
const NEXT: Record<Kind, Weighted<Kind>> = {
  home: new Weighted(['category', 'product', 'search'], [0.5, 0.35, 0.15]),
  category: new Weighted(['product', 'category', 'search'], [0.75, 0.15, 0.1]),
  product: new Weighted(['product', 'category', 'home', 'search'], [0.45, 0.35, 0.1, 0.1]),
  search: new Weighted(['product', 'search', 'category'], [0.7, 0.15, 0.15]),
  cart: new Weighted(['checkout', 'product', 'category'], [0.45, 0.35, 0.2]),
  checkout: new Weighted(['home'], [1]),
};
const REFERRERS: Record<string, string> = {
  google: 'https://www.google.com/',
  bing: 'https://www.bing.com/search?q=coffee+shop',
  instagram: 'https://l.instagram.com/',
};

/** A visit's pages. `viewport` is the visitor's window width. */
export function visitPages(rng: Rng, shop: Shop, start: number, viewport: number): Page[] {
  const pages: Page[] = [];
  const cart = new Map<Product, number>();
  const source = SOURCES.pick(rng);
  let kind: Kind = LANDINGS.pick(rng);
  let product = shop.products.pick(rng);
  let category = product.category;
  let referrer: string | undefined = REFERRERS[source];
  let query = source === 'campaign' ? `?${shop.campaigns.pick(rng).params}` : '';
  let at = start;
  for (let n = 0; n < 20; n++) {
    const events: BeaconJson[] = [];
    let path = '/';
    const pageType: string = kind;
    let term = '';
    if (kind === 'category') path = `/c/${category}`;
    if (kind === 'product') path = product.path;
    if (kind === 'search') {
      term = shop.searchTerms.pick(rng);
      path = '/search';
      query = query ? `${query}&q=${encodeURIComponent(term)}` : `?q=${encodeURIComponent(term)}`;
    }
    if (kind === 'cart') path = '/cart';
    if (kind === 'checkout') path = '/checkout';
    const url = `${shop.origin}${path}${query}`;
    const viewed = product;
    const base = { url, page_type: pageType === 'checkout' ? 'checkout' : pageType, viewport };
    events.push({ type: 'pageview', ...base, ...(referrer ? { referrer } : {}) });
    for (const [depth, chance] of [
      [25, 0.7],
      [50, 0.7],
      [75, 0.6],
      [100, 0.45],
    ] as const) {
      if (rng() > chance) break;
      events.push({ type: 'scroll', ...base, depth });
    }
    let next: Kind | undefined = rng() < 0.72 || cart.size > 0 ? NEXT[kind].pick(rng) : undefined;
    const item = (p: Product) => ({ id: p.id, category: p.category, price: p.price });
    if (kind === 'home') {
      events.push({ type: 'promo_view', ...base, promo: 'summer-sale', slot: 'home-banner' });
      if (rng() < 0.5) events.push({ type: 'promo_view', ...base, promo: 'new-grinders', slot: 'home-hero' });
      if (rng() < 0.04) {
        events.push({ type: 'promo_click', ...base, promo: 'summer-sale', slot: 'home-banner' });
        next = 'category';
      }
    }
    if (
      next === 'product' &&
      (kind === 'home' || kind === 'category' || kind === 'search' || kind === 'product')
    ) {
      const slot = {
        home: 'recommended',
        category: 'category-grid',
        search: 'search-results',
        product: 'related',
      }[kind];
      const pool =
        kind === 'home' || kind === 'search'
          ? shop.products
          : (shop.byCategory.get(category) ?? shop.products);
      product = pool.pick(rng);
      const position = Math.min(24, 1 + Math.floor(-Math.log(1 - rng()) * 3));
      events.push({ type: 'slot_click', ...base, slot, position });
    }
    if (kind === 'search')
      events.push({ type: 'search', ...base, query: term, results: rng() < 0.12 ? 0 : int(rng, 1, 40) });
    if (kind === 'product') {
      events.push({ type: 'product_view', ...base, product: item(viewed) });
      if (rng() < 0.09) {
        const quantity = rng() < 0.8 ? 1 : 2;
        events.push({ type: 'add_to_cart', ...base, product: item(viewed), quantity });
        cart.set(viewed, (cart.get(viewed) ?? 0) + quantity);
        next = rng() < 0.5 ? 'cart' : next;
      }
    }
    if (kind === 'cart' && cart.size > 0 && rng() < 0.08) {
      const [first] = cart.keys();
      events.push({ type: 'remove_from_cart', ...base, product: item(first!), quantity: 1 });
      cart.delete(first!);
    }
    if (kind === 'checkout' && cart.size > 0) {
      const items = [...cart].map(([p, quantity]) => ({ ...item(p), quantity }));
      const value = Math.round(items.reduce((sum, i) => sum + i.price * i.quantity, 0) * 100) / 100;
      events.push({ type: 'checkout', ...base, value, currency: 'EUR', items });
      if (rng() < 0.65) events.push({ type: 'purchase', ...base, value, currency: 'EUR', items });
      cart.clear();
      next = undefined;
    }
    if (kind === 'cart' && cart.size === 0) next = next === 'checkout' ? 'product' : next;
    pages.push({ at, events });
    if (!next) break;
    if (next === 'category') category = rng() < 0.7 ? product.category : shop.categories[int(rng, 0, 15)]!;
    referrer = url;
    query = '';
    kind = next;
    at += int(rng, 4_000, 60_000);
  }
  return pages;
}
