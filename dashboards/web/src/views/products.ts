/// <reference lib="dom" />
import { card, fill, type View, type ViewContext } from '../context.js';
import { h, icon } from '../dom.js';
import { DASH, formatChange, formatCount, formatRate } from '../format.js';
import { activeDimensions } from '../state.js';
import { emptyState, namedLine, notSplitNotice, privacyFootnote, releasedBanner } from '../ui/notices.js';
import { decorateProductCell, productExtras, productThumbnail, productTitle } from '../ui/product-cell.js';
import type { Row } from '../ui/table.js';
import { csvLink } from '../ui/table.js';
import { grid, type TableResponse, tableCard } from './common.js';

/** Shown in the product's cell (id on hover, availability as a pill); the columns are for CSV. */
const PRODUCT_EXPORT_ONLY = ['product_id', 'availability'];

function moverList(rows: Row[], direction: 'rising' | 'falling'): HTMLElement {
  const items = rows.filter((row) => row.direction === direction);
  if (items.length === 0) {
    return h(
      'p',
      'muted empty-inline',
      direction === 'rising' ? 'No product gained views.' : 'No product lost views.',
    );
  }
  return h(
    'ol',
    `movers ${direction}`,
    items.map((row) =>
      h(
        'li',
        null,
        h('span', `mover-icon ${direction}`, icon(direction === 'rising' ? 'up' : 'down', 'icon small')),
        productThumbnail(row),
        h(
          'span',
          'mover-name',
          h('strong', { attrs: { title: productTitle(row) } }, String(row.product)),
          h('span', 'muted', String(row.category ?? ''), productExtras(row)),
        ),
        h(
          'span',
          'mover-figures',
          h(
            'span',
            `change ${direction === 'rising' ? 'up' : 'down'}`,
            row.views_change === null
              ? row.previous_views === null
                ? 'new'
                : 'gone'
              : formatChange(Number(row.views_change)),
          ),
          h(
            'span',
            'muted',
            `${row.previous_views === null ? DASH : formatCount(Number(row.previous_views))} → ${row.views === null ? DASH : formatCount(Number(row.views))} views`,
          ),
        ),
      ),
    ),
  );
}

function renderProducts(root: HTMLElement, context: ViewContext) {
  const banner = releasedBanner();
  const loaded = (response: TableResponse) => banner.show(response.released, response.comparison);
  // A product filter narrows the product tables; categories and searches say in place they are not
  // split by product.
  const others = activeDimensions(context.filters).filter((name) => name !== 'product');
  const productNotSplit = context.filters.product !== undefined;
  root.append(notSplitNotice(others, 'Product selection') ?? '', banner.element);
  const rising = h('div', 'card-content');
  const falling = h('div', 'card-content');
  const csv = context.csv('/api/v1/products/movers');
  root.append(
    grid(
      'two',
      card(
        {
          title: 'Rising products',
          subtitle: 'Most gained views against the previous period',
          actions: csv ? csvLink(csv) : null,
          id: 'rising',
        },
        rising,
      ),
      card(
        { title: 'Falling products', subtitle: 'Most lost views against the previous period', id: 'falling' },
        falling,
      ),
    ),
  );
  if (context.filters.compare === 'none') {
    rising.append(
      h(
        'p',
        'muted empty-inline',
        'Choose a comparison ("vs previous period") to see which products are moving.',
      ),
    );
    falling.append(
      h(
        'p',
        'muted empty-inline',
        'Choose a comparison ("vs previous period") to see which products are moving.',
      ),
    );
  } else {
    const movers = context.load<TableResponse>('/api/v1/products/movers');
    // A range with no released day has no movers yet: say when the day comes, not "none moved".
    const waiting = (response: TableResponse) =>
      response.released.days.length === 0 && response.released.pending.length > 0;
    // Without a comparable previous period nothing moves: say why, not "no product gained views".
    const notCompared = (response: TableResponse) =>
      response.comparison && !response.comparison.compared
        ? h('p', 'muted empty-inline not-compared', response.comparison.text)
        : null;
    fill(rising, context.signal, async () => {
      const response = await movers;
      if (waiting(response))
        return emptyState(response.privacy, context.session.windowSeconds, response.k, response.released);
      const why = notCompared(response);
      if (why) return [why, namedLine(response.named), privacyFootnote(response.privacy)];
      return [
        moverList(response.table.rows, 'rising'),
        namedLine(response.named),
        privacyFootnote(response.privacy),
      ];
    });
    fill(falling, context.signal, async () => {
      const response = await movers;
      if (waiting(response))
        return h('p', 'muted empty-inline', 'Movers come with the first released day of the range.');
      return notCompared(response) ?? moverList(response.table.rows, 'falling');
    });
  }
  root.append(
    tableCard(context, {
      title: 'Products',
      subtitle: 'Ranked by views. Click a column to sort.',
      path: '/api/v1/products',
      inlineNotSplit: false,
      id: 'products',
      loaded,
      table: { bar: 'views', limit: 15, hide: PRODUCT_EXPORT_ONLY, decorate: decorateProductCell },
      filterBy: { dimension: 'product', key: 'product_id' },
    }),
    grid(
      'two',
      tableCard(context, {
        title: 'Categories',
        path: '/api/v1/categories',
        inlineNotSplit: productNotSplit,
        id: 'categories',
        loaded,
        table: { bar: 'views', hide: ['revenue', 'add_to_carts', 'cart_rate', 'visitors'] },
      }),
      tableCard<TableResponse & { shopConversion: number | null }>(context, {
        title: 'Viewed often, rarely bought',
        subtitle: 'Busy products converting at under half the shop average',
        path: '/api/v1/products/unbought',
        inlineNotSplit: false,
        filterBy: { dimension: 'product', key: 'product_id' },
        id: 'unbought',
        loaded,
        emptyText: 'No busy product converts at under half the shop average.',
        table: {
          bar: 'views',
          hide: ['category', 'views_change', 'add_to_carts', 'revenue', 'visitors', ...PRODUCT_EXPORT_ONLY],
          decorate: decorateProductCell,
        },
        before: (response) =>
          h(
            'p',
            'muted small',
            `Shop average: ${formatRate(response.shopConversion)} of product views end in a unit sold.`,
          ),
      }),
      tableCard(context, {
        title: 'What shoppers search for',
        noun: 'searches',
        path: '/api/v1/searches',
        inlineNotSplit: productNotSplit,
        id: 'searches',
        loaded,
        table: { bar: 'searches', limit: 10, hide: ['zero_rate', 'visitors'] },
      }),
      tableCard(context, {
        title: 'Searches that found nothing',
        subtitle: 'Demand the shop does not stock (or cannot find)',
        path: '/api/v1/searches/zero-results',
        inlineNotSplit: productNotSplit,
        id: 'zero-results',
        loaded,
        emptyText: 'Every named search found something.',
        table: { bar: 'zero_results', limit: 10, hide: ['searches_change', 'visitors'] },
      }),
    ),
  );
}

export const productsView: View = {
  path: '/products',
  title: 'Product selection',
  nav: 'Products',
  icon: 'products',
  role: 'viewer',
  filters: ['product'],
  filtered: true,
  render: renderProducts,
};
