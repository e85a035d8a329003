import { CATEGORIES, PRODUCTS } from '../catalog.js';
import { escapeHtml, productCard, startPage } from '../ui.js';

/** A small client-side search: every word must appear in the name, notes, category or description. */
function search(query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return PRODUCTS.filter((product) => {
    const text = [product.name, product.notes, product.description, CATEGORIES[product.category].name]
      .join(' ')
      .toLowerCase();
    return words.every((word) => text.includes(word));
  });
}

const query = (new URLSearchParams(location.search).get('q') ?? '').trim();
const main = document.querySelector('main');
const results = query ? search(query) : [];
if (query) kanon('search', { query, results: results.length });

main.querySelector('.page-title').textContent = query ? `Results for “${query}”` : 'Search';
main.querySelector('.count').textContent = query
  ? `${results.length} ${results.length === 1 ? 'product' : 'products'}`
  : '';
main.querySelector('#grid').innerHTML = results.length
  ? results.map(productCard).join('')
  : `<div class="empty-state">${
      query
        ? `<h2>Nothing matches “${escapeHtml(query)}”</h2><p>Try “espresso”, “green” or “kettle”.</p>`
        : '<h2>What are you looking for?</h2><p>Search by name, flavour or brewing method.</p>'
    }</div>`;
startPage({}, results);
