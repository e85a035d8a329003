import { productArt } from './art.js';
import { cartCount, changeQuantity, readCart, withCart } from './cart.js';
import { CATEGORIES, formatPrice } from './catalog.js';

export const escapeHtml = (text) =>
  String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );

/** The one cart of this page view; every change is written back to the URL. */
export const cart = readCart();

function renderHeader(active) {
  const header = document.querySelector('#site-header');
  const query = new URLSearchParams(location.search).get('q') ?? '';
  const nav = Object.entries(CATEGORIES)
    .map(([id, c]) => `<a href="/${id}"${id === active ? ' aria-current="page"' : ''}>${c.name}</a>`)
    .join('');
  header.className = 'site-header';
  header.innerHTML = `
    <div class="wrap header-row">
      <a class="brand" href="/"><span class="brand-mark">H&amp;B</span> Hearth <em>&amp;</em> Bean</a>
      <nav class="main-nav" aria-label="Categories">${nav}</nav>
      <form class="search-box" action="/search" role="search">
        <input type="search" name="q" value="${escapeHtml(query)}" placeholder="Search coffee, tea, gear…" aria-label="Search the shop">
        <input type="hidden" name="cart">
        <button type="submit">Search</button>
      </form>
      <a class="cart-link" href="/cart" aria-label="Cart">
        <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M3 4h2l2.4 11.2a2 2 0 0 0 2 1.6h7.8a2 2 0 0 0 2-1.5L21 8H6.2" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"/><circle cx="10" cy="20" r="1.4" fill="currentColor"/><circle cx="17" cy="20" r="1.4" fill="currentColor"/></svg>
        <span>Cart</span><span class="badge" data-cart-count>0</span>
      </a>
    </div>`;
}

function renderFooter() {
  const footer = document.querySelector('#site-footer');
  footer.className = 'site-footer';
  footer.innerHTML = `
    <div class="wrap footer-row">
      <div><strong>Hearth &amp; Bean</strong><br>Small-batch coffee and tea since 2019.</div>
      <p class="privacy-note">This shop counts visits with <strong>Kanon</strong>: no cookies, no storage,
      no profiles, only anonymous statistics. If your browser sends Global Privacy Control or Do Not
      Track, nothing is sent at all.</p>
    </div>`;
}

/** Writes the cart into every same-site link and the search form, and updates the badge. */
export function relink() {
  for (const link of document.querySelectorAll('a[href]')) {
    const url = new URL(link.getAttribute('href'), location.href);
    if (url.origin === location.origin && !link.hasAttribute('data-no-cart')) {
      link.setAttribute('href', withCart(link.getAttribute('href'), cart));
    }
  }
  for (const input of document.querySelectorAll('input[name="cart"]')) {
    input.value = withCart('/', cart).split('cart=')[1] ?? '';
    input.disabled = cart.size === 0;
  }
  for (const badge of document.querySelectorAll('[data-cart-count]')) {
    badge.textContent = String(cartCount(cart));
    badge.classList.toggle('empty', cart.size === 0);
  }
}

/** Keeps the URL in step with the cart; same path, so the tracker counts no new pageview. */
export function saveCart() {
  history.replaceState(history.state, '', withCart(location.href, cart));
  relink();
}

let toastTimer;
export function toast(message) {
  let box = document.querySelector('.toast');
  if (!box) {
    box = document.createElement('div');
    box.className = 'toast';
    box.setAttribute('role', 'status');
    document.body.append(box);
  }
  box.textContent = message;
  box.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => box.classList.remove('show'), 2200);
}

export function addToCart(product, quantity = 1) {
  changeQuantity(cart, product.id, quantity);
  kanon('add_to_cart', { id: product.id, category: product.category, price: product.price, quantity });
  saveCart();
  toast(`${product.name} added to your cart`);
}

/** A product card; `data-kanon-item` makes it an item of the slot it is rendered into. */
export function productCard(product) {
  return `
    <article class="card" data-kanon-item>
      <a class="card-link" href="/product?id=${product.id}">
        <div class="card-art">${productArt(product)}</div>
        <div class="card-body">
          <span class="card-category">${CATEGORIES[product.category].name}</span>
          <h3>${escapeHtml(product.name)}</h3>
          <p class="card-notes">${escapeHtml(product.notes)}</p>
        </div>
      </a>
      <div class="card-foot">
        <span class="price">${formatPrice(product.price)}</span>
        <button type="button" class="button small" data-add="${product.id}">Add to cart</button>
      </div>
    </article>`;
}

/** Renders header and footer, wires "Add to cart" buttons, and links everything to the cart. */
export function startPage({ active } = {}, products = []) {
  renderHeader(active);
  renderFooter();
  document.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('[data-add]') : null;
    const product = button && products.find((p) => p.id === button.getAttribute('data-add'));
    if (product) addToCart(product);
  });
  relink();
}
