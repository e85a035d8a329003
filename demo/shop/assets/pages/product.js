import { productArt } from '../art.js';
import { CATEGORIES, formatPrice, PRODUCTS, productById } from '../catalog.js';
import { addToCart, escapeHtml, productCard, startPage } from '../ui.js';

const product = productById(new URLSearchParams(location.search).get('id'));
const main = document.querySelector('main');

if (!product) {
  main.innerHTML = `<div class="wrap empty-state"><h1>We could not find that product</h1>
    <p><a class="button" href="/">Back to the shop</a></p></div>`;
  startPage();
} else {
  kanon('product_view', { id: product.id, category: product.category, price: product.price });
  document.title = `${product.name} · Hearth & Bean`;
  const category = CATEGORIES[product.category];
  main.querySelector('.breadcrumbs').innerHTML =
    `<a href="/">Home</a> / <a href="/${product.category}">${category.name}</a> / <span>${escapeHtml(product.name)}</span>`;
  main.querySelector('.product-art').innerHTML = productArt(product);
  main.querySelector('.product-category').textContent = category.name;
  main.querySelector('h1').textContent = product.name;
  main.querySelector('.product-notes').textContent = product.notes;
  main.querySelector('.product-price').textContent = formatPrice(product.price);
  main.querySelector('.product-description').textContent = product.description;
  const related = PRODUCTS.filter((p) => p.category === product.category && p.id !== product.id).slice(0, 3);
  main.querySelector('#related').innerHTML = related.map(productCard).join('');

  const quantity = main.querySelector('#quantity');
  main.querySelector('#add').addEventListener('click', () => {
    addToCart(product, Math.max(1, Math.min(99, Number.parseInt(quantity.value, 10) || 1)));
  });
  startPage({ active: product.category }, related);
}
