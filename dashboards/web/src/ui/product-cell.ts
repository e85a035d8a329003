/// <reference lib="dom" />
import { h } from '../dom.js';
import type { Row } from './table.js';

/**
 * A product as the shop's feed describes it (dashboards/catalog): its picture, its title (the id on
 * hover), its availability and a link to its page in the shop. Rows without a feed entry keep their
 * id, and grouped rows ("Other products in tea") their own names. Pictures load from the feed's
 * image hosts, which the Content-Security-Policy allows; no referrer goes with them.
 */
const AVAILABILITY: Record<string, string> = {
  in_stock: 'In stock',
  out_of_stock: 'Out of stock',
  preorder: 'Preorder',
  backorder: 'Backorder',
};

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

export function productThumbnail(row: Row): HTMLElement | null {
  const image = text(row.product_image);
  if (row.level > 0 || !image) return null;
  return h('img', {
    class: 'thumb',
    attrs: { src: image, alt: '', width: '32', height: '32', loading: 'lazy', referrerpolicy: 'no-referrer' },
  });
}

/** The availability pill and the shop link, after the name. */
export function productExtras(row: Row): HTMLElement[] {
  if (row.level > 0) return [];
  const extras: HTMLElement[] = [];
  const availability = text(row.availability);
  if (availability && AVAILABILITY[availability]) {
    extras.push(
      h('span', { class: `avail ${availability}`, dataset: { availability } }, AVAILABILITY[availability]),
    );
  }
  const link = text(row.product_link);
  if (link) {
    extras.push(
      h(
        'a',
        {
          class: 'shop-link',
          attrs: {
            href: link,
            target: '_blank',
            rel: 'noopener noreferrer',
            title: 'Open in the shop',
            'aria-label': `Open ${String(row.product)} in the shop`,
          },
          on: { click: (event) => event.stopPropagation() },
        },
        '↗',
      ),
    );
  }
  return extras;
}

/** The product id on hover, where the name is the feed's title. */
export function productTitle(row: Row): string | undefined {
  const id = text(row.product_id);
  return row.level === 0 && id && id !== row.product ? `Product id: ${id}` : undefined;
}

/** Dresses a table's first cell (see dataTable's `decorate`): picture first, extras after. */
export function decorateProductCell(row: Row, cell: HTMLElement): void {
  const label = cell.querySelector<HTMLElement>('.label');
  const title = productTitle(row);
  if (label && title) label.title = title;
  const thumbnail = productThumbnail(row);
  // The label may sit inside a wrapper (the drill-down's filter button): the picture goes before
  // the cell's child that holds it, or first when there is no label.
  let beside: Node | null = label;
  while (beside && beside.parentNode !== cell) beside = beside.parentNode;
  if (thumbnail) cell.insertBefore(thumbnail, beside ?? cell.firstChild);
  cell.append(...productExtras(row));
  if (thumbnail || title) cell.classList.add('product-cell');
}
