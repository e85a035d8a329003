import { productArt } from '../art.js';
import { cartLines, cartTotal, changeQuantity } from '../cart.js';
import { CATEGORIES, formatPrice, productById } from '../catalog.js';
import { cart, escapeHtml, relink, saveCart, startPage } from '../ui.js';

const main = document.querySelector('main');

function render() {
  const lines = cartLines(cart);
  main.querySelector('#lines').innerHTML = lines.length
    ? lines
        .map(
          ({ product, quantity, total }) => `
      <li class="line">
        <a class="line-art" href="/product?id=${product.id}">${productArt(product)}</a>
        <div class="line-info">
          <a href="/product?id=${product.id}"><strong>${escapeHtml(product.name)}</strong></a>
          <span class="muted">${CATEGORIES[product.category].name} · ${formatPrice(product.price)}</span>
        </div>
        <div class="stepper" aria-label="Quantity of ${escapeHtml(product.name)}">
          <button type="button" data-step="-1" data-id="${product.id}" aria-label="One fewer">−</button>
          <span>${quantity}</span>
          <button type="button" data-step="1" data-id="${product.id}" aria-label="One more">+</button>
        </div>
        <span class="line-total">${formatPrice(total)}</span>
        <button type="button" class="link-button" data-remove="${product.id}">Remove</button>
      </li>`,
        )
        .join('')
    : '<li class="empty-state"><h2>Your cart is empty</h2><p><a class="button" href="/">Find something good</a></p></li>';
  main.querySelector('#total').textContent = formatPrice(cartTotal(cart));
  main.querySelector('#to-checkout').classList.toggle('disabled', lines.length === 0);
  relink();
}

main.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target.closest('button') : null;
  const id = target?.getAttribute('data-id') ?? target?.getAttribute('data-remove');
  const product = id && productById(id);
  if (!product) return;
  const fields = { id: product.id, category: product.category, price: product.price };
  const step = target.hasAttribute('data-remove') ? -cart.get(id) : Number(target.getAttribute('data-step'));
  kanon(step > 0 ? 'add_to_cart' : 'remove_from_cart', { ...fields, quantity: Math.abs(step) });
  changeQuantity(cart, id, step);
  saveCart();
  render();
});

startPage();
render();
