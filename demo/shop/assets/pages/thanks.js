import { cartItems, cartLines, cartTotal, shippingFor } from '../cart.js';
import { CURRENCY, formatPrice } from '../catalog.js';
import { cart, escapeHtml, relink, startPage } from '../ui.js';

const main = document.querySelector('main');
const lines = cartLines(cart);

if (lines.length) {
  // value is the goods only, as in the checkout event; delivery is not merchandise.
  kanon('purchase', { value: cartTotal(cart), currency: CURRENCY, items: cartItems(cart) });
  const shipping = shippingFor(cart, new URLSearchParams(location.search).get('delivery'));
  main.querySelector('#order').innerHTML = lines
    .map(
      ({ product, quantity, total }) =>
        `<li><span>${quantity} × ${escapeHtml(product.name)}</span><span>${formatPrice(total)}</span></li>`,
    )
    .join('');
  main.querySelector('#order-subtotal').textContent = formatPrice(cartTotal(cart));
  main.querySelector('#order-shipping').textContent = shipping ? formatPrice(shipping) : 'Free';
  main.querySelector('#order-total').textContent = formatPrice(cartTotal(cart) + shipping);
  // The order is placed: empty the cart, and drop it from the URL so a reload sends no second purchase.
  cart.clear();
  history.replaceState(history.state, '', location.pathname);
} else {
  main.querySelector('.receipt').hidden = true;
}
startPage();
relink();
