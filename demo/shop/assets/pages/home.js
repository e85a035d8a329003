import { productArt } from '../art.js';
import { PRODUCTS, productById } from '../catalog.js';
import { productCard, startPage } from '../ui.js';

const picks = ['p01', 'p10', 'p05', 'p11'].map(productById);
document.querySelector('#recommendations').innerHTML = picks.map(productCard).join('');
for (const element of document.querySelectorAll('[data-art]')) {
  element.innerHTML = productArt(productById(element.getAttribute('data-art')));
}
startPage({}, PRODUCTS);
