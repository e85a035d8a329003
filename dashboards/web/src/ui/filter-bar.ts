/// <reference lib="dom" />
import { api, type SessionInfo } from '../api.js';
import type { View } from '../context.js';
import { h, icon } from '../dom.js';
import { countryName, formatRange } from '../format.js';
import {
  activeDimensions,
  type Compare,
  type DimensionFilter,
  type FilterState,
  MAX_FILTERS,
  presets,
  toQuery,
  withFilter,
} from '../state.js';

export const DEVICE_NAMES: Record<string, string> = {
  desktop: 'Desktop',
  mobile: 'Mobile',
  tablet: 'Tablet',
  other: 'Other devices',
};

function select(
  name: string,
  label: string,
  options: { value: string; label: string }[],
  value: string,
  onChange: (value: string) => void,
  extraClass = '',
  showLabel = true,
): HTMLLabelElement {
  const element = h(
    'select',
    {
      attrs: { name, 'aria-label': label },
      on: { change: (event) => onChange((event.target as HTMLSelectElement).value) },
    },
    options.map((option) =>
      h('option', { attrs: { value: option.value, selected: option.value === value } }, option.label),
    ),
  );
  return h('label', `control ${extraClass}`, showLabel ? h('span', 'control-label', label) : null, element);
}

const DIMENSION_LABELS: Record<DimensionFilter, string> = {
  device: 'Device',
  country: 'Country',
  campaign: 'Campaign',
  source: 'Source',
  product: 'Product',
};

/** How a filter's value reads on its pill ("Germany", "Direct", "Mobile"). */
export function filterValueLabel(name: DimensionFilter, value: string): string {
  if (name === 'device') return DEVICE_NAMES[value] ?? value;
  if (name === 'country') return value === 'ZZ' ? 'Unknown' : countryName(value);
  if (name === 'source' && value === '(direct)') return 'Direct';
  return value;
}

/**
 * The filters set, one pill each (click × to remove it), in the order they were set; a filter the
 * view cannot honour is marked "not split here".
 */
function filterPills(
  filters: FilterState,
  view: View,
  setFilters: (change: Partial<FilterState>) => void,
): HTMLElement | null {
  const active = activeDimensions(filters);
  if (active.length === 0) return null;
  return h(
    'div',
    { class: 'filter-pills', attrs: { role: 'list', 'aria-label': 'Filters set' } },
    active.map((name) => {
      const value = filters[name]!;
      const unsupported = !view.filters.includes(name);
      return h(
        'span',
        {
          class: `filter-pill${unsupported ? ' unsupported' : ''}`,
          attrs: {
            role: 'listitem',
            'data-filter': name,
            title: unsupported
              ? `This view is not split by ${name}, to protect shoppers' privacy.`
              : `${DIMENSION_LABELS[name]}: ${value}`,
          },
        },
        h('span', 'filter-pill-name', `${DIMENSION_LABELS[name]}:`),
        h('strong', null, filterValueLabel(name, value)),
        unsupported ? h('span', 'chip warn', 'not split here') : null,
        h(
          'button',
          {
            class: 'filter-pill-remove',
            attrs: { type: 'button', 'aria-label': `Remove the ${name} filter`, title: 'Remove this filter' },
            on: { click: () => setFilters(withFilter(filters, name, undefined)!) },
          },
          '×',
        ),
      );
    }),
    active.length >= MAX_FILTERS
      ? h('span', 'muted filter-max', `At most ${MAX_FILTERS} filters: remove one to add another.`)
      : h('span', 'muted filter-max', 'Click a row to filter the page by it.'),
  );
}

/**
 * Site, date range (presets or custom days), comparison (the days before, or a year before), the
 * device, country and campaign choices, and a pill for each filter set (a clicked row too). A
 * dimension filter the current view cannot honour stays visible, marked "not split here", so
 * nobody reads unfiltered figures as filtered ones.
 */
export function filterBar(
  session: SessionInfo,
  filters: FilterState,
  view: View,
  setFilters: (change: Partial<FilterState>) => void,
  signal: AbortSignal,
): HTMLElement {
  const ranges = presets(session.today);
  const preset =
    ranges.find((range) => range.from === filters.from && range.to === filters.to)?.key ?? 'custom';
  const custom = h(
    'div',
    { class: `custom-range${preset === 'custom' ? '' : ' hidden'}` },
    h('input', {
      attrs: { type: 'date', name: 'from', value: filters.from, max: session.today, 'aria-label': 'From' },
      on: { change: (event) => setFilters({ from: (event.target as HTMLInputElement).value }) },
    }),
    h('span', 'muted', '–'),
    h('input', {
      attrs: { type: 'date', name: 'to', value: filters.to, max: session.today, 'aria-label': 'To' },
      on: { change: (event) => setFilters({ to: (event.target as HTMLInputElement).value }) },
    }),
  );
  const range = select(
    'range',
    'Dates',
    [...ranges.map((r) => ({ value: r.key, label: r.label })), { value: 'custom', label: 'Custom…' }],
    preset,
    (key) => {
      const chosen = ranges.find((r) => r.key === key);
      if (chosen) setFilters({ from: chosen.from, to: chosen.to });
      else custom.classList.remove('hidden');
    },
  );

  const dimension = (
    name: DimensionFilter,
    label: string,
    all: string,
    options: { value: string; label: string }[],
  ) => {
    const value = filters[name] ?? '';
    const unsupported = value !== '' && !view.filters.includes(name);
    const full = value === '' && activeDimensions(filters).length >= MAX_FILTERS;
    const control = select(
      name,
      label,
      [{ value: '', label: all }, ...options],
      value,
      (next) => {
        const change = withFilter(filters, name, next || undefined);
        if (change) setFilters(change);
      },
      unsupported ? 'unsupported' : value ? 'active' : '',
      // "All devices" says what the control is; the label is kept for screen readers.
      false,
    );
    if (full) {
      control.querySelector('select')!.disabled = true;
      control.title = `At most ${MAX_FILTERS} filters combine: remove one to add another.`;
    }
    if (unsupported) {
      control.title = `This view is not split by ${name}, to protect shoppers' privacy.`;
      control.appendChild(h('span', 'chip warn', 'not split here'));
    }
    return control;
  };

  const device = dimension(
    'device',
    'Device',
    'All devices',
    session.devices.map((value) => ({ value, label: DEVICE_NAMES[value] ?? value })),
  );
  const country = dimension(
    'country',
    'Country',
    'All countries',
    filters.country ? [{ value: filters.country, label: countryName(filters.country) }] : [],
  );
  const campaign = dimension(
    'campaign',
    'Campaign',
    'All campaigns',
    filters.campaign ? [{ value: filters.campaign, label: filters.campaign }] : [],
  );

  // Countries and campaigns to choose from: those released in the range.
  const unfiltered: FilterState = {
    ...filters,
    device: undefined,
    country: undefined,
    campaign: undefined,
    source: undefined,
    product: undefined,
    order: [],
    compare: 'none',
  };
  const fillOptions = (
    control: HTMLLabelElement,
    path: string,
    key: string,
    label: (value: string) => string = (value) => value,
  ) => {
    api<{ table: { rows: Record<string, string | number | null>[] } }>(`${path}?${toQuery(unfiltered)}`, {
      signal,
    }).then(
      (response) => {
        const selectElement = control.querySelector('select')!;
        const current = selectElement.value;
        const values = [
          ...new Set(
            response.table.rows.map((row) => row[key]).filter((v): v is string => typeof v === 'string'),
          ),
        ];
        for (const value of values) {
          if (value === current) continue;
          selectElement.appendChild(h('option', { attrs: { value, title: value } }, label(value)));
        }
      },
      () => undefined,
    );
  };
  fillOptions(country, '/api/v1/countries', 'code', (code) =>
    code === 'ZZ' ? 'Unknown' : countryName(code),
  );
  fillOptions(campaign, '/api/v1/campaigns', 'utm_campaign');

  const compare = select(
    'compare',
    'Compare with',
    [
      { value: 'previous', label: 'vs previous period' },
      { value: 'year', label: 'vs a year before' },
      { value: 'none', label: 'No comparison' },
    ],
    filters.compare,
    (next) => setFilters({ compare: next as Compare }),
    'compare',
    false,
  );
  compare.title = 'Compare with the days just before, or the same days a year before';

  return h(
    'div',
    { class: 'filterbar', attrs: { role: 'search', 'aria-label': 'Filters' } },
    h(
      'div',
      'filter-group dates',
      session.sites.length > 1
        ? select(
            'site',
            'Site',
            session.sites.map((id) => ({ value: id, label: id })),
            filters.site,
            (site) => setFilters({ site }),
          )
        : h('div', { class: 'site-name', attrs: { title: 'Site' } }, h('strong', null, filters.site)),
      range,
      custom,
      h('div', 'range-text', icon('calendar', 'icon small'), formatRange(filters.from, filters.to)),
      compare,
    ),
    h('div', 'filter-group dimensions', device, country, campaign),
    filterPills(filters, view, setFilters),
  );
}
