/// <reference lib="dom" />
import { card, fill, type ViewContext } from '../context.js';
import { type Child, h, icon } from '../dom.js';
import type { DimensionFilter } from '../state.js';
import {
  type Comparison,
  emptyState,
  type NamedShare,
  namedLine,
  notComparedTag,
  type PrivacyNote,
  privacyFootnote,
  type ReleasedDays,
  releasedTag,
} from '../ui/notices.js';
import { csvLink, dataTable, type Row, type TableData, type TableOptions } from '../ui/table.js';

export interface TableResponse {
  site: string;
  from: string;
  to: string;
  k: number;
  notSplitBy: DimensionFilter[];
  privacy: PrivacyNote;
  released: ReleasedDays;
  /** What the change columns compare with, or why they do not; null when nothing is compared. */
  comparison: Comparison | null;
  named: NamedShare | null;
  table: TableData;
}

/**
 * A card holding one API table: loads it with the current filters, shows a skeleton meanwhile,
 * then which days it covers (when the range reaches a day not released yet), the table (or why
 * it is empty), the share of it in named rows, the privacy footnote and, for analysts, a CSV link.
 */
export function tableCard<T extends TableResponse>(
  context: ViewContext,
  options: {
    title: string;
    subtitle?: string;
    path: string;
    extra?: Record<string, string | undefined>;
    table?: Partial<TableOptions>;
    className?: string;
    id?: string;
    /** Content above the table, built from the response (a chart, a picture). */
    before?: (response: T) => Child;
    after?: (response: T) => Child;
    /** Set false where a notice for the whole view already says the view is not split. */
    inlineNotSplit?: boolean;
    /**
     * Why a list that keeps some rows only (rarely bought, found nothing) is empty over released
     * days; without it, the general empty state (nothing released, or no group of K).
     */
    emptyText?: string;
    /** What the rows are, for an empty table ("No promotions in 1–5 Dec"); the title by default. */
    noun?: string;
    /** Called with the response once it is shown (the view's notes on its tables). */
    loaded?: (response: T) => void;
    /** A click on a row's name filters the page by the row's `key` value (Explore). */
    filterBy?: { dimension: DimensionFilter; key: string };
  },
): HTMLElement {
  const body = h('div', 'card-content');
  const csv = context.csv(options.path, options.extra);
  const element = card(
    {
      title: options.title,
      subtitle: options.subtitle,
      actions: csv ? csvLink(csv) : null,
      className: options.className,
      id: options.id,
    },
    body,
  );
  fill(body, context.signal, async () => {
    const response = await context.load<T>(options.path, options.extra);
    options.loaded?.(response);
    const rows = response.table.rows.length > 0;
    const empty =
      options.emptyText && response.released.days.length > 0
        ? h('p', 'muted empty-inline', options.emptyText)
        : emptyState(
            response.privacy,
            context.session.windowSeconds,
            response.k,
            response.released,
            options.noun ?? options.title.toLowerCase(),
          );
    return [
      response.notSplitBy.length > 0 && options.inlineNotSplit !== false
        ? h(
            'p',
            {
              class: 'not-split-inline',
              attrs: {
                title:
                  "Reports are kept apart so a filtered copy can't be compared with the whole to single out shoppers.",
              },
            },
            icon('shield', 'icon small'),
            `Not split by ${response.notSplitBy.join(' or ')}: figures for all.`,
          )
        : null,
      // With no rows, the empty state says when the day comes instead.
      rows ? releasedTag(response.released) : null,
      rows &&
      response.table.columns.some(
        (column) => column.kind === 'change' && !options.table?.hide?.includes(column.key),
      )
        ? notComparedTag(response.comparison)
        : null,
      rows ? options.before?.(response) : null,
      dataTable(response.table, {
        k: response.k,
        empty,
        caption: options.title,
        ...(options.filterBy ? { filter: rowFilter(context, options.filterBy) } : {}),
        ...options.table,
      }),
      rows ? namedLine(response.named) : null,
      rows ? options.after?.(response) : null,
      privacyFootnote(response.privacy),
    ];
  });
  return element;
}

/** The row filter of a table whose rows carry a dimension's value under `key`. */
export function rowFilter(context: ViewContext, by: { dimension: DimensionFilter; key: string }) {
  return {
    dimension: by.dimension,
    action: (row: Row) => {
      const value = row[by.key];
      return typeof value === 'string' && value !== '' ? context.filterBy(by.dimension, value) : undefined;
    },
  };
}

export const grid = (className: string, ...children: Child[]) => h('div', `grid ${className}`, children);
