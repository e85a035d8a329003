/// <reference lib="dom" />
import type { SessionInfo } from './api.js';

/**
 * The filters live in the address bar, so a view can be bookmarked and shared with a colleague
 * who has an account: the range, the comparison, and up to three dimension filters in the order
 * they were set (the overview's figures follow the first).
 */
export interface FilterState {
  site: string;
  from: string;
  to: string;
  /** The days just before, the same days a year before, or no comparison. */
  compare: Compare;
  device: string | undefined;
  country: string | undefined;
  campaign: string | undefined;
  source: string | undefined;
  product: string | undefined;
  /** The dimension filters set, in the order they were set. */
  order: DimensionFilter[];
}

export type Compare = 'previous' | 'year' | 'none';
export type DimensionFilter = 'device' | 'country' | 'campaign' | 'source' | 'product';
export const DIMENSIONS: readonly DimensionFilter[] = ['device', 'country', 'campaign', 'source', 'product'];
/** As the API: more filters would mostly be "not split here" notes (dashboards/query/filters.ts). */
export const MAX_FILTERS = 3;

const DAY_MS = 86_400_000;
export const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

export function presets(today: string) {
  return [
    { key: 'today', label: 'Today', from: today, to: today },
    { key: 'yesterday', label: 'Yesterday', from: addDays(today, -1), to: addDays(today, -1) },
    { key: '7d', label: 'Last 7 days', from: addDays(today, -6), to: today },
    { key: '28d', label: 'Last 28 days', from: addDays(today, -27), to: today },
    { key: '90d', label: 'Last 90 days', from: addDays(today, -89), to: today },
    { key: 'month', label: 'This month', from: `${today.slice(0, 8)}01`, to: today },
  ];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function readFilters(session: SessionInfo, search = location.search): FilterState {
  const params = new URLSearchParams(search);
  const site = params.get('site');
  const from = params.get('from');
  const to = params.get('to');
  const valid = (value: string | null) =>
    value && DATE.test(value) && value <= session.today ? value : undefined;
  const end = valid(to) ?? session.today;
  const start = valid(from) ?? addDays(end, -6);
  const compare = params.get('compare');
  // The address's order is the order the filters were set; a hand-made fourth is dropped.
  const order = [...new Set([...params.keys()])]
    .filter((name): name is DimensionFilter => (DIMENSIONS as readonly string[]).includes(name))
    .filter((name) => params.get(name))
    .slice(0, MAX_FILTERS);
  const value = (name: DimensionFilter) =>
    order.includes(name) ? (params.get(name) ?? undefined) : undefined;
  return {
    site: site && session.sites.includes(site) ? site : (session.sites[0] ?? ''),
    from: [start, end].sort()[0]!,
    to: end,
    compare: compare === 'none' || compare === 'year' ? compare : 'previous',
    device: value('device'),
    country: value('country'),
    campaign: value('campaign'),
    source: value('source'),
    product: value('product'),
    order,
  };
}

/** The query string of the API call (and of the page address); filters in the order they were set. */
export function toQuery(state: FilterState, extra: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  params.set('site', state.site);
  params.set('from', state.from);
  params.set('to', state.to);
  if (state.compare !== 'previous') params.set('compare', state.compare);
  for (const name of activeDimensions(state)) params.set(name, state[name]!);
  for (const [name, value] of Object.entries(extra)) if (value !== undefined) params.set(name, value);
  return params.toString();
}

/** The dimension filters set, in the order they were set. */
export function activeDimensions(state: FilterState): DimensionFilter[] {
  const set = DIMENSIONS.filter((name) => state[name] !== undefined);
  return [
    ...state.order.filter((name) => set.includes(name)),
    ...set.filter((name) => !state.order.includes(name)),
  ];
}

/**
 * The change that sets (or, with undefined, removes) one dimension filter: a new one goes last in
 * the order; a fourth is refused (undefined), as the API would refuse it.
 */
export function withFilter(
  state: FilterState,
  name: DimensionFilter,
  value: string | undefined,
): Partial<FilterState> | undefined {
  const active = activeDimensions(state);
  if (value === undefined) return { [name]: undefined, order: active.filter((item) => item !== name) };
  if (active.includes(name)) return { [name]: value, order: active };
  if (active.length >= MAX_FILTERS) return undefined;
  return { [name]: value, order: [...active, name] };
}
