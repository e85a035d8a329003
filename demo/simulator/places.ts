import type { PageType } from '../../schema/event.js';
import type { Catalogue, Product } from './catalogue.js';

/**
 * The demo shop's pages and their addresses (demo/shop/*.html). The cart lives in the URL as
 * `?cart=p01-2.p05-1`, as the shop keeps it; the collector drops that query value, like every
 * other one it does not allow-list.
 */
export type Place =
  | { kind: 'home' }
  | { kind: 'category'; category: string }
  | { kind: 'product'; product: Product }
  | { kind: 'search'; query: string }
  | { kind: 'cart' }
  | { kind: 'checkout' }
  | { kind: 'thanks' };

/** Product id → quantity. */
export type Cart = Map<string, number>;

export const PAGE_TYPE: Record<Place['kind'], PageType> = {
  home: 'home',
  category: 'category',
  product: 'product',
  search: 'search',
  cart: 'cart',
  checkout: 'checkout',
  // The shop's thank-you page says checkout too (demo/shop/thanks.html).
  thanks: 'checkout',
};

const cartParam = (catalogue: Catalogue, cart: Cart) =>
  catalogue.products
    .filter((product) => cart.has(product.id))
    .map((product) => `${product.id}-${cart.get(product.id)}`)
    .join('.');

/** The page's address, with the campaign parameters of a landing page when given. */
export function urlOf(
  origin: string,
  place: Place,
  catalogue: Catalogue,
  cart: Cart,
  landing?: Readonly<Record<string, string>>,
): string {
  const params = new URLSearchParams();
  let path = '/';
  switch (place.kind) {
    case 'category':
      path = `/${place.category}`;
      break;
    case 'product':
      path = '/product';
      params.set('id', place.product.id);
      break;
    case 'search':
      path = '/search';
      params.set('q', place.query);
      break;
    case 'thanks':
      path = '/thanks';
      params.set('delivery', 'standard');
      params.set('payment', 'demo');
      break;
    case 'cart':
    case 'checkout':
      path = `/${place.kind}`;
      break;
    case 'home':
      break;
  }
  if (cart.size > 0) params.set('cart', cartParam(catalogue, cart));
  for (const [key, value] of Object.entries(landing ?? {})) params.set(key, value);
  const query = params.toString();
  return `${origin}${path}${query ? `?${query}` : ''}`;
}

/** Cart lines in shop order, as the checkout and purchase events list them. */
export function cartItems(catalogue: Catalogue, cart: Cart) {
  return catalogue.products
    .filter((product) => cart.has(product.id))
    .map((product) => ({
      id: product.id,
      category: product.category,
      price: product.price,
      quantity: cart.get(product.id) ?? 1,
    }));
}

const cents = (amount: number) => Math.round(amount * 100) / 100;

/** As the shop computes it (assets/cart.js): each line rounded to cents, then the sum. */
export const cartTotal = (catalogue: Catalogue, cart: Cart) =>
  cents(cartItems(catalogue, cart).reduce((sum, item) => sum + cents(item.price * item.quantity), 0));
