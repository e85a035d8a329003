/// <reference lib="dom" />
import { api, type SessionInfo } from './api.js';
import { type Child, h, replace } from './dom.js';
import type { DimensionFilter, FilterState } from './state.js';
import { toQuery, withFilter } from './state.js';
import { errorState, skeleton } from './ui/notices.js';

export interface ViewContext {
  session: SessionInfo;
  filters: FilterState;
  /** Aborted when the filters change or the person leaves the view. */
  signal: AbortSignal;
  /** GETs an API path with the current filters. */
  load<T>(path: string, extra?: Record<string, string | undefined>): Promise<T>;
  /** The CSV export link of a table endpoint: the rows the view shows, for every role. */
  csv(path: string, extra?: Record<string, string | undefined>): string | undefined;
  navigate(path: string): void;
  setFilters(change: Partial<FilterState>): void;
  /**
   * Filters the whole page by a clicked row's value, or undefined when it cannot (three filters
   * set already, or the row is that filter's already).
   */
  filterBy(name: DimensionFilter, value: string): (() => void) | undefined;
}

export interface View {
  path: string;
  title: string;
  nav: string;
  icon: string;
  role: SessionInfo['user']['role'];
  /** Dimension filters some part of the view honours; the filter bar marks the others. */
  filters: readonly DimensionFilter[];
  /** Whether the date and dimension filters apply at all (not on SQL and admin). */
  filtered: boolean;
  render(root: HTMLElement, context: ViewContext): void;
}

export function buildContext(
  session: SessionInfo,
  filters: FilterState,
  signal: AbortSignal,
  navigate: (path: string) => void,
  setFilters: (change: Partial<FilterState>) => void,
): ViewContext {
  return {
    session,
    filters,
    signal,
    load: (path, extra) => api(`${path}?${toQuery(filters, extra)}`, { signal }),
    csv: (path, extra) => `${path}?${toQuery(filters, { ...extra, format: 'csv' })}`,
    navigate,
    setFilters,
    filterBy: (name, value) => {
      if (filters[name] === value) return undefined;
      const change = withFilter(filters, name, value);
      return change ? () => setFilters(change) : undefined;
    },
  };
}

export interface CardOptions {
  title: string;
  subtitle?: string;
  actions?: Child;
  className?: string;
  id?: string;
}

/** A titled panel. */
export function card(options: CardOptions, ...body: Child[]): HTMLElement {
  return h(
    'section',
    { class: `card ${options.className ?? ''}`, attrs: { id: options.id, 'aria-label': options.title } },
    h(
      'header',
      'card-head',
      h(
        'div',
        null,
        h('h2', null, options.title),
        options.subtitle ? h('p', 'subtitle', options.subtitle) : null,
      ),
      options.actions ? h('div', 'card-actions', options.actions) : null,
    ),
    h('div', 'card-body', body),
  );
}

/** Fills `target` with a skeleton, then with what `build` returns (or an error message). */
export function fill(target: HTMLElement, signal: AbortSignal, build: () => Promise<Child>): void {
  replace(target, skeleton());
  build().then(
    (content) => {
      if (!signal.aborted) replace(target, content);
    },
    (error: unknown) => {
      if (signal.aborted || (error as { name?: string }).name === 'AbortError') return;
      replace(target, errorState(error instanceof Error ? error.message : 'Unknown error'));
    },
  );
}
