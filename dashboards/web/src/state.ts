/// <reference lib="dom" />
import type { SessionInfo } from './api.js';

/** The filters live in the address bar, so a view can be bookmarked and shared. */
export interface FilterState {
  site: string;
  from: string;
  to: string;
  compare: boolean;
  device: string | undefined;
  country: string | undefined;
  campaign: string | undefined;
}

export type DimensionFilter = 'device' | 'country' | 'campaign';
export const DIMENSIONS: readonly DimensionFilter[] = ['device', 'country', 'campaign'];

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
  return {
    site: site && session.sites.includes(site) ? site : (session.sites[0] ?? ''),
    from: [start, end].sort()[0]!,
    to: end,
    compare: params.get('compare') !== 'none',
    device: params.get('device') ?? undefined,
    country: params.get('country') ?? undefined,
    campaign: params.get('campaign') ?? undefined,
  };
}

/** The query string of the API call (and of the page address). */
export function toQuery(state: FilterState, extra: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  params.set('site', state.site);
  params.set('from', state.from);
  params.set('to', state.to);
  if (!state.compare) params.set('compare', 'none');
  for (const name of DIMENSIONS) {
    const value = state[name];
    if (value) params.set(name, value);
  }
  for (const [name, value] of Object.entries(extra)) if (value !== undefined) params.set(name, value);
  return params.toString();
}

export function activeDimensions(state: FilterState): DimensionFilter[] {
  return DIMENSIONS.filter((name) => state[name] !== undefined);
}
