/// <reference lib="dom" />
import { h, icon, replace } from '../dom.js';
import { DASH, formatChange, formatCount, formatMoney, formatRate } from '../format.js';

export type ColumnKind = 'text' | 'count' | 'visitors' | 'rate' | 'money' | 'change';
export interface Column {
  key: string;
  label: string;
  kind: ColumnKind;
  hint?: string;
}
export type Row = Record<string, string | number | null> & { level: number };
export interface TableData {
  columns: Column[];
  rows: Row[];
}

export interface TableOptions {
  /** Column whose value draws a bar behind the first cell, relative to the largest. */
  bar?: string;
  /** Rows shown before "Show all". */
  limit?: number;
  /** Columns to leave out. */
  hide?: string[];
  /** Shown instead of an empty table. */
  empty?: Node;
  k: number;
  caption?: string;
  /**
   * How to show a column's value other than as it came (a country's name for its code, the code
   * on hover); sorting follows what is shown.
   */
  display?: Record<string, (row: Row) => { text: string; title?: string } | undefined>;
  /** Adds to a row's first cell once it is built (a product's picture, availability and link). */
  decorate?: (row: Row, cell: HTMLElement) => void;
  /**
   * Makes a row's name a button that filters the page by it (Explore): `filter` answers the
   * action for a row, or undefined for a row that cannot filter (a grouped row, a full set).
   */
  filter?: { dimension: string; action: (row: Row) => (() => void) | undefined };
}

export function formatCell(kind: ColumnKind, value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return kind === 'text' ? '' : DASH;
  switch (kind) {
    case 'count':
    case 'visitors':
      return formatCount(Number(value));
    case 'rate':
      return formatRate(Number(value));
    case 'money':
      return formatMoney(Number(value));
    case 'change':
      return formatChange(Number(value));
    default:
      return String(value);
  }
}

/**
 * Noise mode: a figure's ± margin (95 %) in the figure's own unit; a change's or a rate's in
 * percentage points ("±3 pts").
 */
export function formatMargin(kind: ColumnKind, margin: number): string {
  switch (kind) {
    case 'money':
      return `±${formatMoney(margin)}`;
    case 'rate':
    case 'change': {
      const points = margin * 100;
      return `±${points >= 10 || points === 0 ? points.toFixed(0) : points.toFixed(1)} pts`;
    }
    default:
      return `±${formatCount(margin)}`;
  }
}

export const MARGIN_HINT =
  'Noise mode: the figure carries random noise that protects each shopper; the true value lies within this margin 19 times in 20 (95 %).';

/** The margin shown under a noisy figure, or null for an exact one (plain mode). */
export function marginNote(kind: ColumnKind, margin: unknown): HTMLElement | null {
  if (typeof margin !== 'number' || !Number.isFinite(margin)) return null;
  return h('span', { class: 'margin', attrs: { title: MARGIN_HINT } }, formatMargin(kind, margin));
}

function changeClass(value: unknown): string {
  if (typeof value !== 'number' || Math.round(value * 100) === 0) return 'change flat';
  return value > 0 ? 'change up' : 'change down';
}

function compare(kind: ColumnKind, a: unknown, b: unknown): number {
  const missingA = a === null || a === undefined || a === '';
  const missingB = b === null || b === undefined || b === '';
  if (missingA || missingB) return missingA === missingB ? 0 : missingA ? 1 : -1;
  if (kind === 'text') return String(a).localeCompare(String(b));
  return Number(a) - Number(b);
}

/**
 * A sortable table (click a header; again to reverse). Generalised rows ("Other products in
 * tea") are marked and explained; numbers are right-aligned in tabular figures.
 */
export function dataTable(data: TableData, options: TableOptions): HTMLElement {
  const columns = data.columns.filter((column) => !options.hide?.includes(column.key));
  const wrap = h('div', 'table-wrap');
  if (data.rows.length === 0) {
    replace(wrap, options.empty ?? h('p', 'muted empty-inline', 'Nothing released for this range.'));
    return wrap;
  }
  let sort: { key: string; direction: 1 | -1 } | undefined;
  let expanded = false;
  const max = options.bar ? Math.max(...data.rows.map((row) => Number(row[options.bar!] ?? 0)), 1) : 1;

  const render = () => {
    const rows = [...data.rows];
    if (sort) {
      const column = columns.find((c) => c.key === sort!.key)!;
      const shown = options.display?.[column.key];
      const value = (row: Row) => (shown ? (shown(row)?.text ?? row[column.key]) : row[column.key]);
      rows.sort((a, b) => compare(column.kind, value(a), value(b)) * sort!.direction);
    }
    const limit = options.limit && !expanded ? options.limit : rows.length;
    const head = h(
      'tr',
      null,
      columns.map((column, index) => {
        const active = sort?.key === column.key;
        const button = h(
          'button',
          {
            class: `sort${active ? ' active' : ''}`,
            attrs: { type: 'button', title: column.hint ?? `Sort by ${column.label.toLowerCase()}` },
            on: {
              click: () => {
                sort =
                  sort?.key === column.key
                    ? { key: column.key, direction: sort.direction === 1 ? -1 : 1 }
                    : { key: column.key, direction: column.kind === 'text' ? 1 : -1 };
                render();
              },
            },
          },
          column.label,
          column.hint ? icon('info', 'icon hint') : null,
          active ? h('span', 'arrow', sort!.direction === 1 ? '▲' : '▼') : null,
        );
        return h(
          'th',
          {
            class: column.kind === 'text' ? 'text' : 'num',
            attrs: {
              scope: 'col',
              'aria-sort': active ? (sort!.direction === 1 ? 'ascending' : 'descending') : undefined,
            },
          },
          index === 0 ? button : button,
        );
      }),
    );
    const body = rows.slice(0, limit).map((row) => {
      const generalised = row.level > 0;
      return h(
        'tr',
        { class: generalised ? 'generalised' : '' },
        columns.map((column, index) => {
          const value = row[column.key];
          const shown = options.display?.[column.key]?.(row);
          const text = shown?.text ?? formatCell(column.kind, value);
          if (index === 0) {
            const cell = h('td', 'text first');
            if (options.bar) {
              const share = Math.max(0, Number(row[options.bar] ?? 0)) / max;
              cell.appendChild(h('div', { class: 'bar', style: { width: `${(share * 100).toFixed(1)}%` } }));
            }
            const label = h('span', { class: 'label', attrs: { title: shown?.title } }, text);
            const action = row.level === 0 ? options.filter?.action(row) : undefined;
            cell.appendChild(
              action
                ? h(
                    'button',
                    {
                      class: 'row-filter',
                      attrs: {
                        type: 'button',
                        title: `Filter the page by this ${options.filter!.dimension}`,
                        'data-filter-by': options.filter!.dimension,
                      },
                      on: { click: action },
                    },
                    label,
                  )
                : label,
            );
            if (generalised) {
              // A space, so the pill may go to the next line rather than widen the column.
              cell.appendChild(document.createTextNode(' '));
              cell.appendChild(
                h(
                  'span',
                  {
                    class: 'pill',
                    attrs: {
                      title: `Small groups (fewer than ${options.k} visitors each) combined, to protect shoppers' privacy`,
                    },
                  },
                  'grouped',
                ),
              );
            }
            options.decorate?.(row, cell);
            return cell;
          }
          return h(
            'td',
            {
              class:
                column.kind === 'text'
                  ? 'text'
                  : column.kind === 'change'
                    ? `num ${changeClass(value)}`
                    : 'num',
              attrs: shown?.title
                ? { title: shown.title }
                : column.kind === 'visitors' && column.hint
                  ? { title: column.hint }
                  : {},
            },
            text,
            marginNote(column.kind, row[`${column.key}_margin`]),
          );
        }),
      );
    });
    const table = h(
      'table',
      'data',
      options.caption ? h('caption', 'sr-only', options.caption) : null,
      h('thead', null, head),
      h('tbody', null, body),
    );
    const more =
      options.limit && rows.length > options.limit
        ? h(
            'button',
            {
              class: 'link more',
              attrs: { type: 'button' },
              on: {
                click: () => {
                  expanded = !expanded;
                  render();
                },
              },
            },
            expanded ? 'Show fewer' : `Show all ${rows.length}`,
          )
        : null;
    const scroller = h('div', 'scroll-x', table);
    const hint = h(
      'p',
      { class: 'scroll-hint', attrs: { hidden: true } },
      'Scroll sideways for more columns →',
    );
    replace(wrap, hint, scroller, more);
    watchOverflow(scroller, hint);
  };
  render();
  return wrap;
}

/**
 * A table wider than its card (a phone, ten columns) scrolls sideways, and says so: a hint above it,
 * a shade on the edge with more columns beyond, and its first column kept in place, so a column is
 * never just cut off.
 */
function watchOverflow(scroller: HTMLElement, hint: HTMLElement): void {
  const update = () => {
    const overflowing = scroller.scrollWidth > scroller.clientWidth + 1;
    scroller.classList.toggle('overflowing', overflowing);
    scroller.classList.toggle(
      'at-end',
      scroller.scrollLeft + scroller.clientWidth >= scroller.scrollWidth - 1,
    );
    hint.hidden = !overflowing;
  };
  new ResizeObserver(update).observe(scroller);
  scroller.addEventListener('scroll', update, { passive: true });
}

/** A link that downloads a table as CSV: the rows shown, with the filters set. */
export function csvLink(href: string): HTMLElement {
  return h(
    'a',
    { class: 'button ghost small', attrs: { href, download: '', title: 'Download as CSV' } },
    icon('download'),
    'CSV',
  );
}
