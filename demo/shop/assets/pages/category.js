import { CATEGORIES, PRODUCTS } from '../catalog.js';
import { escapeHtml, productCard, startPage } from '../ui.js';

const main = document.querySelector('main');
const id = main.getAttribute('data-category');
const category = CATEGORIES[id];
const products = PRODUCTS.filter((product) => product.category === id);
main.querySelector('.page-title').textContent = category.name;
main.querySelector('.page-blurb').textContent = category.blurb;
main.querySelector('.count').textContent = `${products.length} products`;
main.querySelector('#grid').innerHTML = products.map(productCard).join('');
document.title = `${escapeHtml(category.name)} · Hearth & Bean`;
startPage({ active: id }, products);
