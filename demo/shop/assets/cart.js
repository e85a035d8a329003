import { cents, PRODUCTS, productById } from './catalog.js';

/*
 * The cart lives only in the page URL, as ?cart=p01-2.p05-1: no cookie, no localStorage, no
 * sessionStorage, and no server session. It survives reloads and the back button, every link
 * on the page carries it along (see relink in ui.js), and it is gone when the tab is closed.
 * The tracker sends page URLs with it, and the collector drops query-string values it does not
 * allow-list, so cart contents never reach storage through the url field either.
 */

const MAX_QUANTITY = 99;

/** The cart in a URL's query, as a Map of product id to quantity; unknown ids are ignored. */
export function readCart(search = location.search) {
  const cart = new Map();
  const text = new URLSearchParams(search).get('cart') ?? '';
  for (const part of text.split('.')) {
    const [id, count] = part.split('-');
    const quantity = Number.parseInt(count ?? '1', 10);
    if (productById(id) && quantity > 0) cart.set(id, Math.min(quantity, MAX_QUANTITY));
  }
  return cart;
}

export const cartParam = (cart) => [...cart].map(([id, quantity]) => `${id}-${quantity}`).join('.');

/** `href` with the cart in its query (or without a cart parameter when the cart is empty). */
export function withCart(href, cart) {
  const url = new URL(href, location.href);
  if (cart.size) url.searchParams.set('cart', cartParam(cart));
  else url.searchParams.delete('cart');
  return url.origin === location.origin ? url.pathname + url.search + url.hash : url.href;
}

export function changeQuantity(cart, id, delta) {
  const next = Math.max(0, Math.min(MAX_QUANTITY, (cart.get(id) ?? 0) + delta));
  if (next) cart.set(id, next);
  else cart.delete(id);
}

export const cartCount = (cart) => [...cart.values()].reduce((sum, quantity) => sum + quantity, 0);

/** Lines in catalogue order, with their totals. */
export function cartLines(cart) {
  return PRODUCTS.filter((product) => cart.has(product.id)).map((product) => {
    const quantity = cart.get(product.id);
    return { product, quantity, total: cents(product.price * quantity) };
  });
}

export const cartTotal = (cart) => cents(cartLines(cart).reduce((sum, line) => sum + line.total, 0));

/** Delivery: express costs 7.50; standard is free from 40.00 of goods, 4.50 below. */
export const shippingFor = (cart, option) => (option === 'express' ? 7.5 : cartTotal(cart) >= 40 ? 0 : 4.5);

/** The items list that the checkout and purchase events carry. */
export const cartItems = (cart) =>
  cartLines(cart).map(({ product, quantity }) => ({
    id: product.id,
    category: product.category,
    price: product.price,
    quantity,
  }));
