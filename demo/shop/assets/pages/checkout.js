import { cartItems, cartLines, cartTotal, shippingFor } from '../cart.js';
import { CURRENCY, formatPrice } from '../catalog.js';
import { cart, escapeHtml, startPage } from '../ui.js';

const main = document.querySelector('main');
const lines = cartLines(cart);

function renderTotals() {
  const option = main.querySelector('input[name="delivery"]:checked').value;
  const shipping = shippingFor(cart, option);
  main.querySelector('#shipping').textContent = shipping ? formatPrice(shipping) : 'Free';
  main.querySelector('#grand-total').textContent = formatPrice(cartTotal(cart) + shipping);
}

if (lines.length === 0) {
  main.querySelector('.checkout-grid').innerHTML = `<div class="empty-state"><h2>Your cart is empty</h2>
    <p><a class="button" href="/">Back to the shop</a></p></div>`;
} else {
  kanon('checkout', { value: cartTotal(cart), currency: CURRENCY, items: cartItems(cart) });
  main.querySelector('#summary').innerHTML = lines
    .map(
      ({ product, quantity, total }) =>
        `<li><span>${quantity} × ${escapeHtml(product.name)}</span><span>${formatPrice(total)}</span></li>`,
    )
    .join('');
  main.querySelector('#subtotal').textContent = formatPrice(cartTotal(cart));
  main.addEventListener('change', renderTotals);
  renderTotals();
}
startPage();
